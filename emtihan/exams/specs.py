"""What each question kind's ``spec`` must hold, checked the same way for every door
(the teacher's form, the API, the importers).

``spec_clean(kind, spec)`` returns the spec as it will be stored (option HTML sanitised,
numbers as floats, unknown keys dropped) and a list of problems (untranslated message
constants with their parameters); an empty list means the spec is valid.

| kind | spec |
|---|---|
| written | ``{}`` |
| single, multiple | ``{"options": [{"id": "a", "html": "...", "fraction": 1.0}, ...]}`` |
| true_false | ``{"correct": true}`` |
| short | ``{"answers": [{"text": "Paris", "fraction": 1.0}], "case_sensitive": false}`` |
| numeric | ``{"answers": [{"value": 3.14, "tolerance": 0.01, "fraction": 1.0}]}`` |

Rules (docs/EXAMS.md): option ids are 1-16 characters ``A-Z a-z 0-9 _ -``, unique;
fractions lie in [-1, 1] for options and [0, 1] for short and numeric answers; a single
choice has exactly one option worth 1.0 (others may give partial or negative credit); a
multiple choice has at least one option worth more than 0 and its positive fractions add
up to 1.0 (as Moodle asks, so choosing exactly the right options gives full marks); short
and numeric questions need an answer worth 1.0.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from emtihan.core import pictures
from emtihan.core.sanitize import has_content, sanitize_html

from .models import QuestionKind

ERR_SPEC_NOT_OBJECT = gettext_noop("The answer specification is not a JSON object.")
ERR_OPTIONS_TOO_FEW = gettext_noop("Give at least two options.")
ERR_OPTIONS_TOO_MANY = gettext_noop("Give at most %(n)d options.")
ERR_OPTION_ID = gettext_noop(
    "Option %(n)d: the id must be 1-16 letters, digits, “_” or “-”, and unique."
)
ERR_OPTION_EMPTY = gettext_noop("Option %(n)d is empty.")
ERR_FRACTION = gettext_noop("%(what)s: the fraction must be a number between %(low)s and 1.")
ERR_SINGLE_ONE_CORRECT = gettext_noop(
    "A single-choice question needs exactly one option worth 100%% (it has %(n)d)."
)
ERR_MULTIPLE_NONE_CORRECT = gettext_noop(
    "A multiple-choice question needs at least one option that gives marks."
)
ERR_MULTIPLE_SUM = gettext_noop(
    "The positive fractions of a multiple-choice question must add up to 100%% (they add up to %(sum)s%%)."
)
ERR_TRUE_FALSE = gettext_noop("Say whether the statement is true or false.")
ERR_ANSWERS_NONE = gettext_noop("Give at least one accepted answer.")
ERR_ANSWERS_TOO_MANY = gettext_noop("Give at most %(n)d answers.")
ERR_ANSWER_TEXT = gettext_noop("Answer %(n)d: the text must be 1-255 characters.")
ERR_ANSWER_VALUE = gettext_noop("Answer %(n)d: the value must be a number.")
ERR_ANSWER_TOLERANCE = gettext_noop("Answer %(n)d: the tolerance must be a number of 0 or more.")
ERR_ANSWERS_NONE_FULL = gettext_noop("One of the answers must give full marks.")
ERR_KIND_UNKNOWN = gettext_noop("Unknown question kind.")
ERR_OPTION_PICTURE = gettext_noop(
    "Option %(n)d: picture %(picture)d is not a PNG, JPEG, GIF or WebP picture, or is larger than %(mb)d MB or %(megapixels)d megapixels (%(side)d pixels on a side)."
)
# The question's text and its options together (``content_problems``): every student's
# exam page carries them, at 9:00 at once.
ERR_BODY_TOO_BIG = gettext_noop("The question is larger than %(mb)d MB with its pictures.")
ERR_BODY_PICTURE = gettext_noop(
    "Picture %(n)d of the question is not a PNG, JPEG, GIF or WebP picture, or is damaged."
)
ERR_BODY_PICTURE_TOO_BIG = gettext_noop("Picture %(n)d of the question is larger than %(mb)d MB.")
ERR_BODY_PICTURE_PIXELS = gettext_noop(
    "Picture %(n)d of the question is %(width)d × %(height)d pixels: make it smaller (at most %(megapixels)d megapixels and %(side)d pixels on a side)."
)
ERR_BODY_PICTURE_FRAMES = gettext_noop(
    "Picture %(n)d of the question is an animation of %(frames)d pictures of %(width)d × %(height)d pixels: make it shorter or smaller."
)

OPTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
MAX_CONTENT_BYTES = 5 * 1024 * 1024  # a question's text and options, pictures included
# The picture limits as messages name them.
LIMITS = {
    "mb": pictures.MAX_PICTURE_BYTES >> 20,
    "megapixels": pictures.MAX_PICTURE_PIXELS // 1_000_000,
    "side": pictures.MAX_PICTURE_SIDE,
}
MAX_OPTIONS = 26
MAX_ANSWERS = 50
ANSWER_TEXT_MAX = 255
# Fractions are compared with this slack: Moodle exports thirds as 0.3333333.
EPSILON = 1e-4


@dataclass
class Problem:
    """One reason a spec is refused: a message constant and its parameters."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        translated = _(self.message)
        return translated % self.params if self.params else translated


