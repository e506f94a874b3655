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

from django.db import models
from django.utils.translation import gettext_lazy as _

from emtihan.exams.models import Exam, Question
from emtihan.university.models import Student


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
    # [{"q": question_id, "options": ["b", "a", ...]}, ...]
    seed = models.BigIntegerField()
    layout = models.JSONField(default=list)
    # Technical absence: seconds without a heartbeat beyond the grace period.
    last_seen_at = models.DateTimeField()
    absence_seconds = models.PositiveIntegerField(default=0)
    decision = models.CharField(
        max_length=16, choices=Decision.choices, default=Decision.NONE, blank=True
    )
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
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


class Answer(models.Model):
    """The working copy of one question's answer: the draft and the last sent version.

    ``draft_version`` counts every accepted save or send; a request based on another
    value is stale (someone — another tab, another device — saved in between).
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    draft = models.JSONField(default=dict)
    draft_version = models.PositiveIntegerField(default=0)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    # The idempotency key of the last accepted request, so a retry is acknowledged
    # instead of being refused as stale.
    last_request_key = models.CharField(max_length=64, blank=True)
    sent_number = models.PositiveIntegerField(default=0)
    sent_draft_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}"


class AnswerVersion(models.Model):
    """An immutable sent version of an answer: what the receipt refers to."""

    answer = models.ForeignKey(Answer, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    digest = models.CharField(max_length=64)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("answer version")
        verbose_name_plural = _("answer versions")
        constraints = [
            models.UniqueConstraint(fields=["answer", "number"], name="unique_answer_version")
        ]

    def __str__(self) -> str:
        return f"{self.answer_id} v{self.number}"
