"""One student's sitting of one exam, and the answers in it.

Invariants (docs/ARCHITECTURE.md, DESIGN.md 1-5):
- the deadline is fixed on the server at start: ``min(start + duration + extra, window close)``;
  reconnecting never moves it;
- a draft save or a send names the version it was based on; a stale base is refused
  with the current content, never applied over it;
- every send makes an immutable, numbered ``AnswerVersion`` with a digest (the receipt);
- technical absence (gaps between heartbeats) is summed on the server; passing the cap
  marks the attempt for a human decision.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from emtihan.exams.models import Exam, Question
from emtihan.university.models import Student

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

    from emtihan.accounts.models import User

# A retry of an accepted request is recognised by its key; the key is stored with a
# prefix naming the operation ("d:" draft, "s:" send) so that a send never passes for a
# retry of a draft save that used the same key.
REQUEST_KEY_MAX_LENGTH = 64

# Technical absence (docs/EXAM-SITTING.md, invariant 6): a gap between two requests longer
# than the grace adds ``gap - grace`` seconds.
GRACE_SECONDS = 60
# A request writes ``last_seen_at`` only when the stored value is at least this old: with a
# heartbeat every 30 s and a save every 10 s this makes at most one presence write per
# 20 s per student instead of one per request, and it loses nothing: a gap shorter than
# 20 s is far inside the grace, so it can never count as absence.
PRESENCE_WRITE_SECONDS = 20


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    FINISHED = "finished", _("Finished")
    TIMED_OUT = "timed_out", _("Time is over")


class Decision(models.TextChoices):
    NONE = "", _("No decision needed")
    PENDING = "pending", _("Waiting for a decision")
    CONTINUE = "continue", _("Accepted: the work counts")
    CANCEL = "cancel", _("Cancelled")
    POSTPONE = "postpone", _("Postponed to another day")


# A final decision: the student is told, the retention clock starts (docs/EXAM-SITTING.md).
FINAL_DECISIONS = (Decision.CONTINUE, Decision.CANCEL, Decision.POSTPONE)
# These two need a second reviewer: the first person's choice is a proposal until another
# proctor of the exam or the exam office confirms it (``DecisionProposal``).
SECOND_REVIEW_DECISIONS = (Decision.CANCEL, Decision.POSTPONE)


class DecisionCategory(models.TextChoices):
    """Why a sitting was decided so: a fixed list, stored as a code (the student reads it
    in their language). ``DECISION_CATEGORIES`` says which codes go with which decision."""

    # accept
    NO_VIOLATION = "no_violation", _("No violation confirmed")
    MINOR_EXPLAINED = "minor_explained", _("A minor irregularity, explained")
    TECHNICAL_ONLY = "technical_only", _("Technical issues only: the work is complete")
    # cancel
    IDENTITY_NOT_CONFIRMED = "identity_not_confirmed", _("Identity not confirmed")
    ANOTHER_PERSON = "another_person", _("Another person was present")
    UNAUTHORISED_MATERIALS = "unauthorised_materials", _("Unauthorised materials or device")
    COMMUNICATION = "communication", _("Communication with others")
    LEFT_UNANNOUNCED = "left_unannounced", _("Left without announcing it")
    TECHNICAL_INVALID = "technical_invalid", _("Technical problems made the sitting invalid")
    # postpone
    TECHNICAL_FAILURE = "technical_failure", _("Technical failure")
    ILLNESS_EMERGENCY = "illness_emergency", _("Illness or emergency")
    EVIDENCE_INSUFFICIENT = "evidence_insufficient", _("Proctoring evidence insufficient")
    # any decision; the comment says what
    OTHER = "other", _("Other (see the comment)")


DECISION_CATEGORIES: dict[str, tuple[str, ...]] = {
    Decision.CONTINUE: (
        DecisionCategory.NO_VIOLATION,
        DecisionCategory.MINOR_EXPLAINED,
        DecisionCategory.TECHNICAL_ONLY,
        DecisionCategory.OTHER,
    ),
    Decision.CANCEL: (
        DecisionCategory.IDENTITY_NOT_CONFIRMED,
        DecisionCategory.ANOTHER_PERSON,
        DecisionCategory.UNAUTHORISED_MATERIALS,
        DecisionCategory.COMMUNICATION,
        DecisionCategory.LEFT_UNANNOUNCED,
        DecisionCategory.TECHNICAL_INVALID,
        DecisionCategory.OTHER,
    ),
    Decision.POSTPONE: (
        DecisionCategory.TECHNICAL_FAILURE,
        DecisionCategory.ILLNESS_EMERGENCY,
        DecisionCategory.EVIDENCE_INSUFFICIENT,
        DecisionCategory.OTHER,
    ),
}
DECISION_COMMENT_MAX_LENGTH = 2000
# A proposal as the reviewers read it: what would be done.
PROPOSAL_LABELS: dict[str, StrOrPromise] = {
    Decision.CANCEL: _("Cancel the work"),
    Decision.POSTPONE: _("Postpone the exam"),
}


class Attempt(models.Model):
    """A student's sitting. One per student and exam."""

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="attempts")
    status = models.CharField(
        max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # The student's questions and option orders, fixed at start from ``seed``:
    # [{"q": question_id, "kind": "single", "options": ["b", "a", ...]}, ...]
    # ``kind`` is copied in at start so that a draft save can check the content's shape
    # without reading the question (the hot path).
    seed = models.BigIntegerField()
    layout = models.JSONField(default=list)
    # Technical absence (seconds) without a heartbeat beyond the 60 s grace period.
    # ``last_seen_at`` is written at most every ~20 s (PRESENCE_WRITE_SECONDS).
    last_seen_at = models.DateTimeField()
    absence_seconds = models.PositiveIntegerField(default=0)
    decision = models.CharField(
        max_length=16, choices=Decision.choices, default=Decision.NONE, blank=True
    )
    # The final decision: its category (``DecisionCategory``), the comment
    # (``decision_reason``), who made it (for a cancel or postpone: who proposed it) and
    # who confirmed it as the second reviewer, and when it became final.
    decision_category = models.CharField(
        max_length=32, choices=DecisionCategory.choices, blank=True
    )
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_confirmed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(fields=["exam", "student"], name="one_attempt_per_student")
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.exam} · {self.student}"

    # --- rules about this row (the services add the audit entries and the answers) ---------

    def absence_until(self, moment: dt.datetime) -> int:
        """Seconds of technical absence from the last request seen to ``moment``: the gap
        beyond the grace, 0 for a shorter one."""
        gap = (moment - self.last_seen_at).total_seconds()
        return int(gap - GRACE_SECONDS) if gap > GRACE_SECONDS else 0

    def needs_decision(self) -> bool:
        """Past the exam's absence cap, and nobody has been asked to decide yet."""
        return (
            self.decision == Decision.NONE and self.absence_seconds > self.exam.absence_cap_seconds
        )

    def touch(self, now: dt.datetime) -> bool:
        """Record that the student is here (any request of theirs counts): ``last_seen_at``
        becomes ``now`` and the gap beyond the grace is added to the absence. Writes at
        most once every PRESENCE_WRITE_SECONDS.

        Returns True when this took the attempt past its absence cap with no decision asked
        for yet: the caller then asks (``mark_pending``, with its audit entry).
        """
        if self.status != AttemptStatus.IN_PROGRESS:
            return False
        if (now - self.last_seen_at).total_seconds() < PRESENCE_WRITE_SECONDS:
            return False
        extra = self.absence_until(now)
        # No row lock (this is the hot path); the UPDATE is conditional on what was read.
        # Race: two requests of one student (a heartbeat and a save, two tabs) that read
        # the same ``last_seen_at`` would both add the same gap; only the first matches.
        # Race: the time-out lock ending the attempt between our read and this write has
        # already counted the gap; ``status`` no longer matches, so it is not added twice.
        updated = Attempt.objects.filter(
            pk=self.pk, last_seen_at=self.last_seen_at, status=AttemptStatus.IN_PROGRESS
        ).update(last_seen_at=now, absence_seconds=F("absence_seconds") + extra)
        if not updated:
            return False
        self.last_seen_at = now
        self.absence_seconds += extra
        return bool(extra) and self.needs_decision()

    def mark_pending(self) -> bool:
        """Ask a person to decide on this sitting (its absence passed the cap). True only
        for the call that asked."""
        # Race: two requests past the cap at once; the conditional UPDATE lets one of them
        # mark it, so the audit log says it once.
        marked = Attempt.objects.filter(pk=self.pk, decision=Decision.NONE).update(
            decision=Decision.PENDING
        )
        self.decision = Decision.PENDING
        return bool(marked)

    @classmethod
    def lock_for_decision(cls, attempt_id: int) -> Attempt:
        """The attempt under its row lock, for a decision or a proposal's review. Call it
        inside a transaction; lock order: the attempt, then its proposals.

        Race: two proctors deciding at once (an accept and a confirmation, two
        confirmations of one proposal, a proposal and an accept) would each read the old
        decision and write theirs, the audit naming the wrong "previous" one and two
        proposals opening; under the lock the second reads what the first wrote. It also
        orders a decision after a finish or time-out in flight (``close`` takes the same
        lock), so the status read here is the one the decision applies to.
        """
        return cls.objects.select_for_update(of=("self",)).select_related("exam").get(pk=attempt_id)

    def apply_decision(
        self,
        *,
        decision: str,
        category: str,
        comment: str,
        decided_by: User,
        confirmed_by: User | None,
        now: dt.datetime,
    ) -> str:
        """Make ``decision`` final on this row (taken with ``lock_for_decision``); returns
        the decision it replaced."""
        previous = self.decision
        self.decision = decision
        self.decision_category = category
        self.decision_reason = comment
        self.decided_by = decided_by
        self.decision_confirmed_by = confirmed_by
        self.decided_at = now
        self.save(
            update_fields=[
                "decision",
                "decision_category",
                "decision_reason",
                "decided_by",
                "decision_confirmed_by",
                "decided_at",
            ]
        )
        return previous

    @property
    def decision_is_final(self) -> bool:
        return self.decision in FINAL_DECISIONS

    @classmethod
    def lock_status(cls, attempt_id: int) -> str:
        """Take the attempt's row lock and return its status. Call it inside a transaction
        before inserting an attempt's first answer row.

        Race: the time-out lock (``close``) takes this row lock before it collects the
        answers; an answer row inserted under the same lock either exists when the lock
        collects (and is made final) or finds the attempt already closed.
        """
        return (
            cls.objects.select_for_update()
            .filter(pk=attempt_id)
            .values_list("status", flat=True)
            .get()
        )

    @classmethod
    def close(cls, attempt_id: int, *, status: str, now: dt.datetime) -> Closing | None:
        """End the attempt (``status``: finished or timed out) exactly once; None when it
        had already ended. Call it inside a transaction: the row lock it takes is held
        until the caller has made the answers final and recorded the end.

        A time-out ends at the deadline, however late the lock runs; a finish ends now and
        counts as a heartbeat. The last gap is added to the absence, and past the cap the
        attempt waits for a decision.
        """
        # Race: the student's Finish, the lock job and a request's lazy time-out lock can
        # all try to end the same attempt; under the row lock the first one ends it and
        # the others read it ended. Lock order everywhere: the attempt, then its answers.
        attempt = (
            cls.objects.select_for_update(of=("self",))
            .select_related("exam")
            .filter(pk=attempt_id)
            .first()
        )
        if attempt is None or attempt.status != AttemptStatus.IN_PROGRESS:
            return None
        end = attempt.deadline if status == AttemptStatus.TIMED_OUT else now
        absence_added = attempt.absence_until(end)
        attempt.absence_seconds += absence_added
        pending = attempt.needs_decision()
        if pending:
            attempt.decision = Decision.PENDING
        if status == AttemptStatus.FINISHED:
            attempt.last_seen_at = now
        attempt.status = status
        attempt.finished_at = end
        attempt.save(
            update_fields=["status", "finished_at", "absence_seconds", "decision", "last_seen_at"]
        )
        return Closing(attempt=attempt, end=end, absence_added=absence_added, pending=pending)


