"""The university as the registry knows it.

Everything here is filled by the registry import (``manage.py registry_import``) and
keyed by the registry's own codes, so a second import updates rows instead of
duplicating them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emtihan.accounts.models import Role
from emtihan.core.models import TranslatedName, pick_language


class Faculty(TranslatedName):
    """A faculty. ``is_medical`` opens medicine-only platforms such as StartExam."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    is_medical = models.BooleanField(_("medicine and healthcare"), default=False)

    class Meta:
        verbose_name = _("faculty")
        verbose_name_plural = _("faculties")
        ordering = ["code"]


class Department(TranslatedName):
    """A department (кафедра); its head approves the exam forms of its disciplines."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    faculty = models.ForeignKey(
        Faculty, on_delete=models.PROTECT, related_name="departments", verbose_name=_("faculty")
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_departments",
        verbose_name=_("head of department"),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]


class Discipline(TranslatedName):
    """A course taught by a department; its materials live in UMKD."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="disciplines",
        verbose_name=_("department"),
    )
    credits = models.PositiveSmallIntegerField(_("credits (ECTS)"), default=5)

    class Meta:
        verbose_name = _("discipline")
        verbose_name_plural = _("disciplines")
        ordering = ["code"]

    @property
    def is_medical(self) -> bool:
        return self.department.faculty.is_medical


class StudyForm(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")
    DISTANCE = "distance", _("Distance")


class TeachingLanguage(models.TextChoices):
    KK = "kk", _("Kazakh")
    RU = "ru", _("Russian")
    EN = "en", _("English")


class StudyGroup(models.Model):
    """A student group (e.g. ``IS-2301``) with its study form and teaching language."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    faculty = models.ForeignKey(
        Faculty, on_delete=models.PROTECT, related_name="groups", verbose_name=_("faculty")
    )
    study_form = models.CharField(_("study form"), max_length=16, choices=StudyForm.choices)
    language = models.CharField(
        _("teaching language"), max_length=2, choices=TeachingLanguage.choices
    )
    year = models.PositiveSmallIntegerField(_("year of study"), default=1)

    class Meta:
        verbose_name = _("study group")
        verbose_name_plural = _("study groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


def student_photo_path(instance: Student, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"students/photos/{instance.student_id}.{suffix}"


class Student(models.Model):
    """A student: the registry's student ID is also the initial password."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student"
    )
    student_id = models.CharField(_("student ID"), max_length=32, unique=True)
    group = models.ForeignKey(
        StudyGroup, on_delete=models.PROTECT, related_name="students", verbose_name=_("group")
    )
    photo = models.ImageField(_("photo on file"), upload_to=student_photo_path, blank=True)
    is_active = models.BooleanField(_("enrolled"), default=True)

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["student_id"]

    def __str__(self) -> str:
        return f"{self.user} ({self.student_id})"


class Teacher(models.Model):
    """A member of teaching staff."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teacher"
    )
    staff_id = models.CharField(_("staff ID"), max_length=32, unique=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="teachers", verbose_name=_("department")
    )

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["staff_id"]

    def __str__(self) -> str:
        return str(self.user)


class AcademicPeriod(models.Model):
    """A term (e.g. ``2026-2027-1``, autumn) within an academic year (``2026-2027``).

    Exactly one period is current at a time: the teacher's list and the head's review show
    its assignments.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    academic_year = models.CharField(
        _("academic year"), max_length=9, help_text=_("For example 2026-2027.")
    )
    # The title in the interface languages, like the registry's names (``title`` picks the
    # page's language, falling back to Kazakh, Russian, English).
    title_kk = models.CharField(_("title (Kazakh)"), max_length=100)
    title_ru = models.CharField(_("title (Russian)"), max_length=100, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=100, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        verbose_name = _("academic period")
        verbose_name_plural = _("academic periods")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_current_period",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick_language({"kk": self.title_kk, "ru": self.title_ru, "en": self.title_en})

    @classmethod
    def current(cls) -> AcademicPeriod | None:
        return cls.objects.filter(is_current=True).first()


class TeachingAssignment(models.Model):
    """Teacher x discipline x group x period: one row of the teacher's exam-form list."""

    teacher = models.ForeignKey(
        Teacher, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("teacher")
    )
    discipline = models.ForeignKey(
        Discipline,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("discipline"),
    )
    group = models.ForeignKey(
        StudyGroup, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("group")
    )
    period = models.ForeignKey(
        AcademicPeriod,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("academic period"),
    )

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "discipline", "group", "period"], name="unique_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.teacher} · {self.discipline.code} · {self.group.code}"


def import_upload_path(instance: ImportJob, filename: str) -> str:
    return f"registry/imports/photos/{filename}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One registry import started from the web page and run by a background task.

    ``files`` lists the uploaded files as ``{"name": original name, "path": storage
    name}``; the original name tells a CSV's kind (``students.csv``). ``stage``, ``done``
    and ``total`` are the progress the page polls; ``report`` is ``ImportReport.to_dict()``.
    ``done`` only means the import finished: whether it wrote anything is in the report.
    ``failed`` means it crashed (``failure`` says so; the traceback is in the log).
    """

    files = models.JSONField(_("files"), default=list)
    photos = models.FileField(
        _("photos (ZIP)"), upload_to=import_upload_path, blank=True, max_length=255
    )
    kind = models.CharField(_("kind of the CSV files"), max_length=16, blank=True)
    partial = models.BooleanField(_("import the good rows even if some are bad"), default=False)
    language = models.CharField(_("language of the report"), max_length=8, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=32, blank=True)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows in this stage"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        names = ", ".join(f.get("name", "") for f in self.files)
        return f"#{self.pk} {names}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0

    @classmethod
    def claim(cls, job_id: int) -> bool:
        """Mark a queued job running; only the one caller that does so may run it."""
        return (
            cls.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
                status=ImportStatus.RUNNING, started_at=timezone.now()
            )
            == 1
        )

    @classmethod
    def set_progress(cls, job_id: int, stage: str, done: int, total: int) -> None:
        cls.objects.filter(pk=job_id).update(stage=stage, done=done, total=total)

    def finish(self, report: dict) -> None:
        self.status, self.report, self.finished_at = ImportStatus.DONE, report, timezone.now()
        self.save(update_fields=["status", "report", "finished_at"])

    def fail(self, message: str) -> None:
        self.status, self.failure, self.finished_at = ImportStatus.FAILED, message, timezone.now()
        self.save(update_fields=["status", "failure", "finished_at"])


class FacultyProctor(models.Model):
    """A proctor of every exam the students of one faculty sit.

    The faculty is the exam's group's (``Exam.choice.group.faculty``): a faculty's exam
    office supervises its own students' sittings, whichever department teaches the
    discipline. Proctors of single exams are ``exams.ExamProctor``. Created by the
    registrar (``/exams/assignments/``) or in the admin; only people with the proctor
    role can be chosen, and the role must still be held for the assignment to count.
    """

    faculty = models.ForeignKey(
        Faculty, on_delete=models.CASCADE, related_name="proctors", verbose_name=_("faculty")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="proctored_faculties",
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
        verbose_name = _("faculty proctor")
        verbose_name_plural = _("faculty proctors")
        ordering = ["faculty__code", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["faculty", "user"], name="one_faculty_proctor_row")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.faculty.code}"
