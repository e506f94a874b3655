"""A person's decision on a sitting that has ended: accept the work, cancel it, or
postpone the exam, each with a reason category and a comment (docs/EXAM-SITTING.md,
"Decisions"). The absence-cap decision is this same flow.

- Accept is final at once, except over a cancel or postpone that two people made: undoing
  it needs two people as well (a proposal, as below).
- Cancel and postpone need a second reviewer: the first person's choice is a
  ``DecisionProposal``; another proctor of the exam or the exam office confirms it (then
  it is final) or rejects it with a note (the sitting stays as it was, the note is kept).
  Nobody confirms their own proposal (``policy.attempts.may_confirm_proposal``).
- A final decision is mailed to the student in their language by a background task
  (``notifications.decision_mail``), enqueued in the decision's transaction.

Every write takes the attempt's row lock first (``Attempt.lock_for_decision``) and
writes its audit entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.policy import attempts as policy

from ..models import (
    DECISION_CATEGORIES,
    DECISION_COMMENT_MAX_LENGTH,
    FINAL_DECISIONS,
    SECOND_REVIEW_DECISIONS,
    Attempt,
    AttemptStatus,
    DecisionCategory,
    DecisionProposal,
    ProposalStatus,
)
from ..notifications import decision_mail
from .closing import lock_if_expired
from .rules import (
    ERR_ATTEMPT_NOT_FOUND,
    ERR_CATEGORY_UNKNOWN,
    ERR_COMMENT_REQUIRED,
    ERR_COMMENT_TOO_LONG,
    ERR_DECISION_UNKNOWN,
    ERR_NOT_DECIDER,
    ERR_NOTE_REQUIRED,
    ERR_OWN_PROPOSAL,
    ERR_PROPOSAL_CLOSED,
    ERR_PROPOSAL_NOT_FOUND,
    ERR_PROPOSAL_OPEN,
    ERR_REVIEW_UNKNOWN,
    ERR_STILL_IN_PROGRESS,
    NotFoundError,
)

DECISIONS = FINAL_DECISIONS
REVIEW_ACTIONS = ("confirm", "reject")


@dataclass(frozen=True)
class DecisionResult:
    """What ``attempt_decide`` did: the attempt (with its decision when it is final) and,
    for a cancel or postpone, the proposal now waiting for a second reviewer."""

    attempt: Attempt
    proposal: DecisionProposal | None

    @property
    def final(self) -> bool:
        return self.proposal is None


def comment_needed(decision: str, category: str) -> bool:
    """A cancel, a postpone and the category "other" need a comment; an accept for a
    listed reason does not."""
    return decision in SECOND_REVIEW_DECISIONS or category == DecisionCategory.OTHER


def needs_second_reviewer(decision: str, current: str) -> bool:
    """A cancel or postpone needs a second reviewer; so does any decision that would
    replace a final cancel or postpone (one person may not undo what two decided)."""
    return decision in SECOND_REVIEW_DECISIONS or current in SECOND_REVIEW_DECISIONS


def _check_decision(decision: str, category: str, comment: str) -> None:
    errors: dict[str, list[str]] = {}
    if decision not in DECISIONS:
        errors["decision"] = [_(ERR_DECISION_UNKNOWN)]
    elif category not in DECISION_CATEGORIES[decision]:
        errors["category"] = [_(ERR_CATEGORY_UNKNOWN)]
    if len(comment) > DECISION_COMMENT_MAX_LENGTH:
        errors["comment"] = [_(ERR_COMMENT_TOO_LONG)]
    elif not comment and comment_needed(decision, category):
        errors["comment"] = [_(ERR_COMMENT_REQUIRED)]
    if errors:
        raise ValidationFailed(errors)


def _attempt_in_scope(actor: User, attempt_id: int) -> Attempt:
    found = Attempt.objects.filter(pk=attempt_id).first()
    if found is None or not policy.may_decide(actor, found):
        raise NotFoundError(_(ERR_ATTEMPT_NOT_FOUND))
    return found


def _open_proposal(attempt: Attempt) -> DecisionProposal | None:
    return (
        DecisionProposal.objects.select_for_update()
        .filter(attempt=attempt, status=ProposalStatus.OPEN)
        .first()
    )


def _notify_student(attempt: Attempt, now: dt.datetime) -> None:
    """Enqueue the student's mail, in the decision's transaction: with the database
    backend the task row commits with the decision, or not at all. ``now`` is the
    decision's ``decided_at``: the task mails only the decision it was enqueued for."""
    decision_mail.enqueue(attempt_id=attempt.pk, decided_at=now.isoformat())


