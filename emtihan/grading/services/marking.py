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
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, NotFoundError, PermissionDeniedError, ValidationFailed
from emtihan.exams.models import Question
from emtihan.policy import grading as policy

from ..models import COMMENT_MAX_LENGTH, Criterion, Mark, MarkingSettings, Work, WorkState
from .rules import (
    ERR_COMMENT_TOO_LONG,
    ERR_CRITERIA_DISAGREE,
    ERR_CRITERION_RANGE,
    ERR_NOT_A_NUMBER,
    ERR_NOT_GRADER,
    ERR_OUT_OF_RANGE,
    ERR_REASON_REQUIRED,
    ERR_RELEASED,
    ERR_SECOND_ON,
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
    # Points per rubric criterion as typed ({criterion id: raw text}); blank: not given.
    criteria: dict[int, str] = field(default_factory=dict)


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


def locked_work(work_id: int) -> Work:
    """The work, locked for the rest of the transaction (``Work.lock``); "not found"
    when there is none."""
    try:
        return Work.lock(work_id)
    except Work.DoesNotExist:
        raise NotFoundError(_(ERR_WORK_NOT_FOUND)) from None


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
        work = locked_work(work_id)
        if not policy.may_mark(actor, work.exam_id):
            raise PermissionDeniedError(_(ERR_NOT_GRADER))
        if work.released:
            raise DomainError(_(ERR_RELEASED))
        if MarkingSettings.objects.filter(exam_id=work.exam_id, second_marking=True).exists():
            raise DomainError(_(ERR_SECOND_ON))
        if revision != work.revision:
            raise DomainError(_(ERR_STALE))
        stored = {m.question_id: m for m in Mark.objects.filter(work=work)}
        points_of = dict(Question.objects.filter(pk__in=list(stored)).values_list("pk", "points"))
        rubric = criteria_of(list(stored))
        errors: dict[str, list[str]] = {}
        changed: list[tuple[Mark, dict[str, str | None]]] = []
        for item in marks:
            mark = stored.get(item.question_id)
            if mark is None:
                continue
            checked = checked_input(
                item,
                maximum=points_of[item.question_id],
                auto=mark.auto_points,
                current=mark.points,
                rubric=rubric.get(item.question_id, []),
                errors=errors,
            )
            if checked is None:
                continue
            value, comment, reason = checked.points, checked.comment, checked.reason
            per_criterion = checked.criteria
            if (value, comment, reason, per_criterion) == (
                mark.points,
                mark.comment,
                mark.override_reason,
                mark.criteria or {},
            ):
                continue
            before = {"points": _str(mark.points), "comment": mark.comment}
            mark.points, mark.comment, mark.override_reason = value, comment, reason
            mark.criteria = per_criterion
            mark.marked_by, mark.marked_at = actor, now
            changed.append((mark, before))
        if errors:
            raise ValidationFailed(errors=errors)
        for mark, before in changed:
            mark.save(
                update_fields=[
                    "points",
                    "comment",
                    "override_reason",
                    "criteria",
                    "marked_by",
                    "marked_at",
                ]
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
                    "criteria": mark.criteria,
                },
            )
        work.state = work_state(list(stored.values()), saved_by_grader=True)
        work.revision += 1
        work.marked_at = now
        work.save(update_fields=["state", "revision", "marked_at"])
    return work


@dataclass(frozen=True)
class Checked:
    """One question's input once checked: the mark (the criteria's sum when given), the
    comment, the reason for overriding the auto-grader (kept only when it differs) and
    the points per criterion."""

    points: Decimal | None
    comment: str
    reason: str
    criteria: dict[str, str]


def checked_input(
    item: MarkInput,
    *,
    maximum: Decimal,
    auto: Decimal | None,
    current: Decimal | None,
    rubric: list[Criterion],
    errors: dict[str, list[str]],
) -> Checked | None:
    """Check one question's input (None: refused, the messages in ``errors``).
    ``current`` is the mark stored for this grader (the rubric rule needs it)."""
    field = f"q{item.question_id}"
    value = _checked_points(item.points, maximum, field, errors)
    if field in errors:
        return None
    given = checked_criteria(item, rubric, errors)
    if any(key.startswith(f"{field}-c") for key in errors):
        return None
    if given:
        value = rubric_mark(given, value, current, field, errors)
        if field in errors:
            return None
    comment = item.comment.strip()
    reason = item.reason.strip()
    if len(comment) > COMMENT_MAX_LENGTH or len(reason) > COMMENT_MAX_LENGTH:
        errors.setdefault(f"{field}-comment", []).append(_(ERR_COMMENT_TOO_LONG))
        return None
    overrides = auto is not None and value != auto
    if overrides and not reason:
        errors.setdefault(f"{field}-reason", []).append(_(ERR_REASON_REQUIRED) % {"auto": auto})
        return None
    return Checked(
        points=value,
        comment=comment,
        reason=reason if overrides else "",
        criteria={str(k): str(v) for k, v in given.items()},
    )


def criteria_of(question_ids: list[int]) -> dict[int, list[Criterion]]:
    """The rubric of each question (one query)."""
    found: dict[int, list[Criterion]] = {}
    for criterion in Criterion.objects.filter(question_id__in=question_ids):
        found.setdefault(criterion.question_id, []).append(criterion)
    return found


def checked_criteria(
    item: MarkInput, rubric: list[Criterion], errors: dict[str, list[str]]
) -> dict[int, Decimal]:
    """The points given per criterion (blank ones left out), each 0..its points."""
    given: dict[int, Decimal] = {}
    for criterion in rubric:
        field = f"q{item.question_id}-c{criterion.pk}"
        raw = item.criteria.get(criterion.pk, "")
        try:
            value = parse_points(raw)
        except ValueError:
            errors.setdefault(field, []).append(_(ERR_NOT_A_NUMBER))
            continue
        if value is None:
            continue
        if value < 0 or value > criterion.points:
            errors.setdefault(field, []).append(
                _(ERR_CRITERION_RANGE) % {"points": criterion.points}
            )
            continue
        if value != value.quantize(CENT):
            errors.setdefault(field, []).append(_(ERR_TOO_PRECISE))
            continue
        given[criterion.pk] = value.quantize(CENT)
    return given


def rubric_mark(
    given: dict[int, Decimal],
    typed: Decimal | None,
    stored: Decimal | None,
    field: str,
    errors: dict[str, list[str]],
) -> Decimal | None:
    """The mark when points were given per criterion: their sum. The mark field may be
    blank, equal the sum, or still hold the stored mark (the grader changed only the
    criteria); a new mark that disagrees with the criteria is refused."""
    total = sum(given.values(), Decimal(0))
    if typed is None or typed in (total, stored):
        return total
    errors.setdefault(field, []).append(_(ERR_CRITERIA_DISAGREE) % {"sum": total, "mark": typed})
    return None


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
