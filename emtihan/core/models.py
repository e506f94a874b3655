"""Small shared model pieces."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def pick_language(values: dict[str, str], language: str | None = None) -> str:
    """The value for the active language, falling back to kk, ru, en in that order."""
    lang = (language or get_language() or "kk")[:2]
    for code in (lang, "kk", "ru", "en"):
        if values.get(code):
            return values[code]
    return ""


class TranslatedName(models.Model):
    """A name kept in the three interface languages; ``name`` picks the active one."""

    name_kk = models.CharField(_("name (Kazakh)"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick_language({"kk": self.name_kk, "ru": self.name_ru, "en": self.name_en})
