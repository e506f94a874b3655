"""The proctor's pages: their exams, an exam's sittings, the pending list, deciding."""

from __future__ import annotations

import pytest
from django.urls import reverse

from emtihan.accounts.models import Role
from emtihan.attempts import services
from emtihan.attempts.models import (
    DECISION_CATEGORIES,
    Attempt,
    Decision,
    DecisionProposal,
    ProposalStatus,
)
from emtihan.attempts.tests.conftest import MINUTE, NOW, assign_proctor, make_exam
from emtihan.conftest import make_user


@pytest.fixture
def pending(sitting):
    """42 minutes away, then finished: past the 20-minute cap, waiting for a decision."""
    sitting.beat(NOW + 43 * MINUTE)
    services.attempt_finish(
        attempt_id=sitting.attempt.pk, student_user=sitting.user, now=NOW + 44 * MINUTE
    )
    attempt = sitting.reload()
    assert attempt.decision == Decision.PENDING
    return attempt


def test_the_proctor_sees_the_pending_sittings_of_their_exams(client, exam_proctor, pending):
    client.force_login(exam_proctor)
    response = client.get(reverse("attempts:decisions"))
    assert response.status_code == 200
    assert [row.attempt for row in response.context["rows"]] == [pending]
    assert "Student One" in response.content.decode()


def test_a_proctor_of_nothing_sees_no_pending_sitting(client, proctor, pending):
    client.force_login(proctor)
    response = client.get(reverse("attempts:decisions"))
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Student One" not in response.content.decode()


def test_the_exam_page_shows_every_sitting_with_its_absence_in_minutes(
    client, exam_proctor, pending
):
    client.force_login(exam_proctor)
    response = client.get(reverse("attempts:exam_attempts", args=[pending.exam_id]))
    assert [row.attempt for row in response.context["rows"]] == [pending]
    page = response.content.decode()
    assert "42 minutes of 20 minutes" in page  # 2520 s of 1200 s, in the words people read
    assert " s of " not in page


def test_the_exam_page_of_an_exam_out_of_scope_is_not_found(client, proctor, pending):
    client.force_login(proctor)
    response = client.get(reverse("attempts:exam_attempts", args=[pending.exam_id]))
    assert response.status_code == 404


def test_a_sitting_in_progress_shows_its_time_left_and_no_decision_form(
    client, world, exam_proctor, live_exam
):
    assign_proctor(world, exam_proctor, exam=live_exam)
    attempt = services.attempt_start(student_user=world.student, exam_id=live_exam.pk)
    client.force_login(exam_proctor)
    response = client.get(reverse("attempts:exam_attempts", args=[live_exam.pk]))
    (row,) = response.context["rows"]
    assert row.attempt == attempt and not row.ended
    assert row.minutes_left in (90, 91)
    page = response.content.decode()
    assert f"{row.minutes_left} min" in page
    assert "Decide once the sitting has ended." in page
    assert reverse("attempts:decide", args=[attempt.pk]) not in page


def test_the_proctors_exams_page_lists_their_exams_with_counts(client, world, proctor, pending):
    other = make_exam(world, group=world.med_group, title="Anatomy final")
    assign_proctor(world, proctor, faculty=world.it_faculty)
    client.force_login(proctor)
    response = client.get(reverse("attempts:proctor_exams"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.exam, r.in_progress, r.ended, r.pending) for r in rows] == [(pending.exam, 0, 1, 1)]
    page = response.content.decode()
    assert reverse("attempts:exam_attempts", args=[pending.exam_id]) in page
    assert other.title not in page


def test_a_proposal_waiting_for_its_second_reviewer_counts_as_waiting(
    client, world, exam_proctor, pending
):
    services.attempt_decide(
        actor=exam_proctor,
        attempt_id=pending.pk,
        decision=Decision.CONTINUE,
        category="technical_only",
    )
    client.force_login(exam_proctor)
    (row,) = client.get(reverse("attempts:proctor_exams")).context["rows"]
    assert row.pending == 0
    services.attempt_decide(
        actor=exam_proctor,
        attempt_id=pending.pk,
        decision=Decision.CANCEL,
        category="other",
        comment="Re-checked the snapshots",
    )
    (row,) = client.get(reverse("attempts:proctor_exams")).context["rows"]
    assert row.pending == 1
    rows = client.get(reverse("attempts:decisions")).context["rows"]
    assert [r.attempt.pk for r in rows] == [pending.pk]


def test_staff_proctor_every_exam(client, world, pending):
    client.force_login(world.registrar)
    rows = client.get(reverse("attempts:proctor_exams")).context["rows"]
    assert [r.exam for r in rows] == [pending.exam]


