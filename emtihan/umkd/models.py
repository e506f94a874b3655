"""UMKD (ПОӘК): each discipline's teaching materials, by section.

A ``Material`` is one document in one section of a discipline (e.g. the final-exam
programme); each upload of it is a new immutable ``MaterialVersion``. An exam-form choice
points at the exact version the head of department approved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from emtihan.university.models import Discipline


class Section(models.TextChoices):
    SYLLABUS = "syllabus", _("Syllabus")
    LECTURES = "lectures", _("Lecture materials")
    PRACTICE = "practice", _("Practical and seminar materials")
    SELF_STUDY = "self_study", _("Independent work")
    FINAL_EXAM_PROGRAMME = "final_exam_programme", _("Final-exam programme for the discipline")


class DocumentType(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"
    ODT = "odt", "ODT"


class Material(models.Model):
    """One document of a discipline's UMKD section; its content lives in versions."""

    discipline = models.ForeignKey(
        Discipline, on_delete=models.PROTECT, related_name="materials", verbose_name=_("discipline")
    )
    section = models.CharField(_("section"), max_length=32, choices=Section.choices)
    title = models.CharField(_("title"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["discipline", "section", "title"]

    def __str__(self) -> str:
        return self.title


def material_file_path(instance: MaterialVersion, filename: str) -> str:
    m = instance.material
    return (
        f"umkd/{m.discipline.code}/{m.section}/{m.pk}/v{instance.number}.{instance.document_type}"
    )


class MaterialVersion(models.Model):
    """One uploaded file of a material. Never changed after upload."""

    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=material_file_path, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    document_type = models.CharField(_("document type"), max_length=8, choices=DocumentType.choices)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("material version")
        verbose_name_plural = _("material versions")
        ordering = ["material", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["material", "number"], name="unique_material_version")
        ]

    def __str__(self) -> str:
        return f"{self.material.title} (v{self.number}, {self.original_name})"
