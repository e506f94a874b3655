"""The upload form. It only parses; the service owns every rule and every message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from emtihan.core.forms import ServiceErrorsMixin
from emtihan.core.ids import MAX_ID

from .models import Section
from .services import format_megabytes

ACCEPT = ".pdf,.docx,.odt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.oasis.opendocument.text"


class MaterialUploadForm(ServiceErrorsMixin, forms.Form):
    """A new material (section, title, file) or, with ``material``, a new version of one."""

    section = forms.ChoiceField(
        label=_("Section"), choices=[("", "—"), *Section.choices], required=False
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=255,
        required=False,
        help_text=_("Leave empty to use the file name."),
    )
    # Not required and empty allowed: the service reports both, in the same words as the API.
    file = forms.FileField(
        label=_("File"),
        required=False,
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    material = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_ID
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, DOCX or ODT, at most %(limit)s MB. The type is checked by the file's content, not its name."
        ) % {"limit": format_megabytes(settings.UMKD_MAX_UPLOAD_BYTES)}