@dataclass(frozen=True)
class Closing:
    """What ``Attempt.close`` did: the attempt as ended, when it ended, the absence seconds
    the last gap added, and whether that took it past the cap (now waiting for a decision)."""

    attempt: Attempt
    end: dt.datetime
    absence_added: int
    pending: bool


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a second reviewer")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class DecisionProposal(models.Model):
    """A cancel or postpone proposed by one reviewer, waiting for a second one (another
    proctor of the exam, or the exam office) to confirm it, which makes it the sitting's
    decision, or reject it, which leaves the sitting as it was; the note stays here.

    Proposals are never deleted: together they are the sitting's decision history. The
    student never sees one that is open or rejected.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="proposals")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    category = models.CharField(max_length=32, choices=DecisionCategory.choices)
    comment = models.TextField()
    proposed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    reviewed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("decision proposal")
        verbose_name_plural = _("decision proposals")
        constraints = [
            # One open proposal per sitting: the database's guard behind the row lock.
            models.UniqueConstraint(
                fields=["attempt"],
                condition=models.Q(status="open"),
                name="one_open_proposal_per_attempt",
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.decision} ({self.status})"

    @property
    def proposed_label(self) -> str:
        """What was proposed, as the reviewers read it ("Cancel the work")."""
        return str(PROPOSAL_LABELS.get(self.decision, self.get_decision_display()))

    def close(self, *, status: str, reviewer: User, note: str, now: dt.datetime) -> None:
        """Confirm or reject this proposal. Call it with the attempt's row lock held
        (``Attempt.lock_for_decision``), after reading the proposal under it.

        Race: two reviewers answering one proposal at once (a confirm and a reject, or
        two confirms) would both find it open and both act; under the attempt's lock the
        second finds it closed."""
        self.status = status
        self.reviewed_by = reviewer
        self.reviewed_at = now
        self.review_note = note
        self.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])


class Answer(models.Model):
    """The working copy of one question's answer: the draft and the last sent version.

    ``draft_version`` counts every accepted save or send; a request based on another
    value is stale (someone — another tab, another device — saved in between).
    The digests are SHA-256 (hex) of the canonical JSON of the content; the draft is
    "edited" when they differ. ``locked`` is set on every answer when the attempt ends:
    a draft save is a conditional UPDATE ``WHERE locked = false``, so a save that raced
    the time-out lock is refused instead of landing after the final version was taken.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    draft = models.JSONField(default=dict)
    draft_digest = models.CharField(max_length=64, blank=True)
    draft_version = models.PositiveIntegerField(default=0)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    # The idempotency key of the last accepted request (with its operation prefix), so
    # a retry is acknowledged instead of being refused as stale.
    last_request_key = models.CharField(max_length=REQUEST_KEY_MAX_LENGTH + 2, blank=True)
    # The last sent version, copied here so a receipt needs no second read.
    sent_number = models.PositiveIntegerField(default=0)
    sent_digest = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    locked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}"


