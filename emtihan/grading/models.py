"""Marking by code and results (docs/GRADING.md).

- ``GradeScale`` / ``GradeBand``: the scale that turns a percentage into a letter, GPA
  points and a traditional mark, stored as data (the Kazakh credit system is the default,
  written by a data migration; a university edits it in the admin).
- ``Work``: one ended attempt as the graders see it: by its random ``code`` only. It
  holds the marking state, and, once released, the result as it was computed then (a
  later edit of the scale never changes a released grade).
- ``Mark``: the points and comment one question of a work earned; ``auto_points`` is what
  the auto-grader gave a closed question, kept when a grader overrides it (with a reason).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from emtihan.attempts.models import Attempt
from emtihan.exams.models import Exam, Question

if TYPE_CHECKING:
    from emtihan.accounts.models import User

# The marking code: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L),
# 31^8 ~ 8.5e11 codes, drawn with ``secrets``; unique across all works.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
COMMENT_MAX_LENGTH = 2000


class Traditional(models.TextChoices):
    """The traditional mark a letter corresponds to (read in the student's language)."""

    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    SATISFACTORY = "satisfactory", _("Satisfactory")
    UNSATISFACTORY = "unsatisfactory", _("Unsatisfactory")


class GradeScale(models.Model):
    """A grading scale: its bands cover 0..100 per cent without gaps (checked by
    ``grading.scale.check_bands``). ``is_default`` marks the one in use."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("in use"), default=False)

    class Meta:
        verbose_name = _("grade scale")
        verbose_name_plural = _("grade scales")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_scale"
            )
        ]

    def __str__(self) -> str:
        return self.name


class GradeBand(models.Model):
    """One letter of a scale: whole percentages ``min_percent..max_percent`` inclusive."""

    scale = models.ForeignKey(GradeScale, on_delete=models.CASCADE, related_name="bands")
    letter = models.CharField(_("letter"), max_length=4)
    min_percent = models.PositiveSmallIntegerField(_("from, %"))
    max_percent = models.PositiveSmallIntegerField(_("to, %"))
    gpa = models.DecimalField(_("GPA points"), max_digits=3, decimal_places=2)
    traditional = models.CharField(
        _("traditional mark"), max_length=16, choices=Traditional.choices
    )

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["-max_percent"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "letter"], name="one_band_per_letter")
        ]

    def __str__(self) -> str:
        return f"{self.letter} {self.min_percent}-{self.max_percent}"


@dataclass(frozen=True)
class Band:
    """A band as read once from the database (``grading.scale.bands_of``)."""

    letter: str
    min_percent: int
    max_percent: int
    gpa: Decimal
    traditional: str


class WorkState(models.TextChoices):
    UNMARKED = "unmarked", _("Unmarked")
    IN_PROGRESS = "in_progress", _("In progress")
    MARKED = "marked", _("Marked")
    TO_SETTLE = "to_settle", _("To settle")


class Work(models.Model):
    """An ended attempt under its marking code. Graders reach it by ``exam`` + ``code``
    and never see ``attempt`` (nor anything of the student's). Created lazily for every
    ended attempt when the pile is read (``grading.services.works_ensure``).

    ``revision`` counts the saves of its marks: a save based on another revision is
    refused (two graders on one work, two tabs), never applied over the other's marks.
    The ``result_*`` fields are written once, at release."""

    attempt = models.OneToOneField(Attempt, on_delete=models.PROTECT, related_name="work")
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="works")
    code = models.CharField(max_length=CODE_LENGTH, unique=True)
    state = models.CharField(max_length=16, choices=WorkState.choices, default=WorkState.UNMARKED)
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    marked_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The result as released: points (2 places), the maximum, the whole percentage
    # (rounded half up), and the scale's band at that moment.
    result_points = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    result_max = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    result_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    result_letter = models.CharField(max_length=4, blank=True)
    result_gpa = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    result_traditional = models.CharField(max_length=16, choices=Traditional.choices, blank=True)
    # Second marking: who settled a difference between the two graders, when and why.
    settled_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    settle_reason = models.TextField(blank=True)
    # When its answers were scanned for identifying marks (``grading.identifying``).
    scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("work")
        verbose_name_plural = _("works")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def released(self) -> bool:
        return self.released_at is not None

    @classmethod
    def lock(cls, work_id: int) -> Work:
        """The work under its row lock (inside a transaction).

        Race: two graders saving one work, or a save and the release, would each read the
        old revision and state; under the lock the second reads what the first wrote (a
        stale save is refused, a mark never lands on a work just released)."""
        return cls.objects.select_for_update().get(pk=work_id)

    def release(
        self,
        *,
        by: User,
        now: dt.datetime,
        points: Decimal,
        maximum: Decimal,
        percent: int | None,
        band: Band | None,
    ) -> None:
        """Freeze the result on this row (taken with ``lock``)."""
        self.released_at = now
        self.released_by = by
        self.result_points = points
        self.result_max = maximum
        self.result_percent = percent
        self.result_letter = band.letter if band else ""
        self.result_gpa = band.gpa if band else None
        self.result_traditional = band.traditional if band else ""
        self.save()


class Mark(models.Model):
    """The mark of one question of a work: ``points`` (0..the question's points, 2
    places; None: not marked yet), the grader's ``comment`` (shown to the student after
    release) and, for a closed question, ``auto_points`` from the auto-grader and the
    ``override_reason`` when a grader gave something else."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="marks")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    auto_points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)
    marked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)
    # Points per rubric criterion as the grader gave them ({criterion id: "1.50"}).
    criteria = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.UniqueConstraint(fields=["work", "question"], name="one_mark_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.work_id}/{self.question_id}: {self.points}"


class Criterion(models.Model):
    """One criterion of a written question's rubric, set by the exam's teachers: its
    text and points (the rubric's points sum to at most the question's points). Shown
    beside the answer on the marking page; a grader may give points per criterion, which
    sum into the question's mark (``Mark.criteria``)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("criterion"), max_length=500)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return f"{self.text} ({self.points})"


class ThresholdUnit(models.TextChoices):
    POINTS = "points", _("points")
    PERCENT = "percent", _("per cent of the maximum")


class MarkingSettings(models.Model):
    """An exam's marking settings (no row: single marking). With ``second_marking``,
    two graders mark every work independently; a difference above ``threshold`` (in
    points, or per cent of the maximum) in the total or in any question goes to a third
    marker or the teacher to settle (docs/GRADING.md "Second marking")."""

    exam = models.OneToOneField(Exam, on_delete=models.CASCADE, related_name="marking_settings")
    second_marking = models.BooleanField(_("second marking"), default=False)
    threshold = models.DecimalField(
        _("largest allowed difference"), max_digits=6, decimal_places=2, default=Decimal("0")
    )
    threshold_unit = models.CharField(
        _("difference in"),
        max_length=8,
        choices=ThresholdUnit.choices,
        default=ThresholdUnit.POINTS,
    )
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("marking settings")
        verbose_name_plural = _("marking settings")

    def __str__(self) -> str:
        return f"{self.exam_id}: {self.second_marking}"


class Marking(models.Model):
    """One grader's independent marking of a work under second marking (kept for ever:
    all marks are kept). ``submitted_at`` set: the grader handed it in; neither grader
    sees the other's until both are in."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="markings")
    grader = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("independent marking")
        verbose_name_plural = _("independent markings")
        ordering = ["work", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work", "grader"], name="one_marking_per_grader")
        ]

    def __str__(self) -> str:
        return f"{self.work_id}/{self.grader_id}"


