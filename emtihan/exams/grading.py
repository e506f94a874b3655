"""Automatic grading of closed questions (content formats: docs/EXAM-SITTING.md).

``grade_closed(question, content)`` gives the points an answer earns, a ``Decimal`` with
two places, never below 0 nor above the question's points; ``None`` for a written
question (a person grades it). An answer that is missing, empty or malformed earns 0.

- single, true/false: the chosen option's fraction x points (a negative fraction counts
  as 0: a question never takes away marks earned elsewhere).
- multiple: the sum of the chosen options' fractions, clamped to [0, 1], x points.
- short: the first accepted answer (in the teacher's order, as in Moodle) that matches
  the text, ignoring case unless ``case_sensitive``, and surrounding/repeated spaces;
  ``*`` in an accepted answer matches any run of characters.
- numeric: the text parsed with ``.`` or ``,`` as the decimal separator (spaces between
  digit groups ignored; ``1e3`` accepted); the first answer with
  ``|x - value| <= tolerance`` gives its fraction.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .models import Question, QuestionKind

CENT = Decimal("0.01")
NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
GROUP_SPACES = re.compile(r"(?<=\d)[\s\u00a0\u202f'](?=\d)")


def _dec(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _score(fraction: Decimal, points: Decimal) -> Decimal:
    fraction = min(Decimal(1), max(Decimal(0), fraction))
    return (fraction * points).quantize(CENT, rounding=ROUND_HALF_UP)


def grade_closed(question: Question, content: Any) -> Decimal | None:
    kind = question.kind
    if kind == QuestionKind.WRITTEN:
        return None
    points = _dec(question.points)
    spec = question.spec if isinstance(question.spec, dict) else {}
    content = content if isinstance(content, dict) else {}
    if kind == QuestionKind.TRUE_FALSE:
        choice = content.get("choice")
        if choice not in ("true", "false"):
            return _score(Decimal(0), points)
        right = (choice == "true") == bool(spec.get("correct"))
        return _score(Decimal(1 if right else 0), points)
    if kind == QuestionKind.SINGLE:
        fractions = _option_fractions(spec)
        choice = content.get("choice")
        chosen_fraction = fractions.get(choice, Decimal(0)) if isinstance(choice, str) else None
        return _score(chosen_fraction or Decimal(0), points)
    if kind == QuestionKind.MULTIPLE:
        fractions = _option_fractions(spec)
        chosen = content.get("choices")
        if not isinstance(chosen, list):
            return _score(Decimal(0), points)
        unique = {c for c in chosen if isinstance(c, str)}
        return _score(sum((fractions.get(c, Decimal(0)) for c in unique), Decimal(0)), points)
    if kind == QuestionKind.SHORT:
        return _score(_short_fraction(spec, content.get("text")), points)
    if kind == QuestionKind.NUMERIC:
        return _score(_numeric_fraction(spec, content.get("text")), points)
    return None


def _option_fractions(spec: dict[str, Any]) -> dict[str, Decimal]:
    return {
        str(o.get("id")): _dec(o.get("fraction", 0))
        for o in spec.get("options") or []
        if isinstance(o, dict)
    }


def _normal(text: str, *, case_sensitive: bool) -> str:
    text = " ".join(text.split())
    return text if case_sensitive else text.casefold()


def wildcard_pattern(accepted: str, *, case_sensitive: bool) -> re.Pattern[str]:
    """Moodle's short-answer matching: ``*`` is any run of characters, the rest literal."""
    parts = [re.escape(p) for p in _normal(accepted, case_sensitive=case_sensitive).split("*")]
    return re.compile("^" + ".*".join(parts) + "$", re.DOTALL)


def _short_fraction(spec: dict[str, Any], text: Any) -> Decimal:
    if not isinstance(text, str) or not text.strip():
        return Decimal(0)
    case_sensitive = bool(spec.get("case_sensitive"))
    given = _normal(text, case_sensitive=case_sensitive)
    for answer in spec.get("answers") or []:
        if not isinstance(answer, dict) or not str(answer.get("text", "")).strip():
            continue
        if wildcard_pattern(str(answer["text"]), case_sensitive=case_sensitive).match(given):
            return _dec(answer.get("fraction", 0))
    return Decimal(0)


def parse_number(text: Any) -> Decimal | None:
    """A number as students type it: ``3.14``, ``3,14``, ``-0,5``, ``1 000``, ``1e-3``."""
    if not isinstance(text, str):
        return None
    value = GROUP_SPACES.sub("", text.strip())
    if "," in value:
        if "." in value or value.count(",") > 1:
            return None
        value = value.replace(",", ".")
    if not NUMBER.match(value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _numeric_fraction(spec: dict[str, Any], text: Any) -> Decimal:
    given = parse_number(text)
    if given is None:
        return Decimal(0)
    for answer in spec.get("answers") or []:
        if not isinstance(answer, dict):
            continue
        value, tolerance = _dec(answer.get("value")), abs(_dec(answer.get("tolerance", 0)))
        if abs(given - value) <= tolerance:
            return _dec(answer.get("fraction", 0))
    return Decimal(0)
