"""demo_seed: the demo university and its exams (what `make demo` loads)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from emtihan.accounts.models import User
from emtihan.attempts import services as attempts
from emtihan.attempts.models import (
    AnswerVersion,
    Attempt,
    AttemptStatus,
    Decision,
    DecisionCategory,
    ProposalStatus,
)
from emtihan.audit.models import AuditEntry
from emtihan.core.errors import DomainError
from emtihan.examforms.models import ChoiceStatus
from emtihan.exams import selectors as exams_selectors
from emtihan.exams import services as exam_services
from emtihan.exams.models import Exam, ExamStatus, ProctoringLevel, QuestionKind
from emtihan.proctoring.console import console_rows
from emtihan.proctoring.console import waiting_sessions as console_waiting
from emtihan.proctoring.models import (
    Flag,
    FlagKind,
    FlagStatus,
    IdentityCheck,
    IdentityStatus,
    ProctoringSession,
    Snapshot,
)
from emtihan.proctoring.rules import STEPS
from emtihan.university.models import Student
from emtihan.vision import SAME_PERSON_THRESHOLD

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("demo_seed", stdout=out)
    return out.getvalue()


def demo_exam(code: str) -> Exam:
    return Exam.objects.get(choice__discipline__code=code, choice__group__code="IS-2301")


def test_the_demo_has_an_open_an_upcoming_and_a_completed_exam():
    output = seed()
    now = timezone.now()
    for what in ("open now", "upcoming", "completed"):
        assert what in output

    open_exam = demo_exam("MATH110")
    assert open_exam.status == ExamStatus.PUBLISHED
    assert open_exam.opens_at <= now < open_exam.closes_at
    assert open_exam.allow_formulas and open_exam.allow_drawings and open_exam.allow_pictures
    kinds = list(open_exam.questions.values_list("kind", flat=True))
    assert kinds.count(QuestionKind.WRITTEN) >= 2
    assert set(QuestionKind.values) <= set(kinds)  # every closed kind too
    assert open_exam.choice.platform == "OQYLYQ"

    assert demo_exam("CS101").opens_at > now
    completed = demo_exam("CS205")
    assert completed.closes_at < now
    finished = Attempt.objects.filter(exam=completed)
    assert {a.student.user.email for a in finished} == {
        "student1@demo.local",
        "student2@demo.local",
        "student21@demo.local",
    }
    assert {a.status for a in finished} == {AttemptStatus.FINISHED}
    assert AnswerVersion.objects.filter(answer__attempt__exam=completed).count() == 6

    # The open exam requires the camera: a demo student goes through consent, the device
    # check and the identity check first. Group IS-2302 sits the same exam without it.
    assert open_exam.proctoring == ProctoringLevel.REQUIRED
    student = User.objects.get(email="student1@demo.local")
    with pytest.raises(DomainError, match="requires the camera"):
        attempts.attempt_start(student_user=student, exam_id=open_exam.pk)
    no_camera = Exam.objects.get(choice__discipline__code="MATH110", choice__group__code="IS-2302")
    assert no_camera.proctoring == ProctoringLevel.OFF
    assert no_camera.opens_at <= now < no_camera.closes_at
    lines = [line for line in output.splitlines() if "open now" in line]
    assert [line.endswith("[camera required]") for line in lines] == [True, False]
    student = User.objects.get(email="student3@demo.local")
    attempt = attempts.attempt_start(student_user=student, exam_id=no_camera.pk)
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert len(attempt.layout) == no_camera.questions.count()


def test_seeding_again_changes_nothing_but_keeps_the_open_exam_open():
    seed()

    def counts() -> tuple[int, ...]:
        return (
            User.objects.count(),
            Exam.objects.count(),
            Attempt.objects.count(),
            Snapshot.objects.count(),
            Flag.objects.count(),
            IdentityCheck.objects.count(),
            AuditEntry.objects.count(),
        )

    before = counts()
    seed()
    assert counts() == before

    # The demo started again ten days later: the open exam is moved to now, the upcoming
    # one to the future; the completed one stays as it was.
    past = timezone.now() - dt.timedelta(days=10)
    Exam.objects.filter(choice__discipline__code__in=["MATH110", "CS101"]).update(
        opens_at=past, closes_at=past + dt.timedelta(hours=4)
    )
    held = demo_exam("CS205").opens_at
    seed()
    now = timezone.now()
    assert demo_exam("MATH110").opens_at <= now < demo_exam("MATH110").closes_at
    assert demo_exam("CS101").opens_at > now
    assert demo_exam("CS205").opens_at == held
    assert Exam.objects.count() == before[1]


def test_the_teacher_has_an_approved_exam_form_with_no_exam_to_create_one_from():
    output = seed()
    teacher = User.objects.get(email="teacher@demo.local")
    (choice,) = exams_selectors.choices_without_exam(teacher)
    assert (choice.discipline.code, choice.group.code) == ("MATH110", "IS-2311")
    assert choice.status == ChoiceStatus.APPROVED
    assert "no exam yet  MATH110 · IS-2311" in output

    # Once the demo user has made its exam, seeding again leaves the choice as it is.
    exam = exam_services.exam_create(
        actor=teacher,
        choice=choice,
        title="Linear Algebra, part-time",
        opens_at=timezone.now() + dt.timedelta(days=2),
        closes_at=timezone.now() + dt.timedelta(days=2, hours=3),
        duration_minutes=90,
    )
    output = seed()
    assert exams_selectors.choices_without_exam(teacher) == []
    assert Exam.objects.get(choice=choice) == exam
    assert "no exam yet" not in output


def _sitting(email: str) -> Attempt:
    return Attempt.objects.get(exam=demo_exam("MATH110"), student__user__email=email)


def test_the_proctor_sees_live_and_reviewed_sittings_on_the_console():
    seed()
    exam = demo_exam("MATH110")
    proctor = Client()
    proctor.force_login(User.objects.get(email="proctor@demo.local"))

    rows = {row.attempt.student.user.email: row for row in console_rows(exam)}
    assert set(rows) == {
        "student6@demo.local",
        "student7@demo.local",
        "student12@demo.local",
        "student16@demo.local",
        "student17@demo.local",
    }
    page = proctor.get(f"/proctoring/console/{exam.pk}/").content.decode()
    for row in rows.values():
        assert f"/proctoring/review/{row.attempt.pk}/" in page
    # student11, whose identity checks failed, waits before the start for a proctor.
    (waiting,) = console_waiting(exam)
    assert waiting.student.user.email == "student11@demo.local"
    assert f"/proctoring/identity/{waiting.pk}/" in page
    identity = proctor.get(f"/proctoring/identity/{waiting.pk}/").content.decode()
    assert 'id="identity-decision"' in identity and identity.count("/proctoring/media/frame/") == 24

    # Live: in progress, identity passed, flags raised by the analysis of their snapshots
    # and by the browser's events.
    for email in ("student6@demo.local", "student7@demo.local"):
        assert not rows[email].ended and rows[email].minutes_left > 60
        assert rows[email].identity_status == IdentityStatus.PASSED
    live = _sitting("student6@demo.local")
    assert {f.kind for f in live.flags.all()} == {FlagKind.ABSENT, FlagKind.MULTIPLE_FACES}
    assert {f.status for f in live.flags.all()} == {FlagStatus.OPEN}
    assert {f.kind for f in _sitting("student7@demo.local").flags.all()} == {
        FlagKind.TAB_HIDDEN,
        FlagKind.PASTE_OUTSIDE,
        FlagKind.WINDOW_BLUR,
    }
    assert rows["student6@demo.local"].priority > 0

    # Reviewed: ended, every flag reviewed by the proctor, a decision made through the
    # attempts app's decide flow (a cancel confirmed by a second reviewer, the exam
    # office; a postpone still waiting for one).
    accepted, cancelled = _sitting("student12@demo.local"), _sitting("student16@demo.local")
    postponed = _sitting("student17@demo.local")
    proctor_user = User.objects.get(email="proctor@demo.local")
    assert (accepted.status, accepted.decision) == (AttemptStatus.FINISHED, Decision.CONTINUE)
    assert accepted.decision_category == DecisionCategory.MINOR_EXPLAINED
    assert (cancelled.status, cancelled.decision) == (AttemptStatus.FINISHED, Decision.CANCEL)
    assert cancelled.decision_category == DecisionCategory.ANOTHER_PERSON
    assert cancelled.decision_confirmed_by.email == "registrar@demo.local"
    assert postponed.decision in (Decision.NONE, Decision.PENDING)
    (proposal,) = postponed.proposals.all()
    assert (proposal.decision, proposal.status) == (Decision.POSTPONE, ProposalStatus.OPEN)
    assert proposal.proposed_by == proctor_user
    assert {(f.kind, f.status) for f in accepted.flags.all()} == {
        (FlagKind.ABSENT, FlagStatus.DISMISSED)
    }
    assert {(f.kind, f.status) for f in cancelled.flags.all()} == {
        (FlagKind.MULTIPLE_FACES, FlagStatus.UPHELD),
        (FlagKind.PASTE_OUTSIDE, FlagStatus.UPHELD),
    }
    assert {(f.kind, f.status) for f in postponed.flags.all()} == {
        (FlagKind.CAMERA_LOST, FlagStatus.UPHELD)
    }
    for attempt in (accepted, cancelled, postponed):
        assert rows[attempt.student.user.email].ended
        assert rows[attempt.student.user.email].identity_status == IdentityStatus.PASSED
        assert all(f.reviewed_by == proctor_user for f in attempt.flags.all())
        assert AuditEntry.objects.filter(
            action="proctoring.flag_review", object_id=str(attempt.pk)
        ).exists()
        review = proctor.get(f"/proctoring/review/{attempt.pk}/")
        assert review.status_code == 200
    for attempt in (accepted, cancelled):
        assert attempt.decided_by == proctor_user
        page = proctor.get(f"/proctoring/review/{attempt.pk}/").content.decode()
        assert attempt.get_decision_display() in page
    review = proctor.get(f"/proctoring/review/{live.pk}/").content.decode()
    assert 'class="attention-plot"' in review


def test_students_have_photos_and_the_flags_are_the_analysis_of_frames_made_from_them():
    seed()
    students = Student.objects.filter(user__email__endswith="@demo.local")
    assert students.count() == 30
    for student in students:
        with student.photo.open("rb") as photo:  # a JPEG from emtihan/demo/photos
            assert photo.read(3) == b"\xff\xd8\xff", student.user.email

    snapshots = Snapshot.objects.filter(attempt__exam=demo_exam("MATH110"))
    assert snapshots.count() > 50 and not snapshots.filter(analysed_at__isnull=True).exists()
    for flag in Flag.objects.filter(kind=FlagKind.ABSENT):
        assert flag.snapshot.faces == 0 and flag.value >= flag.threshold
    for flag in Flag.objects.filter(kind=FlagKind.MULTIPLE_FACES):
        assert flag.snapshot.faces == 2
    # The same person (another photo of them) is under the threshold on sampled snapshots.
    distances = snapshots.exclude(identity_distance=None).values_list(
        "identity_distance", flat=True
    )
    assert distances and max(distances) < SAME_PERSON_THRESHOLD
    # student11 showed someone else three times: waiting for a proctor, with no sitting.
    session = ProctoringSession.objects.get(
        exam=demo_exam("MATH110"), student__user__email="student11@demo.local"
    )
    assert session.identity_status == IdentityStatus.MANUAL and session.attempt is None
    checks = list(session.identity_checks.all())
    assert [c.reason for c in checks] == ["does_not_match_photo"] * 3
    assert all(c.distance >= SAME_PERSON_THRESHOLD for c in checks)


def test_the_demo_starts_even_if_an_identity_check_does_not_pass_on_this_machine(monkeypatch):
    """The seeded identity checks turn a photo in perspective for the head turns; should
    the analysis not see the turns somewhere, a proctor approves by hand (as in real
    life) and the demo still loads. Here every step shows the same still picture."""
    from emtihan.demo import camera

    monkeypatch.setattr(
        camera,
        "identity_steps",
        lambda name: {s: [camera.frame(name), camera.frame(name)] for s in STEPS},
    )
    seed()
    sessions = ProctoringSession.objects.filter(exam=demo_exam("MATH110"))
    statuses = dict(sessions.values_list("student__user__email", "identity_status"))
    assert statuses.pop("student11@demo.local") == IdentityStatus.MANUAL
    assert set(statuses.values()) == {IdentityStatus.APPROVED}
    assert {c.reason for c in IdentityCheck.objects.all()} == {"movement_not_seen"}
    assert Attempt.objects.filter(exam=demo_exam("MATH110")).count() == 5
