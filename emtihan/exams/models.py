"""Exams hosted by emtihan and their questions.

An ``Exam`` is created from an approved exam-form choice whose platform is hosted here
(OQYLYQ written, UNIVER written, UNIVER testing), for the students of that group. Its
questions are either fixed (always asked) or drawn from a ``QuestionPool`` ("pick N").
Each student's selection and order are fixed once, from a seed, when the attempt starts.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from emtihan.accounts.models import Role
from emtihan.examforms.models import ExamFormChoice
from emtihan.university.models import Student


class TimeoutPolicy(models.TextChoices):
    LAST_DRAFT = "last_draft", _("The last autosaved draft counts")
    EMPTY = "empty", _("Unsent answers count as empty")


class ProctoringLevel(models.TextChoices):
    """How much of the camera side of an exam is used (docs/PROCTORING.md)."""

    OFF = "off", _("Off: no camera")
    RECORD = "record", _("Record: the camera is recorded when the student allows it")
    REQUIRED = (
        "required",
        _("Required: no start without the camera, the microphone and the identity check"),
    )


class ExamStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    PUBLISHED = "published", _("Published to students")


class Exam(models.Model):
    """One final exam of one discipline for one group (a hosted exam-form choice)."""

    choice = models.ForeignKey(ExamFormChoice, on_delete=models.PROTECT, related_name="exams")
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description and rules"), blank=True)
    opens_at = models.DateTimeField(_("window opens"))
    closes_at = models.DateTimeField(_("window closes"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    allow_formulas = models.BooleanField(_("formulas allowed"), default=True)
    allow_drawings = models.BooleanField(_("drawings allowed"), default=False)
    allow_pictures = models.BooleanField(_("pictures allowed"), default=False)
    allowed_other = models.TextField(_("other allowed materials"), blank=True)
    timeout_policy = models.CharField(
        _("answer at time-out"),
        max_length=16,
        choices=TimeoutPolicy.choices,
        default=TimeoutPolicy.LAST_DRAFT,
    )
    absence_cap_seconds = models.PositiveIntegerField(_("absence cap (seconds)"), default=20 * 60)
    # Proctoring (docs/PROCTORING.md): the level, how often the camera sends a snapshot
    # (seconds), how many identity checks a student may try before a proctor decides by
    # hand, and how long the recordings are kept after the sitting's decision (days).
    proctoring = models.CharField(
        _("proctoring"), max_length=16, choices=ProctoringLevel.choices, default=ProctoringLevel.OFF
    )
    snapshot_interval_seconds = models.PositiveSmallIntegerField(
        _("snapshot interval (seconds)"), default=20
    )
    identity_check_attempts = models.PositiveSmallIntegerField(
        _("identity check attempts"), default=3
    )
    proctoring_retention_days = models.PositiveSmallIntegerField(
        _("recordings kept after the decision (days)"), default=90
    )
    shuffle_questions = models.BooleanField(_("shuffle questions per student"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options per student"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ExamStatus.choices, default=ExamStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="exam_window_order"
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0), name="exam_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Accommodation(models.Model):
    """Extra time for one student in one exam (e.g. a documented disability)."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="accommodations")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="accommodations")
    extra_minutes = models.PositiveIntegerField(_("extra time (minutes)"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("accommodation")
        verbose_name_plural = _("accommodations")
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "student"], name="one_accommodation_per_student"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} +{self.extra_minutes} min"


