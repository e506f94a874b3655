"""attempt_decide and attempt_proposal_review: who decides on a sitting (proctors of its
exam or its group's faculty, staff), when (only once it has ended), with which reason
category and comment, and the second reviewer for a cancel or postpone."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings

from emtihan.accounts.models import Role
from emtihan.attempts import services
from emtihan.attempts.models import (
    DECISION_CATEGORIES,
    Attempt,
    AttemptStatus,
    Decision,
    DecisionCategory,
    DecisionProposal,
    ProposalStatus,
)
from emtihan.attempts.notifications import decision_mail
from emtihan.attempts.tests.conftest import MINUTE, NOW, assign_proctor, make_exam
from emtihan.audit.models import AuditEntry
from emtihan.conftest import make_user
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed

AFTER = NOW + 40 * MINUTE
LATER = NOW + 50 * MINUTE


def decide(
    actor,
    sitting,
    decision=Decision.POSTPONE,
    category=DecisionCategory.TECHNICAL_FAILURE,
    comment="Power cut in the dormitory",
    now=AFTER,
):
    return services.attempt_decide(
        actor=actor,
        attempt_id=sitting.attempt.pk,
        decision=decision,
        category=category,
        comment=comment,
        now=now,
    )


def review(actor, proposal, action="confirm", note="", now=LATER):
    return services.attempt_proposal_review(
        actor=actor, proposal_id=proposal.pk, action=action, note=note, now=now
    )


@pytest.fixture
def ended(sitting):
    """The sitting, finished by the student 30 minutes in, unseen since its start: its
    absence is past the cap, so it waits for a decision."""
    services.attempt_finish(
        attempt_id=sitting.attempt.pk, student_user=sitting.user, now=NOW + 30 * MINUTE
    )
    return sitting


@pytest.fixture
def second_proctor(world, exam):
    """Another proctor of the same exam: the second reviewer."""
    user = make_user("second@test.local", Role.PROCTOR, full_name="Sec Ond")
    assign_proctor(world, user, exam=exam)
    return user


# --- accept: final at once ------------------------------------------------------------------


def test_an_accept_is_final_at_once_with_its_category(ended, exam_proctor):
    result = decide(exam_proctor, ended, Decision.CONTINUE, DecisionCategory.TECHNICAL_ONLY, "")
    assert result.final and result.proposal is None
    attempt = Attempt.objects.get()
    assert (attempt.decision, attempt.decision_category, attempt.decision_reason) == (
        Decision.CONTINUE,
        "technical_only",
        "",
    )
    assert attempt.decided_by == exam_proctor and attempt.decided_at == AFTER
    assert attempt.decision_confirmed_by is None
    entry = AuditEntry.objects.get(action="attempt.decide")
    assert entry.data == {
        "decision": "continue",
        "previous": "pending",
        "category": "technical_only",
        "comment": "",
    }


def test_a_sitting_past_its_deadline_is_locked_then_decided(sitting, exam_proctor):
    late = sitting.attempt.deadline + MINUTE
    result = decide(
        exam_proctor,
        sitting,
        Decision.CONTINUE,
        DecisionCategory.NO_VIOLATION,
        "Connection trouble, work complete",
        now=late,
    )
    assert (result.attempt.status, result.attempt.decision) == (
        AttemptStatus.TIMED_OUT,
        Decision.CONTINUE,
    )


# --- cancel and postpone: a proposal, then a second reviewer -------------------------------


@pytest.mark.parametrize(
    ("decision", "category"),
    [
        (Decision.CANCEL, DecisionCategory.ANOTHER_PERSON),
        (Decision.POSTPONE, DecisionCategory.ILLNESS_EMERGENCY),
    ],
)
def test_a_cancel_or_postpone_is_a_proposal_until_a_second_reviewer_confirms(
    ended, exam_proctor, second_proctor, decision, category
):
    result = decide(exam_proctor, ended, decision, category, "Seen on snapshots 12-14")
    assert not result.final
    proposal = result.proposal
    assert (proposal.status, proposal.proposed_by, proposal.comment) == (
        ProposalStatus.OPEN,
        exam_proctor,
        "Seen on snapshots 12-14",
    )
    # Nothing is final yet: the sitting still waits, and the student is not told.
    assert Attempt.objects.get().decision == Decision.PENDING
    assert mail.outbox == []
    propose = AuditEntry.objects.get(action="attempt.decision_propose")
    assert propose.data == {
        "proposal": proposal.pk,
        "decision": decision,
        "category": category,
        "comment": "Seen on snapshots 12-14",
        "current": "pending",
    }

    confirmed = review(second_proctor, proposal, note="Agreed")
    assert confirmed.status == ProposalStatus.CONFIRMED
    assert (confirmed.reviewed_by, confirmed.reviewed_at) == (second_proctor, LATER)
    attempt = Attempt.objects.get()
    assert (attempt.decision, attempt.decision_category, attempt.decision_reason) == (
        decision,
        category,
        "Seen on snapshots 12-14",
    )
    assert (attempt.decided_by, attempt.decision_confirmed_by, attempt.decided_at) == (
        exam_proctor,
        second_proctor,
        LATER,
    )
    entry = AuditEntry.objects.get(action="attempt.decision_confirm")
    assert entry.actor_id == second_proctor.pk
    assert entry.data["previous"] == "pending" and entry.data["proposed_by"] == exam_proctor.pk
    assert len(mail.outbox) == 1  # the immediate backend ran the task


def test_the_proposer_cannot_confirm_their_own_proposal(ended, exam_proctor):
    proposal = decide(exam_proctor, ended, Decision.CANCEL, DecisionCategory.OTHER, "x").proposal
    with pytest.raises(PermissionDeniedError) as exc:
        review(exam_proctor, proposal)
    assert exc.value.message == services.ERR_OWN_PROPOSAL
    assert DecisionProposal.objects.get().status == ProposalStatus.OPEN
    assert Attempt.objects.get().decision == Decision.PENDING
    assert not AuditEntry.objects.filter(action="attempt.decision_confirm").exists()


def test_the_exam_office_is_a_second_reviewer(world, ended, exam_proctor):
    proposal = decide(exam_proctor, ended, Decision.CANCEL, DecisionCategory.COMMUNICATION).proposal
    review(world.registrar, proposal)
    assert Attempt.objects.get().decision == Decision.CANCEL


def test_staff_proposing_need_a_proctor_or_other_staff_to_confirm(world, ended, exam_proctor):
    proposal = decide(world.registrar, ended, Decision.POSTPONE).proposal
    with pytest.raises(PermissionDeniedError):
        review(world.registrar, proposal)
    review(exam_proctor, proposal)
    assert Attempt.objects.get().decided_by == world.registrar


def test_rejecting_leaves_the_sitting_undecided_and_keeps_the_note(
    ended, exam_proctor, second_proctor
):
    proposal = decide(
        exam_proctor, ended, Decision.CANCEL, DecisionCategory.ANOTHER_PERSON
    ).proposal
    rejected = review(second_proctor, proposal, "reject", "The second face is a poster")
    assert (rejected.status, rejected.review_note) == (
        ProposalStatus.REJECTED,
        "The second face is a poster",
    )
    attempt = Attempt.objects.get()
    assert (attempt.decision, attempt.decided_by) == (Decision.PENDING, None)
    entry = AuditEntry.objects.get(action="attempt.decision_reject")
    assert entry.data["note"] == "The second face is a poster"
    assert entry.data["withdrawn"] is False
    assert mail.outbox == []
    # A new decision can be made afterwards; the rejected proposal stays on record.
    decide(second_proctor, ended, Decision.CONTINUE, DecisionCategory.NO_VIOLATION, "")
    assert Attempt.objects.get().decision == Decision.CONTINUE
    assert DecisionProposal.objects.get().review_note == "The second face is a poster"


def test_the_proposer_may_withdraw_their_proposal(ended, exam_proctor):
    proposal = decide(exam_proctor, ended, Decision.POSTPONE).proposal
    review(exam_proctor, proposal, "reject", "Wrong student")
    assert AuditEntry.objects.get(action="attempt.decision_reject").data["withdrawn"] is True


def test_a_rejection_needs_a_note(ended, exam_proctor, second_proctor):
    proposal = decide(exam_proctor, ended).proposal
    with pytest.raises(ValidationFailed) as exc:
        review(second_proctor, proposal, "reject", "  ")
    assert exc.value.errors == {"note": [services.ERR_NOTE_REQUIRED]}
    assert DecisionProposal.objects.get().status == ProposalStatus.OPEN


@pytest.mark.parametrize("action", ["", "approve", "accept"])
def test_only_confirm_or_reject(ended, exam_proctor, second_proctor, action):
    proposal = decide(exam_proctor, ended).proposal
    with pytest.raises(ValidationFailed) as exc:
        review(second_proctor, proposal, action, "note")
    assert exc.value.errors == {"action": [services.ERR_REVIEW_UNKNOWN]}


def test_an_answered_proposal_cannot_be_answered_again(ended, exam_proctor, second_proctor, world):
    proposal = decide(exam_proctor, ended).proposal
    review(second_proctor, proposal, "reject", "No")
    with pytest.raises(DomainError) as exc:
        review(world.registrar, proposal)
    assert exc.value.message == services.ERR_PROPOSAL_CLOSED
    assert Attempt.objects.get().decision == Decision.PENDING


def test_one_open_proposal_at_a_time_and_no_accept_over_it(ended, exam_proctor, second_proctor):
    decide(exam_proctor, ended, Decision.CANCEL, DecisionCategory.ANOTHER_PERSON)
    for decision, category in [
        (Decision.POSTPONE, DecisionCategory.TECHNICAL_FAILURE),
        (Decision.CONTINUE, DecisionCategory.NO_VIOLATION),
    ]:
        with pytest.raises(DomainError) as exc:
            decide(second_proctor, ended, decision, category)
        assert exc.value.message == services.ERR_PROPOSAL_OPEN
    assert DecisionProposal.objects.count() == 1
    assert Attempt.objects.get().decision == Decision.PENDING


def test_a_final_decision_can_be_replaced_through_the_same_review(
    ended, exam_proctor, second_proctor
):
    decide(exam_proctor, ended, Decision.CONTINUE, DecisionCategory.NO_VIOLATION, "")
    proposal = decide(
        second_proctor, ended, Decision.CANCEL, DecisionCategory.UNAUTHORISED_MATERIALS
    ).proposal
    assert Attempt.objects.get().decision == Decision.CONTINUE  # until confirmed
    review(exam_proctor, proposal)
    assert AuditEntry.objects.get(action="attempt.decision_confirm").data["previous"] == "continue"
    assert Attempt.objects.get().decision == Decision.CANCEL


def test_undoing_a_confirmed_cancel_needs_a_second_reviewer_too(
    ended, exam_proctor, second_proctor
):
    proposal = decide(
        exam_proctor, ended, Decision.CANCEL, DecisionCategory.UNAUTHORISED_MATERIALS
    ).proposal
    review(second_proctor, proposal)
    assert Attempt.objects.get().decision == Decision.CANCEL
    # One of the two cannot turn it into an accept alone: the accept is a proposal.
    undo = decide(
        exam_proctor,
        ended,
        Decision.CONTINUE,
        DecisionCategory.NO_VIOLATION,
        "",
        now=LATER + MINUTE,
    )
    assert not undo.final and undo.proposal is not None
    assert undo.proposal.decision == Decision.CONTINUE
    assert Attempt.objects.get().decision == Decision.CANCEL
    with pytest.raises(PermissionDeniedError):
        review(exam_proctor, undo.proposal, now=LATER + 2 * MINUTE)
    review(second_proctor, undo.proposal, now=LATER + 2 * MINUTE)
    attempt = Attempt.objects.get()
    assert attempt.decision == Decision.CONTINUE
    assert attempt.decision_confirmed_by == second_proctor
    confirm = AuditEntry.objects.filter(action="attempt.decision_confirm").order_by("-seq")[0]
    assert confirm.data["previous"] == "cancel" and confirm.data["decision"] == "continue"


def test_a_proctor_out_of_scope_finds_no_proposal(world, ended, exam_proctor, proctor):
    proposal = decide(exam_proctor, ended).proposal
    outsider = make_user("other-proctor@test.local", Role.PROCTOR)
    assign_proctor(world, outsider, exam=make_exam(world, group=world.g2, title="Other group"))
    with pytest.raises(services.NotFoundError) as exc:
        review(outsider, proposal)
    assert exc.value.message == services.ERR_PROPOSAL_NOT_FOUND


@pytest.mark.parametrize("who", ["student", "teacher", "head", "outsider"])
def test_others_may_not_review_a_proposal(world, ended, exam_proctor, who):
    proposal = decide(exam_proctor, ended).proposal
    with pytest.raises(PermissionDeniedError):
        review(getattr(world, who), proposal)


# --- who and when -------------------------------------------------------------------------


def test_a_proctor_of_the_groups_faculty_decides(world, ended, proctor):
    assign_proctor(world, proctor, faculty=world.it_faculty)
    assert decide(proctor, ended, Decision.CANCEL, DecisionCategory.OTHER, "x").proposal


def test_a_proctor_of_nothing_finds_no_sitting(ended, proctor):
    """The defect: any proctor decided any attempt. Outside the scope it does not exist."""
    with pytest.raises(services.NotFoundError) as exc:
        decide(proctor, ended, Decision.CANCEL, DecisionCategory.OTHER, "x")
    assert exc.value.message == services.ERR_ATTEMPT_NOT_FOUND
    assert Attempt.objects.get().decision == Decision.PENDING


def test_a_proctor_of_another_faculty_or_exam_finds_no_sitting(world, ended, proctor):
    assign_proctor(world, proctor, faculty=world.med_faculty)
    other_exam = make_exam(world, group=world.g2, title="Algebra, other group")
    assign_proctor(world, proctor, exam=other_exam)
    with pytest.raises(services.NotFoundError):
        decide(proctor, ended, Decision.CONTINUE, DecisionCategory.NO_VIOLATION)
    assert Attempt.objects.get(pk=ended.attempt.pk).decision == Decision.PENDING


def test_an_assignment_stops_counting_when_the_role_is_taken_away(ended, exam_proctor):
    exam_proctor.groups.clear()
    exam_proctor.add_role(Role.GRADER)
    with pytest.raises(PermissionDeniedError):
        decide(exam_proctor, ended)


def test_a_sitting_in_progress_cannot_be_decided(sitting, exam_proctor):
    """The defect: a proctor could cancel a student still writing."""
    with pytest.raises(DomainError) as exc:
        decide(exam_proctor, sitting, Decision.CANCEL, DecisionCategory.OTHER, "x", NOW + MINUTE)
    assert exc.value.message == services.ERR_STILL_IN_PROGRESS
    attempt = sitting.reload()
    assert (attempt.status, attempt.decision) == (AttemptStatus.IN_PROGRESS, Decision.NONE)
    assert not DecisionProposal.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="attempt.decision").exists()


@pytest.mark.parametrize("who", ["student", "teacher", "head", "outsider"])
def test_others_may_not_decide(world, ended, who):
    with pytest.raises(PermissionDeniedError) as exc:
        decide(getattr(world, who), ended)
    assert exc.value.message == services.ERR_NOT_DECIDER


def test_a_grader_of_the_exam_may_not_decide(ended, exam_grader):
    with pytest.raises(PermissionDeniedError):
        decide(exam_grader, ended)


def test_an_unknown_sitting_is_not_found(exam_proctor):
    with pytest.raises(services.NotFoundError):
        services.attempt_decide(
            actor=exam_proctor,
            attempt_id=987654,
            decision=Decision.CONTINUE,
            category=DecisionCategory.NO_VIOLATION,
        )


# --- the reason category and the comment ----------------------------------------------------


@pytest.mark.parametrize("decision", ["pending", "", "accept"])
def test_only_the_three_decisions_exist(ended, exam_proctor, decision):
    with pytest.raises(ValidationFailed) as exc:
        decide(exam_proctor, ended, decision=decision)
    assert exc.value.errors == {"decision": [services.ERR_DECISION_UNKNOWN]}


@pytest.mark.parametrize(
    ("decision", "category"),
    [
        (Decision.CONTINUE, DecisionCategory.ANOTHER_PERSON),
        (Decision.CANCEL, DecisionCategory.NO_VIOLATION),
        (Decision.POSTPONE, DecisionCategory.COMMUNICATION),
        (Decision.CANCEL, ""),
        (Decision.CONTINUE, "made-up"),
    ],
)
def test_the_category_must_be_one_of_the_decisions(ended, exam_proctor, decision, category):
    with pytest.raises(ValidationFailed) as exc:
        decide(exam_proctor, ended, decision, category, "a comment")
    assert exc.value.errors == {"category": [services.ERR_CATEGORY_UNKNOWN]}


def test_every_category_list_ends_with_other_and_every_code_is_used():
    used = {code for codes in DECISION_CATEGORIES.values() for code in codes}
    assert used == set(DecisionCategory.values)
    assert all(codes[-1] == DecisionCategory.OTHER for codes in DECISION_CATEGORIES.values())


@pytest.mark.parametrize(
    ("decision", "category"),
    [
        (Decision.CANCEL, DecisionCategory.ANOTHER_PERSON),
        (Decision.POSTPONE, DecisionCategory.TECHNICAL_FAILURE),
        (Decision.CONTINUE, DecisionCategory.OTHER),
    ],
)
def test_a_comment_is_required_for_cancel_postpone_and_other(
    ended, exam_proctor, decision, category
):
    with pytest.raises(ValidationFailed) as exc:
        decide(exam_proctor, ended, decision, category, "   ")
    assert exc.value.errors == {"comment": [services.ERR_COMMENT_REQUIRED]}
    assert not DecisionProposal.objects.exists()


def test_a_comment_is_at_most_2000_characters(ended, exam_proctor):
    with pytest.raises(ValidationFailed) as exc:
        decide(exam_proctor, ended, comment="x" * 2001)
    assert exc.value.errors == {"comment": [services.ERR_COMMENT_TOO_LONG]}


def test_a_changed_decision_records_the_previous_one(ended, exam_proctor):
    decide(exam_proctor, ended, Decision.CONTINUE, DecisionCategory.NO_VIOLATION, "")
    decide(exam_proctor, ended, Decision.CONTINUE, DecisionCategory.OTHER, "Re-checked")
    last = AuditEntry.objects.filter(action="attempt.decide").order_by("-seq").first()
    assert last is not None and last.data["previous"] == "continue"


def test_a_proctor_without_the_role_cannot_be_assigned(world, exam):
    from emtihan.exams import assignments

    nobody = make_user("nobody@test.local")
    with pytest.raises(ValidationFailed) as exc:
        assignments.proctor_assign(actor=world.registrar, user=nobody, exam=exam)
    assert exc.value.errors == {"user": [assignments.ERR_NOT_PROCTOR]}


# --- the student's mail -------------------------------------------------------------------


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ru", ["Решение по экзамену", "Аннулировано", "Присутствовал другой человек"]),
        ("kk", ["Емтихан", "Күші жойылды", "Басқа адам болды"]),
        ("en", ["Decision on your exam", "Cancelled", "Another person was present"]),
    ],
)
def test_a_final_decision_is_mailed_by_a_task_in_the_students_language(
    ended, exam_proctor, second_proctor, language, words
):
    from django_tasks import default_task_backend

    default_task_backend.clear()
    ended.user.language = language
    ended.user.save(update_fields=["language"])
    proposal = decide(
        exam_proctor, ended, Decision.CANCEL, DecisionCategory.ANOTHER_PERSON, "Two faces"
    ).proposal
    assert default_task_backend.results == []  # a proposal tells the student nothing
    review(second_proctor, proposal)

    (queued,) = default_task_backend.results
    assert queued.task.name == decision_mail.name
    assert queued.kwargs == {"attempt_id": ended.attempt.pk, "decided_at": LATER.isoformat()}
    assert mail.outbox == []  # the request only enqueued it
    assert decision_mail.call(**queued.kwargs) is True  # what the worker does
    (sent,) = mail.outbox
    assert sent.to == [ended.user.email]
    text = sent.subject + "\n" + sent.body
    for word in words:
        assert word in text, (word, text)
    assert "Two faces" in sent.body
    assert "/sitting/exams/" in sent.body


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_a_mail_about_a_replaced_decision_is_not_sent(ended, exam_proctor):
    from django_tasks import default_task_backend

    default_task_backend.clear()
    decide(exam_proctor, ended, Decision.CONTINUE, DecisionCategory.NO_VIOLATION, "")
    decide(exam_proctor, ended, Decision.CONTINUE, DecisionCategory.OTHER, "Re-checked", LATER)
    first, second = default_task_backend.results
    assert decision_mail.call(**first.kwargs) is False
    assert decision_mail.call(**second.kwargs) is True
    assert len(mail.outbox) == 1 and "Re-checked" in mail.outbox[0].body
