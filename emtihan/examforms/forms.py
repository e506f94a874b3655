"""The edit dialog's form. Its drop-downs are built from the RuleBook so they offer only
what Table 1 allows for the values chosen so far (platform -> form -> type)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from emtihan.core.ids import parse_id, parse_whole
from emtihan.umkd.models import MaterialVersion

from .models import AdditionalInfo, ExamForm, ExamType, Platform
from .rules import RuleBook
from .services import ChoiceInput

BLANK = [("", "—")]


class ChoiceDialogForm(forms.Form):
    platform = forms.ChoiceField(label=_("Exam platform"), required=False)
    form = forms.ChoiceField(label=_("Exam form"), required=False)
    exam_type = forms.ChoiceField(label=_("Exam type"), required=False)
    additional_info = forms.CharField(
        label=_("Additional information"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    programme = forms.ChoiceField(label=_("Final-exam programme"), required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        rulebook: RuleBook,
        programmes: list[MaterialVersion],
        fields_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rulebook = rulebook
        # What the browser sent, before the drop-downs below adjust values to what is
        # allowed: the server validates exactly what was submitted, never a corrected copy.
        self.submitted: dict[str, Any] = dict(self.data.items()) if self.is_bound else {}
        # A change of platform or form re-renders the fields below it with the options
        # Table 1 allows for the new value.
        for name in ("platform", "form"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": fields_url,
                    "hx-trigger": "change",
                    "hx-target": "#choice-fields",
                    "hx-include": "closest form",
                    "hx-sync": "closest form:replace",
                    "hx-params": "not csrfmiddlewaretoken",
                }
            )
        platform = self._value("platform")
        platforms = rulebook.platforms()
        self._choice_field("platform").choices = BLANK + [(p, Platform(p).label) for p in platforms]

        forms_ = rulebook.forms(platform) if platform in platforms else []
        self._choice_field("form").choices = BLANK + [(f, ExamForm(f).label) for f in forms_]
        form = self._pick_single("form", forms_)

        types = rulebook.types(platform, form) if form in forms_ else []
        self._choice_field("exam_type").choices = BLANK + [(t, ExamType(t).label) for t in types]
        self._pick_single("exam_type", types)
        self.has_types = bool(types)
        self.form_chosen = form in forms_
        if not forms_:
            self.fields["form"].disabled = True
        if not types:
            self.fields["exam_type"].disabled = True

        self.info_kind = (
            rulebook.additional_info(platform, form) if form in forms_ else AdditionalInfo.NONE
        )
        info = self.fields["additional_info"]
        if self.info_kind == AdditionalInfo.VIDEO_CONFERENCE:
            info.help_text = _(
                "Required: the video-conference platform (MS Teams, BigBlueButton, Zoom or another)."
            )
            info.widget.attrs["placeholder"] = "MS Teams / BigBlueButton / Zoom"
        elif self.info_kind == AdditionalInfo.COURSE_PLATFORMS:
            info.help_text = _(
                "Required: the online-course platforms (Coursera, Stepik, edX, ...)."
            )
            info.widget.attrs["placeholder"] = "Coursera, Stepik, edX"
        else:
            info.help_text = _("Leave empty for this platform and form.")
            info.disabled = self.form_chosen

        self._choice_field("programme").choices = BLANK + [
            (
                str(v.pk),
                f"{v.material.title} — {v.original_name} (v{v.number}, {v.uploaded_at:%Y-%m-%d})",
            )
            for v in programmes
        ]
        if len(programmes) == 1:
            self._pick_single("programme", [str(programmes[0].pk)])

    def _choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 (narrowing for mypy)
        return field

    def _value(self, name: str) -> str:
        if self.is_bound:
            return (self.data.get(name) or "").strip()
        return str(self.initial.get(name) or "")

    def _pick_single(self, name: str, options: list[str]) -> str:
        """The current value if still allowed; the only option when there is one."""
        value = self._value(name)
        if value in options:
            return value
        value = options[0] if len(options) == 1 else ""
        if self.is_bound:
            data = dict(self.data.items())
            data[name] = value
            self.data = data
        else:
            self.initial[name] = value
        return value

    def to_input(self) -> ChoiceInput:
        d = self.submitted
        programme = (d.get("programme") or "").strip()
        return ChoiceInput(
            platform=d.get("platform", ""),
            form=d.get("form", ""),
            exam_type=d.get("exam_type", ""),
            additional_info=d.get("additional_info", ""),
            programme_id=parse_id(programme),
        )

    def expected_revision(self) -> int | None:
        return parse_whole((self.submitted.get("revision") or "").strip())

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        """Show the service's messages (the server's rules are the only validation)."""
        self.cleaned_data = {}
        self._errors = ErrorDict()
        for name, messages in errors.items():
            key = name if name in self.fields else NON_FIELD_ERRORS
            self._errors.setdefault(key, self.error_class()).extend(messages)