class QuestionPool(models.Model):
    """A set of interchangeable questions; each student gets ``pick`` of them."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="pools")
    name = models.CharField(_("name"), max_length=255)
    pick = models.PositiveIntegerField(_("questions to pick"))
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("question pool")
        verbose_name_plural = _("question pools")
        ordering = ["exam", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.pick})"


class QuestionKind(models.TextChoices):
    WRITTEN = "written", _("Written answer")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True / false")
    SHORT = "short", _("Short answer")
    NUMERIC = "numeric", _("Numeric")


class Question(models.Model):
    """One question. ``body`` is sanitised HTML (math and chemistry kept as LaTeX).

    ``spec`` holds what the kind needs, e.g. for choice kinds
    ``{"options": [{"id": "a", "html": "...", "fraction": 1.0}, ...]}``, for short answer
    ``{"answers": [{"text": "...", "fraction": 1.0}], "case_sensitive": false}``, for numeric
    ``{"answers": [{"value": 3.14, "tolerance": 0.01, "fraction": 1.0}]}``, for true/false
    ``{"correct": true}``. The rules per kind are in ``specs`` (docs/EXAMS.md); ``order`` is
    shared with the pools' ``order`` (a pool is placed among the fixed questions).
    """

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="questions")
    pool = models.ForeignKey(
        QuestionPool, on_delete=models.CASCADE, null=True, blank=True, related_name="questions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    name = models.CharField(_("name"), max_length=255, blank=True)
    body = models.TextField(_("question"))
    spec = models.JSONField(_("answer specification"), default=dict, blank=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, default=1)
    order = models.PositiveIntegerField(_("order"), default=0)
    source = models.CharField(_("imported from"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["exam", "order", "pk"]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class ExamProctor(models.Model):
    """A proctor of one exam: they see its sittings and decide on them once closed.

    Proctors of every exam of a faculty are ``university.FacultyProctor``. Created by the
    registrar (``/exams/assignments/``) or in the admin; only people with the proctor
    role can be chosen, and the role must still be held for the assignment to count.
    """

    exam = models.ForeignKey(
        Exam, on_delete=models.CASCADE, related_name="proctors", verbose_name=_("exam")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="proctored_exams",
        limit_choices_to={"groups__name": Role.PROCTOR.value},
        verbose_name=_("proctor"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("exam proctor")
        verbose_name_plural = _("exam proctors")
        constraints = [
            models.UniqueConstraint(fields=["exam", "user"], name="one_exam_proctor_row")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.exam}"


class ExamGrader(models.Model):
    """A grader of one exam. Graders never see who wrote a work: what they are shown
    names no student and no attempt (pictures come by an opaque key,
    ``attempts:picture_by_key``). Created by the registrar or in the admin; only people
    with the grader role can be chosen, and the role must still be held.
    """

    exam = models.ForeignKey(
        Exam, on_delete=models.CASCADE, related_name="graders", verbose_name=_("exam")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="graded_exams",
        limit_choices_to={"groups__name": Role.GRADER.value},
        verbose_name=_("grader"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("exam grader")
        verbose_name_plural = _("exam graders")
        constraints = [models.UniqueConstraint(fields=["exam", "user"], name="one_exam_grader_row")]

    def __str__(self) -> str:
        return f"{self.user} · {self.exam}"


IMPORT_STALLED = gettext_noop(
    "The import stopped before it finished (the server was restarted while it ran): nothing was imported. Upload the file again."
)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("reading")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class QuestionImport(models.Model):
    """One Moodle XML or GIFT file imported into an exam (``services.question_import_start``).

    A small file is read while the teacher waits; a larger one by a background task, and
    the page shows ``done`` of ``total`` questions read meanwhile. ``data`` holds the file
    until it has been read, then is emptied. ``report`` is ``ImportResult.to_dict()``;
    ``failure`` says why an import that could not finish stopped. The questions are written
    in one transaction at the end, so a failed import wrote nothing.
    """

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    source = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    data = models.BinaryField(_("file content, until read"), blank=True, default=b"")
    fmt = models.CharField(_("format"), max_length=16, default="auto")
    encoding = models.CharField(_("text encoding"), max_length=32, blank=True)
    pools_from_categories = models.BooleanField(_("a pool per category"), default=False)
    language = models.CharField(_("language of the report"), max_length=8, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("questions read"), default=0)
    total = models.PositiveIntegerField(_("questions in the file"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("question import")
        verbose_name_plural = _("question imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source}"

    @property
    def stalled(self) -> bool:
        """Running for longer than any import may: its worker stopped (a restart, a crash
        that left no trace). Its transaction never committed, so nothing was written."""
        limit = dt.timedelta(seconds=settings.QUESTION_IMPORT_MAX_SECONDS + 60)
        return (
            self.status == ImportStatus.RUNNING
            and self.started_at is not None
            and timezone.now() - self.started_at > limit
        )

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED) or self.stalled

    @property
    def failure_text(self) -> str:
        """Why the import did not finish, in the current language."""
        return gettext(IMPORT_STALLED) if self.stalled else self.failure

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0

    @classmethod
    def claim(cls, import_id: int) -> bool:
        """Mark a queued import running; only the one caller that does so may run it."""
        return (
            cls.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
                status=ImportStatus.RUNNING, started_at=timezone.now()
            )
            == 1
        )

    @classmethod
    def set_progress(cls, import_id: int, done: int, total: int) -> None:
        cls.objects.filter(pk=import_id).update(done=done, total=total)

    def finish(self, report: dict) -> None:
        self.status, self.report, self.finished_at = ImportStatus.DONE, report, timezone.now()
        self.data = b""
        self.save(update_fields=["status", "report", "finished_at", "data"])

    def fail(self, message: str) -> None:
        self.status, self.failure, self.finished_at = ImportStatus.FAILED, message, timezone.now()
        self.data = b""
        self.save(update_fields=["status", "failure", "finished_at", "data"])
