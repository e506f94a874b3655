"""Forms of the teacher's pages. They only parse input: the rules are in ``services``.

A question's options and answers are plain repeated rows (``option_id``,
``option_html``, ``option_fraction``; ``answer_text``/``answer_value``,
``answer_tolerance``, ``answer_fraction``); a row left entirely empty is ignored.
Fractions are typed in percent, as in Moodle.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emtihan.core.forms import ServiceErrorsMixin

from .models import ProctoringLevel, QuestionKind, QuestionPool, TimeoutPolicy
from .services import (
    IDENTITY_CHECK_ATTEMPTS_RANGE,
    MAX_DURATION_MINUTES,
    RETENTION_DAYS_RANGE,
    SNAPSHOT_INTERVAL_RANGE,
)
from .specs import OPTION_ID

LOCAL_INPUT = "%Y-%m-%dT%H:%M"
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
BLANK_ROWS = 2


def _number_input(decimal: bool = False) -> forms.TextInput:
    """A text box for numbers (styled like the other inputs; phones show digits)."""
    return forms.TextInput(attrs={"inputmode": "decimal" if decimal else "numeric", "size": 8})


def _datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )


class ExamSettingsForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    opens_at = _datetime_field(_("Window opens"))
    closes_at = _datetime_field(_("Window closes"))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        widget=_number_input(),
        min_value=1,
        max_value=MAX_DURATION_MINUTES,
        help_text=_("Each student's time from the moment they start (plus any extra time)."),
    )
    description = forms.CharField(
        label=_("Description and rules"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    allow_formulas = forms.BooleanField(label=_("Formulas"), required=False)
    allow_drawings = forms.BooleanField(label=_("Drawings"), required=False)
    allow_pictures = forms.BooleanField(
        label=_("Pictures (photos of handwritten work)"), required=False
    )
    allowed_other = forms.CharField(
        label=_("Other allowed materials"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: a calculator, the periodic table, a printed formula sheet."),
    )
    timeout_policy = forms.ChoiceField(
        label=_("Answer at time-out"), choices=TimeoutPolicy.choices, widget=forms.RadioSelect
    )
    absence_cap_minutes = forms.IntegerField(
        label=_("Absence cap (minutes)"),
        widget=_number_input(),
        min_value=1,
        help_text=_(
            "Past this much time without a connection, the sitting is marked for a decision."
        ),
    )
    shuffle_questions = forms.BooleanField(
        label=_("Shuffle questions for each student"), required=False
    )
    shuffle_options = forms.BooleanField(
        label=_("Shuffle the options of choice questions for each student"), required=False
    )
    proctoring = forms.ChoiceField(
        label=_("Camera and identity check"),
        choices=ProctoringLevel.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Students see before the exam what is recorded, who sees it and how long it is kept."
        ),
    )
    snapshot_interval_seconds = forms.IntegerField(
        label=_("A camera snapshot every (seconds)"),
        widget=_number_input(),
        min_value=SNAPSHOT_INTERVAL_RANGE[0],
        max_value=SNAPSHOT_INTERVAL_RANGE[1],
    )
    identity_check_attempts = forms.IntegerField(
        label=_("Identity check attempts"),
        widget=_number_input(),
        min_value=IDENTITY_CHECK_ATTEMPTS_RANGE[0],
        max_value=IDENTITY_CHECK_ATTEMPTS_RANGE[1],
        help_text=_("After this many failed checks, a proctor checks the student by hand."),
    )
    proctoring_retention_days = forms.IntegerField(
        label=_("Keep the recordings for (days after the decision)"),
        widget=_number_input(),
        min_value=RETENTION_DAYS_RANGE[0],
        max_value=RETENTION_DAYS_RANGE[1],
        help_text=_(
            "Snapshots, voice clips, identity check photos and face measurements are then "
            "deleted automatically."
        ),
    )

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class QuestionForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    name = forms.CharField(
        label=_("Short name"),
        max_length=255,
        required=False,
        help_text=_("For your lists only; students do not see it."),
    )
    body = forms.CharField(
        label=_("Question"),
        # data-rich-editor: author.js puts the students' editor over it (frontend/).
        widget=forms.Textarea(attrs={"rows": 8, "data-rich-editor": "question"}),
        help_text=_(
            "Write as in a word processor: headings, lists, tables, formulas, chemistry, "
            "drawings and pictures (at most 2 MB each). Formulas can also be typed as LaTeX "
            "between \\( and \\). In the HTML view, anything that is not allowed is removed "
            "on saving."
        ),
    )
    points = forms.DecimalField(
        label=_("Points"),
        widget=_number_input(decimal=True),
        min_value=Decimal("0.01"),
        max_value=1000,
        decimal_places=2,
        initial=1,
    )
    pool = forms.TypedChoiceField(label=_("Pool"), required=False, coerce=int, empty_value=None)
    order = forms.IntegerField(
        label=_("Position"),
        widget=_number_input(),
        min_value=0,
        required=False,
        help_text=_("Questions and pools are shown in this order; empty: at the end."),
    )
    correct = forms.TypedChoiceField(
        label=_("The statement is"),
        choices=[("true", _("True")), ("false", _("False"))],
        coerce=lambda value: value == "true",
        required=False,
        widget=forms.RadioSelect,
    )
    case_sensitive = forms.BooleanField(label=_("Letter case matters"), required=False)

    def __init__(self, *args: Any, pools: list[QuestionPool], kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question_kind = kind
        # The service's messages about the option/answer rows (its "spec" field): the page
        # shows them beside the rows, which are not fields of this form.
        self.spec_errors: list[str] = []
        pool_field: Any = self.fields["pool"]
        pool_field.choices = [("", _("— none: asked to every student"))] + [
            (p.pk, f"{p.name} ({p.pick})") for p in pools
        ]
        kind_field: Any = self.fields["kind"]
        if kind in CHOICE_KINDS:
            kind_field.choices = [(k.value, k.label) for k in CHOICE_KINDS]
        else:
            kind_field.choices = [(kind, QuestionKind(kind).label)]
        if kind != QuestionKind.TRUE_FALSE:
            del self.fields["correct"]
        if kind != QuestionKind.SHORT:
            del self.fields["case_sensitive"]
        self.pools = {p.pk: p for p in pools}

    def chosen_pool(self) -> QuestionPool | None:
        pool_id = self.cleaned_data.get("pool")
        return self.pools.get(pool_id) if pool_id else None

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        rest = dict(errors)
        self.spec_errors = rest.pop("spec", [])
        super().show_errors(rest)


# --- options and answers as rows -------------------------------------------------------------


def _percent(value: float | int | None) -> str:
    if value is None:
        return ""
    text = f"{float(value) * 100:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _number(text: str) -> float | str:
    """A typed number (``,`` allowed) or the text itself, for the service to refuse."""
    try:
        return float(text.replace(",", ".").replace(" ", ""))
    except ValueError:
        return text


def rows_from_spec(kind: str, spec: dict[str, Any], *, blank: int = BLANK_ROWS) -> list[dict]:
    """Rows to show in the editor for a stored spec, plus ``blank`` empty ones."""
    if kind in CHOICE_KINDS:
        rows = [
            {
                "id": o.get("id", ""),
                "html": o.get("html", ""),
                "fraction": _percent(o.get("fraction")),
            }
            for o in spec.get("options") or []
        ]
        return rows + [{"id": "", "html": "", "fraction": ""} for _i in range(blank)]
    if kind in (QuestionKind.SHORT, QuestionKind.NUMERIC):
        rows = [
            {
                "text": a.get("text", ""),
                "value": "" if a.get("value") is None else f"{a['value']:g}",
                "tolerance": "" if a.get("tolerance") is None else f"{a['tolerance']:g}",
                "fraction": _percent(a.get("fraction")),
            }
            for a in spec.get("answers") or []
        ]
        return rows + [
            {"text": "", "value": "", "tolerance": "", "fraction": ""} for _i in range(blank)
        ]
    return []


def rows_from_post(kind: str, data: QueryDict) -> list[dict]:
    """The rows as typed (to show them again after an error)."""
    if kind in CHOICE_KINDS:
        ids, htmls, fractions = (data.getlist(f"option_{n}") for n in ("id", "html", "fraction"))
        rows = [
            {"id": i.strip(), "html": h.strip(), "fraction": f.strip()}
            for i, h, f in zip(ids, htmls, fractions, strict=False)
        ]
        return [r for r in rows if r["id"] or r["html"] or r["fraction"]]
    if kind in (QuestionKind.SHORT, QuestionKind.NUMERIC):
        texts = data.getlist("answer_text")
        values = data.getlist("answer_value")
        tolerances = data.getlist("answer_tolerance")
        fractions = data.getlist("answer_fraction")
        count = max(len(texts), len(values), len(fractions))

        def at(items: list[str], n: int) -> str:
            return items[n].strip() if n < len(items) else ""

        rows = [
            {
                "text": at(texts, n),
                "value": at(values, n),
                "tolerance": at(tolerances, n),
                "fraction": at(fractions, n),
            }
            for n in range(count)
        ]
        return [r for r in rows if any(r.values())]
    return []


def spec_from_rows(kind: str, rows: list[dict], form: QuestionForm) -> dict[str, Any]:
    """The spec the service checks; ids left empty get the next free letter."""
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    if kind == QuestionKind.TRUE_FALSE:
        return {"correct": data.get("correct")} if data.get("correct") in (True, False) else {}
    if kind in CHOICE_KINDS:
        used = {r["id"] for r in rows if OPTION_ID.match(r["id"])}
        free = (c for c in "abcdefghijklmnopqrstuvwxyz" if c not in used)
        options = []
        for row in rows:
            option_id = row["id"] or next(free, "")
            fraction = _number(row["fraction"] or "0")
            options.append(
                {
                    "id": option_id,
                    "html": row["html"],
                    "fraction": fraction / 100 if isinstance(fraction, float) else fraction,
                }
            )
        return {"options": options}
    if kind in (QuestionKind.SHORT, QuestionKind.NUMERIC):
        answers = []
        for row in rows:
            fraction = _number(row["fraction"] or "100")
            answer: dict[str, Any] = {
                "fraction": fraction / 100 if isinstance(fraction, float) else fraction
            }
            if kind == QuestionKind.SHORT:
                answer["text"] = row["text"]
            else:
                answer["value"] = _number(row["value"])
                answer["tolerance"] = _number(row["tolerance"] or "0")
            answers.append(answer)
        spec: dict[str, Any] = {"answers": answers}
        if kind == QuestionKind.SHORT:
            spec["case_sensitive"] = bool(data.get("case_sensitive"))
        return spec
    return {}


class PoolForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Pool name"), max_length=255)
    pick = forms.IntegerField(
        label=_("Questions each student gets"),
        widget=_number_input(),
        min_value=1,
        max_value=1000,
        initial=1,
    )
    order = forms.IntegerField(
        label=_("Position"), widget=_number_input(), min_value=0, required=False
    )


class AccommodationForm(ServiceErrorsMixin, forms.Form):
    student = forms.TypedChoiceField(label=_("Student"), coerce=int)
    extra_minutes = forms.IntegerField(
        label=_("Extra time (minutes)"), widget=_number_input(), min_value=1
    )
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args: Any, students: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        student_field: Any = self.fields["student"]
        student_field.choices = [
            (s.pk, f"{s.user.get_full_name()} ({s.student_id})") for s in students
        ]


IMPORT_FORMAT_CHOICES = [
    ("auto", _("Recognise from the file")),
    ("moodle_xml", _("Moodle XML")),
    ("gift", _("GIFT")),
]
ENCODING_CHOICES = [
    ("", _("Recognise (UTF-8, else Windows-1252 or Windows-1251)")),
    ("utf-8", "UTF-8"),
    ("windows-1252", _("Windows-1252 (Western European)")),
    ("cp1251", _("Windows-1251 (Cyrillic)")),
]


class ImportForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(label=_("File"))
    fmt = forms.ChoiceField(label=_("Format"), choices=IMPORT_FORMAT_CHOICES, initial="auto")
    encoding = forms.ChoiceField(label=_("Text encoding"), choices=ENCODING_CHOICES, required=False)
    pools_from_categories = forms.BooleanField(
        label=_("Put each category's questions in a pool of its own"),
        required=False,
        help_text=_(
            "Each student then gets every question of the pool: lower the number afterwards to draw a random selection."
        ),
    )


# --- the registrar's proctor and grader assignments --------------------------------------


class _ExamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        opens = timezone.localtime(obj.opens_at).strftime("%d.%m.%Y %H:%M")
        return f"{obj.title} · {obj.choice.group.code} · {opens}"


class _PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


def _set_choices(form: forms.Form, **querysets: Any) -> None:
    for name, queryset in querysets.items():
        field = form.fields[name]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = queryset


class ProctorAssignmentForm(ServiceErrorsMixin, forms.Form):
    """A proctor for one exam, or for every exam of one faculty's students."""

    prefix = "proctor"
    user = _PersonChoiceField(label=_("Proctor"), queryset=None)
    exam = _ExamChoiceField(label=_("Exam"), queryset=None, required=False)
    faculty: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("or faculty"), queryset=None, required=False
    )

    def __init__(self, *args: Any, people: Any, exams: Any, faculties: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _set_choices(self, user=people, exam=exams, faculty=faculties)


class GraderAssignmentForm(ServiceErrorsMixin, forms.Form):
    prefix = "grader"
    user = _PersonChoiceField(label=_("Grader"), queryset=None)
    exam = _ExamChoiceField(label=_("Exam"), queryset=None)

    def __init__(self, *args: Any, people: Any, exams: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _set_choices(self, user=people, exam=exams)