def spec_clean(kind: str, spec: Any) -> tuple[dict[str, Any], list[Problem]]:
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        return {}, [Problem(ERR_SPEC_NOT_OBJECT)]
    if kind == QuestionKind.WRITTEN:
        return {}, []
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return _choice(kind, spec)
    if kind == QuestionKind.TRUE_FALSE:
        correct = spec.get("correct")
        if not isinstance(correct, bool):
            return {}, [Problem(ERR_TRUE_FALSE)]
        return {"correct": correct}, []
    if kind == QuestionKind.SHORT:
        return _short(spec)
    if kind == QuestionKind.NUMERIC:
        return _numeric(spec)
    return {}, [Problem(ERR_KIND_UNKNOWN)]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _fraction(value: Any, *, low: float) -> float | None:
    number = _number(value)
    if number is None or number < low - EPSILON or number > 1 + EPSILON:
        return None
    return max(low, min(1.0, number))


def _choice(kind: str, spec: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    raw = spec.get("options")
    if not isinstance(raw, list) or len(raw) < 2:
        return {"options": []}, [Problem(ERR_OPTIONS_TOO_FEW)]
    if len(raw) > MAX_OPTIONS:
        return {"options": []}, [Problem(ERR_OPTIONS_TOO_MANY, {"n": MAX_OPTIONS})]
    options: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, item in enumerate(raw, start=1):
        item = item if isinstance(item, dict) else {}
        option_id = str(item.get("id", "")).strip()
        if not OPTION_ID.match(option_id) or option_id in seen:
            problems.append(Problem(ERR_OPTION_ID, {"n": n}))
        seen.add(option_id)
        html = sanitize_html(str(item.get("html") or ""))
        if not has_content(html):
            problems.append(Problem(ERR_OPTION_EMPTY, {"n": n}))
        for picture, _problem in pictures.inlined_picture_problems(html):
            problems.append(Problem(ERR_OPTION_PICTURE, {"n": n, "picture": picture, **LIMITS}))
        fraction = _fraction(item.get("fraction", 0), low=-1.0)
        if fraction is None:
            what = _("Option %(n)d") % {"n": n}
            problems.append(Problem(ERR_FRACTION, {"what": what, "low": "-1"}))
            fraction = 0.0
        options.append({"id": option_id, "html": html, "fraction": fraction})
    if not problems:
        if kind == QuestionKind.SINGLE:
            full = sum(1 for o in options if o["fraction"] >= 1 - EPSILON)
            if full != 1:
                problems.append(Problem(ERR_SINGLE_ONE_CORRECT, {"n": full}))
        else:
            positive = [o["fraction"] for o in options if o["fraction"] > 0]
            if not positive:
                problems.append(Problem(ERR_MULTIPLE_NONE_CORRECT))
            elif abs(sum(positive) - 1) > 2 * EPSILON:
                total = f"{sum(positive) * 100:.2f}".rstrip("0").rstrip(".")
                problems.append(Problem(ERR_MULTIPLE_SUM, {"sum": total}))
    return {"options": options}, problems


def _answers(spec: dict[str, Any]) -> tuple[list[Any], list[Problem]]:
    raw = spec.get("answers")
    if not isinstance(raw, list) or not raw:
        return [], [Problem(ERR_ANSWERS_NONE)]
    if len(raw) > MAX_ANSWERS:
        return [], [Problem(ERR_ANSWERS_TOO_MANY, {"n": MAX_ANSWERS})]
    return [item if isinstance(item, dict) else {} for item in raw], []


def _answer_fraction(item: dict[str, Any], n: int, problems: list[Problem]) -> float:
    fraction = _fraction(item.get("fraction", 1), low=0.0)
    if fraction is None:
        what = _("Answer %(n)d") % {"n": n}
        problems.append(Problem(ERR_FRACTION, {"what": what, "low": "0"}))
        return 0.0
    return fraction


def _needs_full(answers: list[dict[str, Any]], problems: list[Problem]) -> None:
    if not problems and not any(a["fraction"] >= 1 - EPSILON for a in answers):
        problems.append(Problem(ERR_ANSWERS_NONE_FULL))


def _short(spec: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    raw, problems = _answers(spec)
    answers: list[dict[str, Any]] = []
    for n, item in enumerate(raw, start=1):
        text = " ".join(str(item.get("text") or "").split())
        if not text or len(text) > ANSWER_TEXT_MAX:
            problems.append(Problem(ERR_ANSWER_TEXT, {"n": n}))
        answers.append({"text": text, "fraction": _answer_fraction(item, n, problems)})
    _needs_full(answers, problems)
    return {"answers": answers, "case_sensitive": bool(spec.get("case_sensitive", False))}, problems


def _numeric(spec: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    raw, problems = _answers(spec)
    answers: list[dict[str, Any]] = []
    for n, item in enumerate(raw, start=1):
        value = _number(item.get("value"))
        if value is None:
            problems.append(Problem(ERR_ANSWER_VALUE, {"n": n}))
        tolerance = _number(item.get("tolerance", 0))
        if tolerance is None or tolerance < 0:
            problems.append(Problem(ERR_ANSWER_TOLERANCE, {"n": n}))
        answers.append(
            {
                "value": value if value is not None else 0.0,
                "tolerance": tolerance if tolerance is not None and tolerance >= 0 else 0.0,
                "fraction": _answer_fraction(item, n, problems),
            }
        )
    _needs_full(answers, problems)
    return {"answers": answers}, problems


def content_problems(body: str, spec: dict[str, Any]) -> list[str]:
    """Translated reasons to refuse a question's sanitised ``body`` with its cleaned
    ``spec``: too large in all, or a picture in the text that is not one, has too many
    bytes or too many pixels (options' pictures: ``spec_clean``). Every door checks this:
    the teacher's form, the API and the importers."""
    size = len(body) + sum(len(o.get("html", "")) for o in spec.get("options", []))
    if size > MAX_CONTENT_BYTES:
        return [_(ERR_BODY_TOO_BIG) % {"mb": MAX_CONTENT_BYTES >> 20}]
    messages = []
    for n, problem in pictures.inlined_picture_problems(body):
        params = {"n": n, "width": problem.width, "height": problem.height, **LIMITS}
        if problem.code == pictures.TOO_MANY_BYTES:
            messages.append(_(ERR_BODY_PICTURE_TOO_BIG) % params)
        elif problem.code == pictures.TOO_MANY_PIXELS and problem.frames > 1:
            messages.append(_(ERR_BODY_PICTURE_FRAMES) % {**params, "frames": problem.frames})
        elif problem.code == pictures.TOO_MANY_PIXELS:
            messages.append(_(ERR_BODY_PICTURE_PIXELS) % params)
        else:
            messages.append(_(ERR_BODY_PICTURE) % params)
    return messages
