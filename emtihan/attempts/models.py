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

# A retry of an accepted request is recognised by its key; the key is stored with a
# prefix naming the operation ("d:" draft, "s:" send) so that a send never passes for a
# retry of a draft save that used the same key.
REQUEST_KEY_MAX_LENGTH = 64


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
    # [{"q": question_id, "kind": "single", "options": ["b", "a", ...]}, ...]
    # ``kind`` is copied in at start so that a draft save can check the content's shape
    # without reading the question (the hot path).
    seed = models.BigIntegerField()
    layout = models.JSONField(default=list)
    # Technical absence (seconds) without a heartbeat beyond the 60 s grace period.
    # ``last_seen_at`` is written at most every ~20 s (see services.PRESENCE_WRITE_SECONDS).
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
    itself; it is served only through ``attempts:picture``, which checks who asks.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="pictures")
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
