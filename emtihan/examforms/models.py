"""Final-exam form and platform selection.

``ExamRule`` is Table 1 of the UNIVER teacher guide as data, one set of rows per academic
year. ``ExamFormChoice`` is one discipline x group x period's choice, with the review
workflow ``draft -> submitted -> approved | returned -> submitted ...``; every transition
is a ``ChoiceTransition`` row and an audit entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from emtihan.core.models import pick_language
from emtihan.umkd.models import MaterialVersion
from emtihan.university.models import AcademicPeriod, Discipline, StudyGroup


class Platform(models.TextChoices):
    OQYLYQ = "OQYLYQ", _("Oqylyq LMS")
    UNIVER = "UNIVER", _("UNIVER information system")
    MOODLE = "MOODLE", _("Moodle LMS")
    ALTERNATIVE = "ALTERNATIVE", _("Alternative method")
    STARTEXAM = "STARTEXAM", _("StartExam (medicine and healthcare only)")


class ExamForm(models.TextChoices):
    WRITTEN = "WRITTEN", _("Written")
    TESTING = "TESTING", _("Testing")
    ORAL = "ORAL", _("Oral")
    MIXED = "MIXED", _("Mixed")
    CERTIFICATE = "CERTIFICATE", _("Credit transfer based on a certificate")


class ExamType(models.TextChoices):
    TRADITIONAL = "TRADITIONAL", _("Traditional: answers to questions")
    PROJECT = "PROJECT", _("Project")
    CASE = "CASE", _("Case")
    ESSAY = "ESSAY", _("Essay")
    CREATIVE = "CREATIVE", _("Creative task")
    MIXED_1 = "MIXED_1", _("Mixed exam No. 1: written project defended orally (two parts)")
    MIXED_2 = "MIXED_2", _("Mixed exam No. 2: project on Miro boards defended orally (two parts)")
    MIXED_3 = "MIXED_3", _("Mixed exam No. 3: test + written project, case or problem (two parts)")


class AdditionalInfo(models.TextChoices):
    """What the "additional information" field must hold for a rule."""

    NONE = "none", _("Leave empty")
    VIDEO_CONFERENCE = "video_conference", _("Video-conference platform")
    COURSE_PLATFORMS = "course_platforms", _("Online-course platforms")


class ExamRule(models.Model):
    """One row of Table 1 for one academic year: an allowed platform/form/type."""

    academic_year = models.CharField(_("academic year"), max_length=9, db_index=True)
    number = models.PositiveSmallIntegerField(_("row"))
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    form = models.CharField(_("form"), max_length=16, choices=ExamForm.choices)
    exam_type = models.CharField(_("type"), max_length=16, choices=ExamType.choices, blank=True)
    label_kk = models.CharField(_("label (Kazakh)"), max_length=255)
    label_ru = models.CharField(_("label (Russian)"), max_length=255)
    label_en = models.CharField(_("label (English)"), max_length=255)
    additional_info = models.CharField(
        _("additional information"),
        max_length=20,
        choices=AdditionalInfo.choices,
        default=AdditionalInfo.NONE,
    )
    medical_only = models.BooleanField(_("medicine and healthcare only"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("exam-form rule")
        verbose_name_plural = _("exam-form rules (Table 1)")
        ordering = ["academic_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "number"], name="unique_rule_number"),
            models.UniqueConstraint(
                fields=["academic_year", "platform", "form", "exam_type"],
                name="unique_rule_combination",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.academic_year} #{self.number}: {self.label}"

    @property
    def label(self) -> str:
        return pick_language({"kk": self.label_kk, "ru": self.label_ru, "en": self.label_en})


class Instruction(models.Model):
    """Guidance shown to teachers for a platform (and optionally one form of it)."""

    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices, blank=True)
    form = models.CharField(_("form"), max_length=16, choices=ExamForm.choices, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=255)
    title_ru = models.CharField(_("title (Russian)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255)
    text_kk = models.TextField(_("text (Kazakh)"))
    text_ru = models.TextField(_("text (Russian)"))
    text_en = models.TextField(_("text (English)"))
    video_url = models.URLField(_("video link"), blank=True)

    class Meta:
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        ordering = ["platform", "form", "order"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick_language({"kk": self.title_kk, "ru": self.title_ru, "en": self.title_en})

    @property
    def text(self) -> str:
        return pick_language({"kk": self.text_kk, "ru": self.text_ru, "en": self.text_en})


class ChoiceStatus(models.TextChoices):
    NOT_CHOSEN = "not_chosen", _("Not chosen")  # only shown in lists; never stored
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Sent for review")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")


EDITABLE_STATUSES = frozenset({ChoiceStatus.DRAFT, ChoiceStatus.SUBMITTED, ChoiceStatus.RETURNED})


class ExamFormChoice(models.Model):
    """The final-exam platform, form and type chosen for one discipline x group x period.

    ``revision`` grows with every edit. A head's approval names the revision they read,
    so an approval never lands on content the teacher changed after the head opened it.
    """

    discipline = models.ForeignKey(
        Discipline, on_delete=models.PROTECT, related_name="exam_choices"
    )
    group = models.ForeignKey(StudyGroup, on_delete=models.PROTECT, related_name="exam_choices")
    period = models.ForeignKey(
        AcademicPeriod, on_delete=models.PROTECT, related_name="exam_choices"
    )
    platform = models.CharField(_("exam platform"), max_length=16, choices=Platform.choices)
    form = models.CharField(_("exam form"), max_length=16, choices=ExamForm.choices)
    exam_type = models.CharField(
        _("exam type"), max_length=16, choices=ExamType.choices, blank=True
    )
    additional_info = models.CharField(_("additional information"), max_length=500, blank=True)
    programme = models.ForeignKey(
        MaterialVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exam_choices",
        verbose_name=_("final-exam programme"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ChoiceStatus.choices, default=ChoiceStatus.DRAFT
    )
    revision = models.PositiveIntegerField(default=1)
    head_comment = models.TextField(_("head's comment"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("exam-form choice")
        verbose_name_plural = _("exam-form choices")
        ordering = ["discipline__code", "group__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["discipline", "group", "period"], name="one_choice_per_discipline_group"
            )
        ]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self) -> str:
        return f"{self.discipline.code} · {self.group.code}: {self.platform}/{self.form}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def summary(self) -> str:
        """One line naming the choice, for history entries."""
        parts = [self.get_platform_display(), self.get_form_display()]
        if self.exam_type:
            parts.append(self.get_exam_type_display())
        if self.additional_info:
            parts.append(self.additional_info)
        return " / ".join(str(p) for p in parts)[:255]

    def record_transition(
        self, *, from_status: str, to_status: str, actor, comment: str = "", summary: str = ""
    ):
        return ChoiceTransition.objects.create(
            choice=self,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            comment=comment,
            revision=self.revision,
            summary=summary,
        )


class ChoiceTransition(models.Model):
    """One step of a choice's history, shown to the teacher and the head."""

    choice = models.ForeignKey(ExamFormChoice, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=ChoiceStatus.choices)
    to_status = models.CharField(max_length=16, choices=ChoiceStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)
    revision = models.PositiveIntegerField()
    summary = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("choice transition")
        verbose_name_plural = _("choice transitions")
        ordering = ["choice", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"
