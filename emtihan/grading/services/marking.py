"""A grader's marks on one work: points per question (0..its points, two decimals), a
comment, and for a closed question a reason whenever the mark differs from the
auto-grader's. Every changed mark is one audit entry (``grading.mark``) naming the work by
its code, never the student.

A save names the work's ``revision`` it was based on: a save based on an older one (a
second grader or tab saved in between) is refused as a whole, never applied over the
other's marks (the same rule as the students' answers, DESIGN.md invariant 3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, NotFoundError, PermissionDeniedError, ValidationFailed
from emtihan.exams.models import Question
from emtihan.policy import grading as policy

from ..models import COMMENT_MAX_LENGTH, Mark, Work, WorkState
from .rules import (
    ERR_COMMENT_TOO_LONG,
    ERR_NOT_A_NUMBER,
    ERR_NOT_GRADER,
    ERR_OUT_OF_RANGE,
    ERR_REASON_REQUIRED,
    ERR_RELEASED,
    ERR_STALE,
    ERR_TOO_PRECISE,
    ERR_WORK_NOT_FOUND,
)

CENT = Decimal("0.01")


@dataclass(frozen=True)
class MarkInput:
    """One question's fields as the grader typed them: ``points`` is the raw text
    (blank: not marked; ``2,5`` and ``2.5`` both read as 2.5)."""

    question_id: int
    points: str
    comment: str = ""
    reason: str = ""


def parse_points(raw: str) -> Decimal | None:
    """The mark a grader typed: None for blank; raises ValueError for anything else that
    is not a plain decimal number."""
    text = raw.strip().replace(",", ".")
    if not text:
        return None
    if not all(c.isdigit() or c in ".-+" for c in text):
        raise ValueError(text)
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value


def work_state(marks: list[Mark], *, saved_by_grader: bool) -> str:
    """Unmarked until a grader saves; then marked once every question has points."""
    if not saved_by_grader:
        return WorkState.UNMARKED
    if all(m.points is not None for m in marks):
        return WorkState.MARKED
    return WorkState.IN_PROGRESS


def work_mark(
    *,
    actor: User,
    work_id: int,
    revision: int,
    marks: list[MarkInput],
    now: dt.datetime | None = None,
) -> Work:
    """Save a grader's marks on a work (the questions not named stay as they are)."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            work = Work.lock(work_id)
        except Work.DoesNotExist:
            raise NotFoundError(_(ERR_WORK_NOT_FOUND)) from None
        if not policy.may_mark(actor, work.exam_id):
            raise PermissionDeniedError(_(ERR_NOT_GRADER))
        if work.released:
            raise DomainError(_(ERR_RELEASED))
        if revision != work.revision:
            raise DomainError(_(ERR_STALE))
        stored = {m.question_id: m for m in Mark.objects.filter(work=work)}
        points_of = dict(Question.objects.filter(pk__in=list(stored)).values_list("pk", "points"))
        errors: dict[str, list[str]] = {}
        changed: list[tuple[Mark, dict[str, str | None]]] = []
        for item in marks:
            mark = stored.get(item.question_id)
            if mark is None:
                continue
            field = f"q{item.question_id}"
            value = _checked_points(item.points, points_of[item.question_id], field, errors)
            if field in errors:
                continue
            comment = item.comment.strip()
            reason = item.reason.strip()
            if len(comment) > COMMENT_MAX_LENGTH or len(reason) > COMMENT_MAX_LENGTH:
                errors.setdefault(f"{field}-comment", []).append(_(ERR_COMMENT_TOO_LONG))
                continue
            overrides = mark.auto_points is not None and value != mark.auto_points
            if overrides and not reason:
                errors.setdefault(f"{field}-reason", []).append(
                    _(ERR_REASON_REQUIRED) % {"auto": mark.auto_points}
                )
                continue
            if not overrides:
                reason = ""
            if (value, comment, reason) == (mark.points, mark.comment, mark.override_reason):
                continue
            before = {"points": _str(mark.points), "comment": mark.comment}
            mark.points, mark.comment, mark.override_reason = value, comment, reason
            mark.marked_by, mark.marked_at = actor, now
            changed.append((mark, before))
        if errors:
            raise ValidationFailed(errors=errors)
        for mark, before in changed:
            mark.save(
                update_fields=["points", "comment", "override_reason", "marked_by", "marked_at"]
            )
            audit_record(
                actor=actor,
                action="grading.mark",
                obj=work,
                data={
                    "code": work.code,
                    "exam": work.exam_id,
                    "question": mark.question_id,
                    "points_before": before["points"],
                    "points": _str(mark.points),
                    "auto_points": _str(mark.auto_points),
                    "override_reason": mark.override_reason,
                    "comment_changed": before["comment"] != mark.comment,
                },
            )
        work.state = work_state(list(stored.values()), saved_by_grader=True)
        work.revision += 1
        work.marked_at = now
        work.save(update_fields=["state", "revision", "marked_at"])
    return work


def _checked_points(
    raw: str, maximum: Decimal, field: str, errors: dict[str, list[str]]
) -> Decimal | None:
    try:
        value = parse_points(raw)
    except ValueError:
        errors.setdefault(field, []).append(_(ERR_NOT_A_NUMBER))
        return None
    if value is None:
        return None
    if value < 0 or value > maximum:
        errors.setdefault(field, []).append(_(ERR_OUT_OF_RANGE) % {"points": maximum})
        return None
    if value != value.quantize(CENT):
        errors.setdefault(field, []).append(_(ERR_TOO_PRECISE))
        return None
    return value.quantize(CENT)


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
