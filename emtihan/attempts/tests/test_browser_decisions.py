"""Decisions in Chromium, filled in and submitted as people would: proctor A proposes
cancelling a work from the sitting's review page with a reason and a comment; proctor B,
the second reviewer, is asked again and confirms it; the student then logs in and reads
the decision, its reason and the comment on their Exams page and the receipts page, on a
phone too (390 px). A rejected proposal leaves the sitting as it was, note kept, and the
student sees nothing of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from emtihan.accounts.models import Role
from emtihan.attempts import services
from emtihan.attempts.models import Attempt, Decision, DecisionProposal, ProposalStatus
from emtihan.attempts.tests.conftest import make_exam
from emtihan.attempts.tests.test_browser_phone import assert_fits
from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import login, make_user
from emtihan.exams.models import ExamProctor, ProctoringLevel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "A second face beside the student on snapshots 12-14; no announcement heard"


@pytest.fixture
def ended(world):
    """An exam with two proctors, and the world student's sitting of it, finished a
    minute ago."""
    now = timezone.now()
    exam = make_exam(
        world, opens_at=now - dt.timedelta(minutes=30), proctoring=ProctoringLevel.RECORD
    )
    first = make_user("first.proctor@test.local", Role.PROCTOR, full_name="Aigerim Proctor")
    second = make_user("second.proctor@test.local", Role.PROCTOR, full_name="Bolat Proctor")
    for user in (first, second):
        ExamProctor.objects.create(exam=exam, user=user)
    attempt = services.attempt_start(
        student_user=world.student, exam_id=exam.pk, now=now - dt.timedelta(minutes=20)
    )
    services.attempt_finish(
        attempt_id=attempt.pk, student_user=world.student, now=now - dt.timedelta(minutes=1)
    )
    return {"exam": exam, "attempt": attempt, "first": first, "second": second}


def test_a_cancel_proposed_confirmed_by_a_second_proctor_and_read_by_the_student(
    new_page, world, ended
):
    attempt = ended["attempt"]

    # Proctor A proposes from the review page.
    page = new_page()
    login(page, ended["first"].email)
    page.goto(f"/proctoring/review/{attempt.pk}/")
    form = page.locator(f"#decide-{attempt.pk}")
    form.get_by_label("Decision and reason").select_option(label="Another person was present")
    form.get_by_label("Comment").fill(COMMENT)
    form.get_by_role("button", name="Decide").click()
    page.get_by_text("It takes effect once a second reviewer").wait_for()
    assert f"/proctoring/review/{attempt.pk}/" in page.url
    decision = page.locator("#decision")
    assert "Awaiting second review" in decision.inner_text()
    # The proposer cannot confirm their own proposal: only withdraw it.
    assert decision.get_by_role("button", name="Confirm").count() == 0
    assert decision.get_by_role("button", name="Withdraw").is_visible()
    assert db(lambda: Attempt.objects.get(pk=attempt.pk).decision) == ""
    page.goto(f"/proctoring/console/{ended['exam'].pk}/")
    assert "Awaiting second review" in page.locator(f'tr[data-attempt="{attempt.pk}"]').inner_text()

    # Before the second review the student sees nothing of it.
    student = new_page(phone=True)
    login(student, world.student.email, "100001")
    student.goto("/sitting/exams/")
    assert "Another person was present" not in student.inner_text("main")

    # Proctor B confirms from the exam's decisions page, asked again first.
    other = new_page()
    login(other, ended["second"].email)
    other.goto(f"/sitting/decisions/exams/{ended['exam'].pk}/")
    row = other.locator(f'tr[data-attempt="{attempt.pk}"]')
    assert "Aigerim Proctor" in row.inner_text() and COMMENT in row.inner_text()
    row.get_by_label("Note (required to reject)").fill("Agreed: two faces on three snapshots")
    row.get_by_role("button", name="Confirm").click()
    other.get_by_role("heading", name="Cancel the work?").wait_for()
    assert "Cancel the work of Student One in “Algebra final”?" in other.inner_text("main")
    other.get_by_role("link", name="Cancel", exact=True).click()  # not yet
    other.wait_for_url(f"**/sitting/decisions/exams/{ended['exam'].pk}/")
    assert db(lambda: Attempt.objects.get(pk=attempt.pk).decision) == ""
    row = other.locator(f'tr[data-attempt="{attempt.pk}"]')
    row.get_by_label("Note (required to reject)").fill("Agreed: two faces on three snapshots")
    row.get_by_role("button", name="Confirm").click()
    other.get_by_role("button", name="Cancel the work").click()
    other.get_by_text("Decision confirmed for").wait_for()
    final = db(lambda: Attempt.objects.get(pk=attempt.pk))
    assert (final.decision, final.decision_category, final.decision_reason) == (
        Decision.CANCEL,
        "another_person",
        COMMENT,
    )
    assert (final.decided_by_id, final.decision_confirmed_by_id) == (
        ended["first"].pk,
        ended["second"].pk,
    )
    # The test settings run tasks at once: the student's mail went out.
    assert [m.to for m in mail.outbox] == [[world.student.email]]

    # The student reads it on the Exams page and the receipts page, on a phone.
    student.goto("/sitting/exams/")
    card = student.locator(f'tr[data-exam="{ended["exam"].pk}"]')
    text = card.inner_text()
    assert "Cancelled" in text and "Another person was present" in text and COMMENT in text
    assert_fits(student, "exams with a decision")
    card.get_by_role("link", name="Receipts").click()
    student.wait_for_url(f"**/sitting/{attempt.pk}/finished/")
    facts = student.locator("dl.facts").inner_text()
    assert "Cancelled" in facts and "Another person was present" in facts and COMMENT in facts
    assert_fits(student, "receipts with a decision")


def test_a_rejected_proposal_keeps_the_sitting_and_the_note(new_page, world, ended):
    attempt = ended["attempt"]
    services.attempt_decide(
        actor=ended["first"],
        attempt_id=attempt.pk,
        decision=Decision.POSTPONE,
        category="technical_failure",
        comment="The camera stopped after ten minutes",
    )
    page = new_page()
    login(page, ended["second"].email)
    page.goto(f"/proctoring/review/{attempt.pk}/")
    decision = page.locator("#decision")
    decision.get_by_role("button", name="Reject").click()
    # The browser does not require the note (a confirm needs none): the server asks.
    page.get_by_text("Write why you reject the proposed decision.").wait_for()
    decision = page.locator("#decision")
    decision.get_by_label("Note (required to reject)").fill("The snapshots continue to the end")
    decision.get_by_role("button", name="Reject").click()
    page.get_by_text("Proposal rejected for").wait_for()
    history = page.locator("#proposal-history")
    assert "The snapshots continue to the end" in history.inner_text()
    assert "Rejected" in history.inner_text()
    proposal = db(lambda: DecisionProposal.objects.get())
    assert proposal.status == ProposalStatus.REJECTED
    assert db(lambda: Attempt.objects.get(pk=attempt.pk).decision) == ""
    # Undecided again: the decision form is back.
    assert page.locator(f"#decide-{attempt.pk}").is_visible()
    assert mail.outbox == []