@pytest.mark.parametrize("who", ["student", "teacher", "head"])
def test_others_cannot_open_the_decision_pages(client, world, pending, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("attempts:decisions")).status_code == 403
    assert client.get(reverse("attempts:proctor_exams")).status_code == 403
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]),
        {"choice": "cancel:another_person", "comment": "x"},
    )
    assert response.status_code == 403
    assert Attempt.objects.get().decision == Decision.PENDING
    assert not DecisionProposal.objects.exists()


def test_a_proctor_of_another_exam_cannot_decide(client, world, proctor, pending):
    assign_proctor(world, proctor, exam=make_exam(world, group=world.g2, title="Other group"))
    client.force_login(proctor)
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]),
        {"choice": "continue:no_violation", "comment": ""},
    )
    assert response.status_code == 404
    assert Attempt.objects.get(pk=pending.pk).decision == Decision.PENDING


def test_the_form_offers_each_decisions_reasons_in_one_select(client, exam_proctor, pending):
    client.force_login(exam_proctor)
    page = client.get(reverse("attempts:decisions")).content.decode()
    for decision, codes in DECISION_CATEGORIES.items():
        for code in codes:
            assert f'value="{decision}:{code}"' in page
    assert "Cancel the work (a second reviewer confirms)" in page


def test_accepting_from_the_page_is_final(client, exam_proctor, pending):
    client.force_login(exam_proctor)
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]),
        {"choice": "continue:technical_only", "comment": "", "next": "/sitting/decisions/"},
        follow=True,
    )
    assert response.status_code == 200
    attempt = Attempt.objects.get()
    assert (attempt.decision, attempt.decision_category, attempt.decided_by) == (
        Decision.CONTINUE,
        "technical_only",
        exam_proctor,
    )
    assert response.context["rows"] == []
    assert "Decision recorded for Student One" in response.text
    assert "Accepted: the work counts" in response.text


def test_proposing_a_postpone_lists_it_for_a_second_reviewer(client, world, exam_proctor, pending):
    client.force_login(exam_proctor)
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]),
        {
            "choice": "postpone:technical_failure",
            "comment": "Power cut",
            "next": "/sitting/decisions/",
        },
        follow=True,
    )
    assert Attempt.objects.get().decision == Decision.PENDING  # not yet
    proposal = DecisionProposal.objects.get()
    assert (proposal.decision, proposal.category, proposal.comment, proposal.proposed_by) == (
        Decision.POSTPONE,
        "technical_failure",
        "Power cut",
        exam_proctor,
    )
    assert "It takes effect once a second reviewer" in response.text
    (row,) = response.context["rows"]
    assert row.proposal.proposal == proposal and not row.proposal.can_confirm
    # The proposer may withdraw it, not confirm it.
    assert 'name="action" value="confirm"' not in response.text
    assert 'name="action" value="reject"' in response.text

    client.force_login(world.registrar)
    page = client.get(reverse("attempts:exam_attempts", args=[pending.exam_id])).content.decode()
    assert 'name="action" value="confirm"' in page
    client.post(
        reverse("attempts:review_proposal", args=[proposal.pk]),
        {"action": "confirm", "note": "", "next": "/sitting/decisions/"},
    )
    attempt = Attempt.objects.get()
    assert (attempt.decision, attempt.decision_confirmed_by) == (Decision.POSTPONE, world.registrar)


def test_the_proposer_posting_confirm_is_refused(client, exam_proctor, pending):
    client.force_login(exam_proctor)
    client.post(
        reverse("attempts:decide", args=[pending.pk]),
        {"choice": "postpone:other", "comment": "x"},
    )
    proposal = DecisionProposal.objects.get()
    response = client.post(
        reverse("attempts:review_proposal", args=[proposal.pk]),
        {"action": "confirm", "confirmed": "yes"},
    )
    assert response.status_code == 403
    assert DecisionProposal.objects.get().status == ProposalStatus.OPEN


def test_deciding_a_sitting_in_progress_says_why_not(client, world, exam_proctor, live_exam):
    assign_proctor(world, exam_proctor, exam=live_exam)
    attempt = services.attempt_start(student_user=world.student, exam_id=live_exam.pk)
    client.force_login(exam_proctor)
    response = client.post(
        reverse("attempts:decide", args=[attempt.pk]),
        {"choice": "cancel:another_person", "comment": "x"},
        follow=True,
    )
    assert response.status_code == 200
    assert services.ERR_STILL_IN_PROGRESS in response.content.decode()
    assert Attempt.objects.get(pk=attempt.pk).decision == Decision.NONE


