"""The review page as a proctor uses it in Chromium: the attention plot and the timeline
are there, and the manual identity decision is filled in and submitted as a person would
(an empty reason is refused by the browser first)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from emtihan.attempts import services as attempts
from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import login
from emtihan.exams.models import ExamProctor, ProctoringLevel
from emtihan.proctoring import services
from emtihan.proctoring.models import IdentityStatus, ProctoringSession

from .conftest import make_exam
from .media import empty, frame, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_proctor_approves_an_identity_by_hand(new_page, world, proctor):
    now = timezone.now()
    exam = make_exam(
        world, opens_at=now - dt.timedelta(minutes=30), proctoring=ProctoringLevel.RECORD
    )
    paragraphs = services.consent_paragraphs(exam, "en")
    services.consent_give(
        student_user=world.student,
        exam_id=exam.pk,
        version=services.consent_version(paragraphs),
        language="en",
        now=now - dt.timedelta(minutes=5),
    )
    attempt = attempts.attempt_start(
        student_user=world.student, exam_id=exam.pk, now=now - dt.timedelta(minutes=5)
    )
    for i, image in enumerate([frame("obama_1"), empty()]):
        at = now - dt.timedelta(minutes=4) + dt.timedelta(seconds=20 * i)
        services.snapshot_upload(
            student_user=world.student,
            attempt_id=attempt.pk,
            file=upload(image),
            taken_at=at,
            now=at,
        )
    ProctoringSession.objects.filter(attempt=attempt).update(identity_status=IdentityStatus.MANUAL)
    ExamProctor.objects.create(exam=exam, user=proctor)

    page = new_page()
    login(page, proctor.email)
    page.goto(f"/proctoring/console/{exam.pk}/")
    page.get_by_role("link", name="Student One").click()
    page.get_by_role("heading", name="Review of a sitting: Student One").wait_for()
    assert page.locator("svg.attention-plot rect").count() == 2
    assert page.locator("#identity-frames").is_visible()

    form = page.locator("#identity-decision")
    form.get_by_label("Approve").check()
    form.get_by_role("button", name="Record the identity decision").click()
    # The browser refuses an empty reason; nothing was sent.
    assert db(lambda: ProctoringSession.objects.get(attempt=attempt).identity_status) == (
        IdentityStatus.MANUAL
    )
    form.get_by_label("Reason").fill("Student card shown to the camera, same person")
    form.get_by_role("button", name="Record the identity decision").click()
    page.get_by_text("Identity decision recorded: Approved by a proctor.").wait_for()
    session = db(lambda: ProctoringSession.objects.get(attempt=attempt))
    assert session.identity_status == IdentityStatus.APPROVED
    assert session.identity_reason == "Student card shown to the camera, same person"
    assert page.locator("#identity-decision").count() == 0


def test_the_proctor_decides_an_ended_sitting_from_its_review(new_page, world, proctor):
    """The review page offers the sitting's decision (the attempts app's one flow, the same
    as the absence-cap decision) once the sitting has ended."""
    from emtihan.attempts.models import Attempt, Decision

    now = timezone.now()
    exam = make_exam(
        world, opens_at=now - dt.timedelta(minutes=30), proctoring=ProctoringLevel.RECORD
    )
    attempt = attempts.attempt_start(
        student_user=world.student, exam_id=exam.pk, now=now - dt.timedelta(minutes=20)
    )
    attempts.attempt_finish(
        attempt_id=attempt.pk, student_user=world.student, now=now - dt.timedelta(minutes=1)
    )
    ExamProctor.objects.create(exam=exam, user=proctor)

    page = new_page()
    login(page, proctor.email)
    page.goto(f"/proctoring/review/{attempt.pk}/")
    form = page.locator(f"#decide-{attempt.pk}")
    form.get_by_label("Decision and reason").select_option(label="Other (see the comment)")
    form.get_by_role("button", name="Decide").click()
    # "Other" needs a comment: the server says so, and the choice made is kept.
    page.get_by_text("Write a comment").wait_for()
    form = page.locator(f"#decide-{attempt.pk}")
    assert form.get_by_label("Decision and reason").input_value() == "continue:other"
    form.get_by_label("Comment").fill("Flags reviewed: the phone was the student's calculator app")
    form.get_by_role("button", name="Decide").click()
    page.get_by_text("Decision recorded for").wait_for()
    assert f"/proctoring/review/{attempt.pk}/" in page.url
    # An accept is final at once: the page shows it, with who decided.
    decision = page.locator("#decision")
    assert "Accepted: the work counts" in decision.inner_text()
    assert "calculator app" in decision.inner_text()
    assert "Decided by" in decision.inner_text()
    row = db(lambda: Attempt.objects.get(pk=attempt.pk))
    assert (row.decision, row.decision_category) == (Decision.CONTINUE, "other")
    assert row.decided_by_id == proctor.pk


def test_the_proctor_approves_a_student_waiting_before_the_start(
    new_page, world, proctor, photo_on_file
):
    """A student of an exam that requires the camera failed every identity check: they
    have no sitting, and the console lists them under "Waiting before the start"; the
    proctor opens their identity page, compares, and approves with a reason. Then the
    student may start."""
    from emtihan.core.errors import DomainError

    now = timezone.now()
    exam = make_exam(
        world, opens_at=now - dt.timedelta(minutes=30), proctoring=ProctoringLevel.REQUIRED
    )
    photo_on_file("biden_1")
    paragraphs = services.consent_paragraphs(exam, "en")
    services.consent_give(
        student_user=world.student,
        exam_id=exam.pk,
        version=services.consent_version(paragraphs),
        language="en",
        now=now - dt.timedelta(minutes=5),
    )
    services.device_check_record(
        student_user=world.student,
        exam_id=exam.pk,
        report={"camera": "ok", "microphone": "ok"},
        now=now - dt.timedelta(minutes=5),
    )
    session = ProctoringSession.objects.get(exam=exam, student=world.student.student)
    ProctoringSession.objects.filter(pk=session.pk).update(
        identity_status=IdentityStatus.MANUAL, identity_checks_used=3
    )
    with pytest.raises(DomainError):
        attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    ExamProctor.objects.create(exam=exam, user=proctor)

    page = new_page()
    login(page, proctor.email)
    page.goto(f"/proctoring/console/{exam.pk}/")
    waiting = page.locator("#waiting")
    assert "Waiting for a proctor's check" in waiting.inner_text()
    waiting.get_by_role("link", name="Student One").click()
    page.get_by_role("heading", name="Identity check: Student One").wait_for()
    # The photo on file (it has its size once loaded).
    page.locator("#identity-frames img").first.wait_for(state="visible")
    assert "Identity checks used: 3 of 3." in page.content()

    form = page.locator("#identity-decision")
    form.get_by_label("Approve").check()
    form.get_by_label("Reason").fill("Student card shown to the camera: the same person")
    form.get_by_role("button", name="Record the identity decision").click()
    page.get_by_text("Identity decision recorded: Approved by a proctor.").wait_for()
    assert page.locator("#identity-decision").count() == 0
    assert "Approved by a proctor" in page.locator("#identity-status").inner_text()
    session = db(lambda: ProctoringSession.objects.get(pk=session.pk))
    assert (session.identity_status, session.identity_decided_by_id) == (
        IdentityStatus.APPROVED,
        proctor.pk,
    )
    # The gate lets the student in now; the console no longer lists them as waiting.
    attempt = db(lambda: attempts.attempt_start(student_user=world.student, exam_id=exam.pk))
    assert attempt.status == "in_progress"
    page.goto(f"/proctoring/console/{exam.pk}/")
    assert page.locator("#waiting").count() == 0


def test_the_proctor_dismisses_a_flag_from_the_timeline(new_page, world, proctor):
    """An open flag on the review page's timeline is upheld or dismissed with a note (the
    browser asks for the note first); the page then shows the review, with no form."""
    from emtihan.proctoring.models import Flag, FlagKind, FlagStatus

    now = timezone.now()
    exam = make_exam(
        world, opens_at=now - dt.timedelta(minutes=30), proctoring=ProctoringLevel.RECORD
    )
    paragraphs = services.consent_paragraphs(exam, "en")
    services.consent_give(
        student_user=world.student,
        exam_id=exam.pk,
        version=services.consent_version(paragraphs),
        language="en",
        now=now - dt.timedelta(minutes=5),
    )
    attempt = attempts.attempt_start(
        student_user=world.student, exam_id=exam.pk, now=now - dt.timedelta(minutes=5)
    )
    services.events_record(
        student_user=world.student,
        attempt_id=attempt.pk,
        events=[services.EventIn("tab_hidden", now - dt.timedelta(minutes=4), 12_000)],
        now=now - dt.timedelta(minutes=3),
    )
    flag = Flag.objects.get(attempt=attempt, kind=FlagKind.TAB_HIDDEN)
    ExamProctor.objects.create(exam=exam, user=proctor)

    page = new_page()
    login(page, proctor.email)
    page.goto(f"/proctoring/review/{attempt.pk}/")
    form = page.locator(f"#flag-review-{flag.pk}")
    form.get_by_label("Dismiss").check()
    form.get_by_role("button", name="Record the review").click()
    # The browser refuses an empty note; nothing was sent.
    assert db(lambda: Flag.objects.get(pk=flag.pk).status) == FlagStatus.OPEN
    form.get_by_label("Note").fill("Said aloud that the exam tab was closed by mistake")
    form.get_by_role("button", name="Record the review").click()
    page.get_by_text("Flag review recorded: Dismissed by a proctor.").wait_for()
    assert page.locator(f"#flag-review-{flag.pk}").count() == 0
    assert "closed by mistake" in page.locator("#timeline").inner_text()
    row = db(lambda: Flag.objects.get(pk=flag.pk))
    assert (row.status, row.reviewed_by_id) == (FlagStatus.DISMISSED, proctor.pk)
