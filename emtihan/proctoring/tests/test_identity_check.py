"""The identity check on the real photos (docs/PROCTORING.md): the server decides in a
task (the immediate backend runs it here), with emtihan.vision."""

from __future__ import annotations

import pytest

from emtihan.audit.models import AuditEntry
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.proctoring import rules, services
from emtihan.proctoring.models import CheckStatus, IdentityStatus, ProctoringSession
from emtihan.vision import Step

from .conftest import NOW
from .media import identity_frames, still_frames, two_faces, upload


def agree(world, exam):
    paragraphs = services.consent_paragraphs(exam, "en")
    return services.consent_give(
        student_user=world.student,
        exam_id=exam.pk,
        version=services.consent_version(paragraphs),
        language="en",
        now=NOW,
    )


def run_check(world, exam, frames_by_step):
    check = services.identity_check_start(student_user=world.student, exam_id=exam.pk, now=NOW)
    for step in check.steps:
        for image in frames_by_step[step]:
            services.identity_frame_upload(
                student_user=world.student, check_id=check.pk, step=step, file=upload(image)
            )
    services.identity_check_submit(student_user=world.student, check_id=check.pk, now=NOW)
    check.refresh_from_db()
    return check


def session_of(world, exam) -> ProctoringSession:
    return ProctoringSession.objects.get(exam=exam, student=world.student.student)


def test_the_steps_are_the_visions_and_come_in_a_random_order(world, required_exam):
    assert set(rules.STEPS) == {step.value for step in Step}
    agree(world, required_exam)
    orders = set()
    for _ in range(12):
        check = services.identity_check_start(
            student_user=world.student, exam_id=required_exam.pk, now=NOW
        )
        assert sorted(check.steps) == sorted(rules.STEPS)
        orders.add(tuple(check.steps))
        check.delete()
    assert len(orders) > 1


def test_the_right_person_passes(world, required_exam, photo_on_file):
    photo_on_file("obama_2")  # the same person, another photo, years apart
    agree(world, required_exam)
    check = run_check(world, required_exam, identity_frames("obama_1"))
    assert check.status == CheckStatus.PASSED, (check.reason, check.distance, check.result)
    assert check.reason == rules.REASON_PASSED
    assert check.distance is not None and check.distance < check.threshold == 0.6
    assert all(step["passed"] for step in check.result["steps"])
    session = session_of(world, required_exam)
    assert session.identity_status == IdentityStatus.PASSED
    assert session.identity_checks_used == 1
    assert session.baseline_yaw is not None and abs(session.baseline_yaw) < 20
    assert len(session.reference_embedding) == 128
    entry = AuditEntry.objects.get(action="proctoring.identity_check")
    assert entry.data["reason"] == "passed"
    # The start gate lets the sitting start once the device check is done too.
    services.device_check_record(
        student_user=world.student,
        exam_id=required_exam.pk,
        report={"camera": "ok", "microphone": "ok"},
        now=NOW,
    )
    assert services.start_blocker(session_of(world, required_exam), "required") is None


def test_another_persons_photo_on_file_fails_on_distance(world, required_exam, photo_on_file):
    photo_on_file("biden_1")
    agree(world, required_exam)
    check = run_check(world, required_exam, identity_frames("obama_1"))
    assert check.status == CheckStatus.FAILED
    assert check.reason == rules.REASON_MISMATCH
    assert check.distance >= 0.6
    assert all(step["passed"] for step in check.result["steps"])  # only the face differs
    assert session_of(world, required_exam).identity_status == IdentityStatus.FAILED


def test_a_still_photo_repeated_fails_the_movements(world, required_exam, photo_on_file):
    photo_on_file("obama_1")
    agree(world, required_exam)
    check = run_check(world, required_exam, still_frames("obama_1"))
    assert check.status == CheckStatus.FAILED
    assert check.reason == rules.REASON_MOVEMENT
    failed = {step["step"] for step in check.result["steps"] if not step["passed"]}
    assert failed == {"closer", "left", "right"}


def test_two_faces_fail_with_their_own_reason(world, required_exam, photo_on_file):
    photo_on_file("obama_1")
    agree(world, required_exam)
    frames = identity_frames("obama_1")
    frames["straight"] = [two_faces(), two_faces()]
    check = run_check(world, required_exam, frames)
    assert check.reason == rules.REASON_SEVERAL_FACES


def test_no_face_in_the_straight_frames_asks_for_the_face_to_be_visible(
    world, required_exam, photo_on_file
):
    from .media import empty

    photo_on_file("obama_1")
    agree(world, required_exam)
    frames = identity_frames("obama_1")
    frames["straight"] = [empty(), empty()]
    check = run_check(world, required_exam, frames)
    assert check.reason == rules.REASON_NO_FACE
    assert "main part of the face must be visible" in rules.IDENTITY_MESSAGES[check.reason]


