"""Rubrics: criteria with points per written question, set by the exam's teachers
(docs/GRADING.md "Rubrics").

A rubric is saved as a whole (the form lists every criterion): each criterion needs a
text and points above 0 with at most two decimals, and the points sum to at most the
question's points. Only written questions have rubrics (closed ones are marked by the
auto-grader). A rubric can change while works are being marked: points already given per
criterion stay on their marks (``Mark.criteria``), and criteria removed from the rubric
are no longer shown. One audit entry ``grading.rubric`` per save, before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, NotFoundError, PermissionDeniedError, ValidationFailed
from emtihan.exams.models import Question, QuestionKind
from emtihan.policy import grading as policy

from ..models import Criterion
from .rules import (
    ERR_CRITERION_POINTS,
    ERR_CRITERION_TEXT,
    ERR_NOT_A_NUMBER,
    ERR_NOT_RUBRIC_SETTER,
    ERR_NOT_WRITTEN,
    ERR_QUESTION_NOT_FOUND,
    ERR_RUBRIC_TOO_MANY,
    ERR_RUBRIC_TOO_MUCH,
    ERR_TOO_PRECISE,
)

CENT = Decimal("0.01")
CRITERION_TEXT_MAX = 500
RUBRIC_MAX_CRITERIA = 20


@dataclass(frozen=True)
class CriterionInput:
    """One row of the rubric form as typed (a row with both fields blank is skipped)."""

    text: str
    points: str


def rubric_set(*, actor: User, question_id: int, rows: list[CriterionInput]) -> list[Criterion]:
    """Replace the rubric of a written question; returns the criteria saved."""
    from .marking import parse_points

    with transaction.atomic():
        question = (
            Question.objects.select_for_update()
            .select_related("exam__choice")
            .filter(pk=question_id)
        ).first()
        if question is None:
            raise NotFoundError(_(ERR_QUESTION_NOT_FOUND))
        if not policy.may_set_rubric(actor, question.exam):
            raise PermissionDeniedError(_(ERR_NOT_RUBRIC_SETTER))
        if question.kind != QuestionKind.WRITTEN:
            raise DomainError(_(ERR_NOT_WRITTEN))
        errors: dict[str, list[str]] = {}
        kept: list[tuple[str, Decimal]] = []
        for number, row in enumerate(rows):
            text, raw = row.text.strip(), row.points.strip()
            if not text and not raw:
                continue
            if not text or len(text) > CRITERION_TEXT_MAX:
                errors.setdefault(f"c{number}-text", []).append(_(ERR_CRITERION_TEXT))
            try:
                value = parse_points(raw)
            except ValueError:
                errors.setdefault(f"c{number}-points", []).append(_(ERR_NOT_A_NUMBER))
                continue
            if value is None or value <= 0:
                errors.setdefault(f"c{number}-points", []).append(_(ERR_CRITERION_POINTS))
                continue
            if value != value.quantize(CENT):
                errors.setdefault(f"c{number}-points", []).append(_(ERR_TOO_PRECISE))
                continue
            kept.append((text, value.quantize(CENT)))
        if len(kept) > RUBRIC_MAX_CRITERIA:
            errors.setdefault("__all__", []).append(
                _(ERR_RUBRIC_TOO_MANY) % {"n": RUBRIC_MAX_CRITERIA}
            )
        total = sum((p for _t, p in kept), Decimal(0))
        if not errors and total > question.points:
            errors.setdefault("__all__", []).append(
                _(ERR_RUBRIC_TOO_MUCH) % {"sum": total, "points": question.points}
            )
        if errors:
            raise ValidationFailed(errors=errors)
        before = [
            {"text": c.text, "points": str(c.points)}
            for c in Criterion.objects.filter(question=question)
        ]
        Criterion.objects.filter(question=question).delete()
        saved = Criterion.objects.bulk_create(
            [
                Criterion(question=question, position=number, text=text, points=points)
                for number, (text, points) in enumerate(kept)
            ]
        )
        audit_record(
            actor=actor,
            action="grading.rubric",
            obj=question,
            data={
                "exam": question.exam_id,
                "question": question.pk,
                "before": before,
                "after": [{"text": t, "points": str(p)} for t, p in kept],
            },
        )
    return saved