class MarkingScore(models.Model):
    """A question's points and comment in one independent marking."""

    marking = models.ForeignKey(Marking, on_delete=models.CASCADE, related_name="scores")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(blank=True)
    criteria = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["marking", "question"], name="one_score_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.marking_id}/{self.question_id}: {self.points}"


class FlagKind(models.TextChoices):
    NAME = "name", _("First name")
    SURNAME = "surname", _("Surname")
    PATRONYMIC = "patronymic", _("Patronymic")
    STUDENT_ID = "student_id", _("Student ID")
    EMAIL = "email", _("E-mail")
    GROUP = "group", _("Group")
    SIGNATURE = "signature", _("Repeated signature")
    PHRASE = "phrase", _("Self-introduction")


class FlagState(models.TextChoices):
    OPEN = "open", _("Waiting for a decision")
    DISMISSED = "dismissed", _("Dismissed")
    REFERRED = "referred", _("Sent to the attempt's decision")


class IdentityFlag(models.Model):
    """A possible identifying mark found in a work's answer (``grading.identifying``):
    shown to the exam office only, never to graders. ``excerpt`` is the answer's text
    around the hit; ``start``/``end`` locate the matching text inside it."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="identity_flags")
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=FlagKind.choices)
    excerpt = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=FlagState.choices, default=FlagState.OPEN)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("identifying mark")
        verbose_name_plural = _("identifying marks")
        ordering = ["work", "id"]

    def __str__(self) -> str:
        return f"{self.work_id}: {self.kind}"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Under review")
    CHANGED = "changed", _("Marks changed")
    REJECTED = "rejected", _("Rejected")


APPEAL_REASON_MAX_LENGTH = 2000


class Appeal(models.Model):
    """A student's appeal against a released result (docs/GRADING.md, "Appeals").

    One appeal per result (``work`` is unique): the reviewers' answer is final. Filed
    within the appeal period after release (``grading.services.appeals.appeal_deadline``);
    decided by the exam's teachers or the exam office (``policy.grading.may_review_appeal``)
    who either change marks (each change kept as an ``AppealChange``, old and new) or
    reject it with a reason. The result before and after is kept on the row."""

    work = models.OneToOneField(Work, on_delete=models.PROTECT, related_name="appeal")
    reason = models.TextField(_("reason"))
    status = models.CharField(
        max_length=16, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    filed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The released result when the appeal was filed (the work's result_* hold the new one).
    points_before = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    letter_before = models.CharField(max_length=4, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["filed_at"]

    def __str__(self) -> str:
        return f"{self.work.code}: {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status == AppealStatus.OPEN


class AppealChange(models.Model):
    """One mark an appeal changed: the points before and after (both kept)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="changes")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    points_before = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    points_after = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("appeal change")
        verbose_name_plural = _("appeal changes")
        constraints = [
            models.UniqueConstraint(fields=["appeal", "question"], name="one_change_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id}/{self.question_id}: {self.points_before} -> {self.points_after}"


class ArchiveStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Building")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ArchiveBuild(models.Model):
    """An exam's archive as one ZIP (a PDF per work), built by a background task for the
    exam office (``grading.services.archive``); ``done`` of ``total`` works while it runs.
    It names the students: graders never reach it (``policy.grading.may_archive``)."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="archive_builds")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    language = models.CharField(max_length=8, blank=True)
    status = models.CharField(
        max_length=16, choices=ArchiveStatus.choices, default=ArchiveStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    failure = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("archive")
        verbose_name_plural = _("archives")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.exam_id} #{self.pk} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ArchiveStatus.DONE, ArchiveStatus.FAILED)

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0

    @classmethod
    def claim(cls, build_id: int, now: dt.datetime) -> bool:
        """Mark a queued build running; only the one caller that does so builds it."""
        return (
            cls.objects.filter(pk=build_id, status=ArchiveStatus.QUEUED).update(
                status=ArchiveStatus.RUNNING, started_at=now
            )
            == 1
        )

    @classmethod
    def set_progress(cls, build_id: int, done: int, total: int) -> None:
        cls.objects.filter(pk=build_id).update(done=done, total=total)