def test_tries_run_out_then_a_proctor_decides_with_a_reason(
    world, required_exam, photo_on_file, proctor_in_scope, proctor
):
    photo_on_file("biden_1")
    agree(world, required_exam)
    for _ in range(required_exam.identity_check_attempts):
        run_check(world, required_exam, still_frames("obama_1"))
    session = session_of(world, required_exam)
    assert session.identity_status == IdentityStatus.MANUAL
    assert session.identity_checks_used == 3
    with pytest.raises(DomainError) as caught:
        services.identity_check_start(student_user=world.student, exam_id=required_exam.pk, now=NOW)
    assert caught.value.message == rules.ERR_WAITING_FOR_PROCTOR
    with pytest.raises(ValidationFailed):
        services.identity_decide(
            actor=proctor, session_id=session.pk, decision="approve", reason="  "
        )
    services.identity_decide(
        actor=proctor,
        session_id=session.pk,
        decision="approve",
        reason="Compared with the student card shown to the camera",
    )
    session.refresh_from_db()
    assert session.identity_status == IdentityStatus.APPROVED
    assert session.identity_decided_by == proctor
    assert AuditEntry.objects.filter(action="proctoring.identity_approve").count() == 1
    with pytest.raises(DomainError) as caught:
        services.identity_decide(
            actor=proctor, session_id=session.pk, decision="reject", reason="x"
        )
    assert caught.value.message == rules.ERR_NOTHING_TO_DECIDE


def test_only_a_proctor_of_the_exam_decides_by_hand(world, required_exam, proctor, grader):
    agree(world, required_exam)
    session = session_of(world, required_exam)
    ProctoringSession.objects.filter(pk=session.pk).update(identity_status=IdentityStatus.MANUAL)
    for person in (proctor, grader, world.teacher, world.head, world.student):
        with pytest.raises(PermissionDeniedError):
            services.identity_decide(
                actor=person, session_id=session.pk, decision="approve", reason="Looks fine"
            )
    # The exam office (staff) may.
    services.identity_decide(
        actor=world.registrar, session_id=session.pk, decision="reject", reason="Someone else"
    )
    session.refresh_from_db()
    assert session.identity_status == IdentityStatus.REJECTED


def test_without_a_photo_on_file_a_proctor_checks_by_hand(world, required_exam):
    agree(world, required_exam)
    check = run_check(world, required_exam, identity_frames("obama_1"))
    assert check.reason == rules.REASON_NO_PHOTO
    session = session_of(world, required_exam)
    assert session.identity_status == IdentityStatus.MANUAL
    # The frames were analysed all the same, for the proctor to look at.
    assert check.result["straight_faces"] == 2


def test_frames_are_bounded_and_checked(world, required_exam):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .media import frame

    agree(world, required_exam)
    check = services.identity_check_start(
        student_user=world.student, exam_id=required_exam.pk, now=NOW
    )

    def send(file, step="straight"):
        return services.identity_frame_upload(
            student_user=world.student, check_id=check.pk, step=step, file=file
        )

    with pytest.raises(ValidationFailed) as caught:
        send(upload(frame("obama_1")), step="up")
    assert caught.value.errors == {"step": [rules.ERR_STEP]}
    with pytest.raises(ValidationFailed) as caught:
        send(SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100))
    assert caught.value.errors == {"file": [rules.ERR_NOT_JPEG]}
    with pytest.raises(ValidationFailed) as caught:
        send(SimpleUploadedFile("x.jpg", b"\xff\xd8\xff" + b"0" * (200 * 1024)))
    assert caught.value.errors == {"file": [rules.ERR_FILE_TOO_LARGE]}
    with pytest.raises(ValidationFailed) as caught:
        send(None)
    assert caught.value.errors == {"file": [rules.ERR_FILE_REQUIRED]}
    for _ in range(rules.IDENTITY_FRAMES_PER_STEP):
        send(upload(frame("obama_1")))
    with pytest.raises(DomainError) as caught:
        send(upload(frame("obama_1")))
    assert caught.value.message == rules.ERR_TOO_MANY_FRAMES
    with pytest.raises(ValidationFailed) as caught:
        services.identity_check_submit(student_user=world.student, check_id=check.pk)
    assert caught.value.errors == {"frames": [rules.ERR_TOO_FEW_FRAMES]}


def test_nothing_before_consent_and_another_students_check_is_not_found(
    world, required_exam, other_student
):
    with pytest.raises(DomainError) as caught:
        services.identity_check_start(student_user=world.student, exam_id=required_exam.pk, now=NOW)
    assert caught.value.message == rules.ERR_CONSENT_FIRST
    agree(world, required_exam)
    check = services.identity_check_start(
        student_user=world.student, exam_id=required_exam.pk, now=NOW
    )
    from emtihan.core.errors import NotFoundError

    with pytest.raises(NotFoundError):
        services.own_check(student_user=other_student, check_id=check.pk)


def test_a_proctors_decision_by_hand_stands_over_a_check_sent_afterwards(
    world, required_exam, proctor_in_scope, proctor
):
    agree(world, required_exam)
    check = services.identity_check_start(
        student_user=world.student, exam_id=required_exam.pk, now=NOW
    )
    session = session_of(world, required_exam)
    ProctoringSession.objects.filter(pk=session.pk).update(identity_status=IdentityStatus.FAILED)
    services.identity_decide(
        actor=proctor, session_id=session.pk, decision="approve", reason="Known to the proctor"
    )
    with pytest.raises(DomainError) as caught:
        services.identity_check_submit(student_user=world.student, check_id=check.pk)
    assert caught.value.message == rules.ERR_IDENTITY_DONE
    assert session_of(world, required_exam).identity_status == IdentityStatus.APPROVED