def test_a_refused_decision_keeps_what_the_proctor_wrote(client, exam_proctor, pending):
    client.force_login(exam_proctor)
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]),
        {"choice": "cancel:another_person", "comment": "   ", "next": "/sitting/decisions/"},
        follow=True,
    )
    page = response.content.decode()
    assert services.ERR_COMMENT_REQUIRED.replace("“", "&ldquo;") in page or (
        "Write a comment" in page
    )
    assert 'value="cancel:another_person" selected' in page
    assert not DecisionProposal.objects.exists()
    # Offered once: a reload shows the empty form again.
    page = client.get("/sitting/decisions/").content.decode()
    assert 'value="cancel:another_person" selected' not in page


def test_an_outside_next_url_is_ignored(client, exam_proctor, pending):
    client.force_login(exam_proctor)
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]),
        {"choice": "continue:no_violation", "comment": "", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("attempts:decisions")


def test_confirming_a_cancel_is_asked_again_first(client, world, exam_proctor, pending):
    client.force_login(exam_proctor)
    client.post(
        reverse("attempts:decide", args=[pending.pk]),
        {"choice": "cancel:left_unannounced", "comment": "Away 42 minutes"},
    )
    proposal = DecisionProposal.objects.get()
    assert Attempt.objects.get().decision == Decision.PENDING  # proposing asks nothing

    client.force_login(world.registrar)
    url = reverse("attempts:review_proposal", args=[proposal.pk])
    body = {"action": "confirm", "note": "Agreed", "next": "/sitting/decisions/"}
    response = client.post(url, body)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cancel the work of Student One in “Algebra final”?" in page
    assert "Left without announcing it" in page
    assert 'name="note" value="Agreed"' in page
    assert 'name="confirmed" value="yes"' in page
    assert Attempt.objects.get().decision == Decision.PENDING

    response = client.post(url, {**body, "confirmed": "yes"})
    assert response["Location"] == "/sitting/decisions/"
    assert Attempt.objects.get().decision == Decision.CANCEL


def test_rejecting_needs_no_second_question_and_keeps_the_note(
    client, world, exam_proctor, pending
):
    client.force_login(exam_proctor)
    client.post(
        reverse("attempts:decide", args=[pending.pk]),
        {"choice": "cancel:another_person", "comment": "Two faces"},
    )
    proposal = DecisionProposal.objects.get()
    client.force_login(world.registrar)
    response = client.post(
        reverse("attempts:review_proposal", args=[proposal.pk]),
        {"action": "reject", "note": "A poster on the wall"},
        follow=True,
    )
    assert "Proposal rejected for Student One" in response.text
    proposal.refresh_from_db()
    assert (proposal.status, proposal.review_note) == (
        ProposalStatus.REJECTED,
        "A poster on the wall",
    )
    assert Attempt.objects.get().decision == Decision.PENDING


def test_the_question_names_nobody_out_of_scope(client, world, exam_proctor, pending):
    client.force_login(exam_proctor)
    client.post(
        reverse("attempts:decide", args=[pending.pk]),
        {"choice": "cancel:another_person", "comment": "x"},
    )
    proposal = DecisionProposal.objects.get()
    other = make_user("other-proctor@test.local", Role.PROCTOR)
    assign_proctor(world, other, exam=make_exam(world, group=world.g2, title="Other group"))
    client.force_login(other)
    response = client.post(
        reverse("attempts:review_proposal", args=[proposal.pk]), {"action": "confirm"}
    )
    assert response.status_code == 404
    assert "Student One" not in response.content.decode()


def test_the_student_sees_the_final_decision_not_a_proposal(client, world, exam_proctor, pending):
    client.force_login(exam_proctor)
    client.post(
        reverse("attempts:decide", args=[pending.pk]),
        {"choice": "cancel:another_person", "comment": "Two faces on snapshot 12"},
    )
    client.force_login(world.student)
    for url in (reverse("attempts:exams"), reverse("attempts:finished", args=[pending.pk])):
        page = client.get(url).content.decode()
        assert "Another person was present" not in page
        assert "Two faces on snapshot 12" not in page

    services.attempt_proposal_review(
        actor=world.registrar, proposal_id=DecisionProposal.objects.get().pk, action="confirm"
    )
    for url in (reverse("attempts:exams"), reverse("attempts:finished", args=[pending.pk])):
        page = client.get(url).content.decode()
        assert "Cancelled" in page
        assert "Another person was present" in page
        assert "Two faces on snapshot 12" in page