def attempt_decide(
    *,
    actor: User,
    attempt_id: int,
    decision: str,
    category: str,
    comment: str = "",
    now: dt.datetime | None = None,
) -> DecisionResult:
    """A proctor's or the exam office's decision on a sitting that has ended.

    ``continue`` (accept) is final at once and the student is told; ``cancel`` and
    ``postpone``, and an accept over a final cancel or postpone, open a proposal for a
    second reviewer (``attempt_proposal_review``).
    Only proctors of the sitting's exam and staff decide (a sitting outside the scope is
    "not found"), only once it has ended (``ERR_STILL_IN_PROGRESS``), and not while a
    proposal on it waits for its second reviewer (``ERR_PROPOSAL_OPEN``). A sitting past
    its deadline is locked first, as any request does."""
    now = now or timezone.now()
    if not policy.may_open_decisions(actor):
        raise PermissionDeniedError(_(ERR_NOT_DECIDER))
    category = (category or "").strip()
    comment = (comment or "").strip()
    _check_decision(decision, category, comment)
    found = _attempt_in_scope(actor, attempt_id)
    lock_if_expired(found, now)
    with transaction.atomic():
        attempt = Attempt.lock_for_decision(attempt_id)
        if attempt.status == AttemptStatus.IN_PROGRESS:
            raise DomainError(_(ERR_STILL_IN_PROGRESS))
        if _open_proposal(attempt) is not None:
            raise DomainError(_(ERR_PROPOSAL_OPEN))
        if needs_second_reviewer(decision, attempt.decision):
            proposal = DecisionProposal.objects.create(
                attempt=attempt,
                decision=decision,
                category=category,
                comment=comment,
                proposed_by=actor,
                proposed_at=now,
            )
            audit_record(
                actor=actor,
                action="attempt.decision_propose",
                obj=attempt,
                data={
                    "proposal": proposal.pk,
                    "decision": decision,
                    "category": category,
                    "comment": comment,
                    "current": attempt.decision,
                },
            )
            return DecisionResult(attempt=attempt, proposal=proposal)
        previous = attempt.apply_decision(
            decision=decision,
            category=category,
            comment=comment,
            decided_by=actor,
            confirmed_by=None,
            now=now,
        )
        audit_record(
            actor=actor,
            action="attempt.decide",
            obj=attempt,
            data={
                "decision": decision,
                "previous": previous,
                "category": category,
                "comment": comment,
            },
        )
        _notify_student(attempt, now)
    return DecisionResult(attempt=attempt, proposal=None)


def attempt_proposal_review(
    *,
    actor: User,
    proposal_id: int,
    action: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> DecisionProposal:
    """The second reviewer's answer to a proposed cancel or postpone.

    ``confirm``: the proposal becomes the sitting's decision (decided by its proposer,
    confirmed by ``actor``) and the student is told; the proposer may not confirm their
    own (``ERR_OWN_PROPOSAL``). ``reject``: the sitting stays as it was, with ``note``
    (required) kept on the proposal; the proposer may reject their own (a withdrawal).
    A proposal already answered is refused (``ERR_PROPOSAL_CLOSED``)."""
    now = now or timezone.now()
    if not policy.may_open_decisions(actor):
        raise PermissionDeniedError(_(ERR_NOT_DECIDER))
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if action not in REVIEW_ACTIONS:
        errors["action"] = [_(ERR_REVIEW_UNKNOWN)]
    elif action == "reject" and not note:
        errors["note"] = [_(ERR_NOTE_REQUIRED)]
    if len(note) > DECISION_COMMENT_MAX_LENGTH:
        errors["note"] = [_(ERR_COMMENT_TOO_LONG)]
    if errors:
        raise ValidationFailed(errors)
    found = DecisionProposal.objects.select_related("attempt__exam").filter(pk=proposal_id).first()
    if found is None or not policy.may_reject_proposal(actor, found):
        raise NotFoundError(_(ERR_PROPOSAL_NOT_FOUND))
    if action == "confirm" and not policy.may_confirm_proposal(actor, found):
        raise PermissionDeniedError(_(ERR_OWN_PROPOSAL))
    with transaction.atomic():
        # Lock order: the attempt, then the proposal (as ``attempt_decide``).
        attempt = Attempt.lock_for_decision(found.attempt_id)
        proposal = DecisionProposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.status != ProposalStatus.OPEN:
            raise DomainError(_(ERR_PROPOSAL_CLOSED))
        status = ProposalStatus.CONFIRMED if action == "confirm" else ProposalStatus.REJECTED
        proposal.close(status=status, reviewer=actor, note=note, now=now)
        data = {
            "proposal": proposal.pk,
            "decision": proposal.decision,
            "category": proposal.category,
            "proposed_by": proposal.proposed_by_id,
            "note": note,
        }
        if action == "reject":
            audit_record(
                actor=actor,
                action="attempt.decision_reject",
                obj=attempt,
                data={**data, "withdrawn": actor.pk == proposal.proposed_by_id},
            )
            return proposal
        previous = attempt.apply_decision(
            decision=proposal.decision,
            category=proposal.category,
            comment=proposal.comment,
            decided_by=proposal.proposed_by,
            confirmed_by=actor,
            now=now,
        )
        audit_record(
            actor=actor,
            action="attempt.decision_confirm",
            obj=attempt,
            data={**data, "previous": previous, "comment": proposal.comment},
        )
        _notify_student(attempt, now)
    proposal.attempt = attempt
    return proposal