class AnswerVersion(models.Model):
    """An immutable sent version of an answer: what the receipt refers to.

    ``auto`` marks a version the server made when the attempt ended (the exam's time-out
    policy: the last draft, or an empty answer), not one the student sent.
    """

    answer = models.ForeignKey(Answer, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    digest = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    auto = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("answer version")
        verbose_name_plural = _("answer versions")
        constraints = [
            models.UniqueConstraint(fields=["answer", "number"], name="unique_answer_version")
        ]

    def __str__(self) -> str:
        return f"{self.answer_id} v{self.number}"


class Picture(models.Model):
    """A picture (drawing, photo of a sketch) uploaded into one attempt's written answers.

    The file is the server's re-encoding (PNG or JPEG, no metadata), never the upload
    itself; it is served only through views that check who asks (``policy.attempts``):
    ``attempts:picture`` (the path written into the student's answer; it names the
    attempt) and ``attempts:picture_by_key``, whose random ``key`` names nothing, for
    graders, who must never be able to tell whose work they mark.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="pictures")
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(max_length=255)
    content_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField()  # pixels
    height = models.PositiveIntegerField()  # pixels
    size = models.PositiveIntegerField()  # bytes, after re-encoding
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("picture")
        verbose_name_plural = _("pictures")

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.pk}"
