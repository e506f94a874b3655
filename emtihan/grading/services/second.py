"""Second marking (docs/GRADING.md "Second marking").

An exam setting (``MarkingSettings``, off by default): with it on, two graders mark every
work **independently** (``Marking``: one per grader, with a ``MarkingScore`` per
question); the first two graders who save a work are its pair, a third one is turned
away. A grader's marking is **in** once every question has a mark; neither grader sees
the other's marks (the page shows only their own) until both are in. Then:

- every question's difference and the totals' difference within the **threshold**
  (points, or per cent of the question's / the exam's maximum; "more than" the threshold
  differs): the works is **agreed**: each question's final mark is the **mean of the two,
  rounded half up to two decimals**, the comments of both are kept for the student, the
  work is marked;
- otherwise the work waits **to settle**: the exam's teachers, the exam office or a third
  grader give the final marks with a reason (``work_settle``); who, when and why are kept
  on the work.

All marks are kept (the two markings stay; the final one is ``Mark``); release uses the
final mark. Every step is audited: ``grading.mark_independent``, ``grading.agreed``,
``grading.to_settle``, ``grading.settle``, ``grading.settings``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.exams.models import Exam, Question
from emtihan.policy import grading as policy

from ..models import (
    Mark,
    Marking,
    MarkingScore,
    MarkingSettings,
    ThresholdUnit,
    Work,
    WorkState,
)
from .marking import CENT, MarkInput, checked_input, criteria_of, locked_work, parse_points
from .rules import (
    ERR_BOTH_IN,
    ERR_NOT_CONFIGURER,
    ERR_NOT_GRADER,
    ERR_NOT_SECOND,
    ERR_NOT_SETTLER,
    ERR_NOT_TO_SETTLE,
    ERR_RELEASED,
    ERR_SETTINGS_LOCKED,
    ERR_SETTLE_ALL,
    ERR_SETTLE_REASON,
    ERR_STALE,
    ERR_THRESHOLD,
    ERR_TWO_MARKERS,
)

PAIR = 2


def settings_of(exam: Exam | int) -> MarkingSettings | None:
    """The exam's settings when second marking is on (None: marked once)."""
    exam_id = exam.pk if isinstance(exam, Exam) else exam
    return MarkingSettings.objects.filter(exam_id=exam_id, second_marking=True).first()


def marking_started(exam: Exam) -> bool:
    return (
        Marking.objects.filter(work__exam=exam).exists()
        or Work.objects.filter(exam=exam).exclude(state=WorkState.UNMARKED).exists()
    )


def marking_settings_set(
    *,
    actor: User,
    exam: Exam,
    second_marking: bool,
    threshold: str,
    unit: str,
    now: dt.datetime | None = None,
) -> MarkingSettings:
    """Turn second marking on or off and set its threshold (before marking starts)."""
    now = now or timezone.now()
    if not policy.may_configure_marking(actor, exam):
        raise PermissionDeniedError(_(ERR_NOT_CONFIGURER))
    try:
        value = parse_points(threshold) or Decimal(0)
    except ValueError:
        value = Decimal(-1)
    if (
        unit not in ThresholdUnit.values
        or value < 0
        or value != value.quantize(CENT)
        or (unit == ThresholdUnit.PERCENT and value > 100)
        or value >= Decimal("10000")
    ):
        raise ValidationFailed(errors={"threshold": [_(ERR_THRESHOLD)]})
    with transaction.atomic():
        Exam.objects.select_for_update().filter(pk=exam.pk).first()
        current, _created = MarkingSettings.objects.get_or_create(exam=exam)
        wanted = (second_marking, value.quantize(CENT), unit)
        if wanted == (current.second_marking, current.threshold, current.threshold_unit):
            return current
        if marking_started(exam):
            raise DomainError(_(ERR_SETTINGS_LOCKED))
        before = {
            "second_marking": current.second_marking,
            "threshold": str(current.threshold),
            "unit": current.threshold_unit,
        }
        current.second_marking, current.threshold, current.threshold_unit = wanted
        current.updated_by, current.updated_at = actor, now
        current.save()
        audit_record(
            actor=actor,
            action="grading.settings",
            obj=exam,
            data={
                "exam": exam.pk,
                "before": before,
                "after": {"second_marking": second_marking, "threshold": str(value), "unit": unit},
            },
        )
    return current


def independent_mark(
    *,
    actor: User,
    work_id: int,
    revision: int,
    marks: list[MarkInput],
    now: dt.datetime | None = None,
) -> Marking:
    """Save one grader's own marks of a work under second marking."""
    now = now or timezone.now()
    with transaction.atomic():
        work = locked_work(work_id)
        if not policy.may_mark(actor, work.exam_id):
            raise PermissionDeniedError(_(ERR_NOT_GRADER))
        settings = settings_of(work.exam_id)
        if settings is None:
            raise DomainError(_(ERR_NOT_SECOND))
        if work.released:
            raise DomainError(_(ERR_RELEASED))
        marking = marking_for(work, actor, now=now, create=True)
        if marking is None:
            raise DomainError(_(ERR_TWO_MARKERS))
        if work.state in (WorkState.TO_SETTLE, WorkState.MARKED):
            raise DomainError(_(ERR_BOTH_IN))
        if revision != marking.revision:
            raise DomainError(_(ERR_STALE))
        finals = {m.question_id: m for m in Mark.objects.filter(work=work)}
        scores = {s.question_id: s for s in MarkingScore.objects.filter(marking=marking)}
        points_of = dict(Question.objects.filter(pk__in=list(scores)).values_list("pk", "points"))
        rubric = criteria_of(list(scores))
        errors: dict[str, list[str]] = {}
        changed: list[MarkingScore] = []
        for item in marks:
            score = scores.get(item.question_id)
            if score is None:
                continue
            checked = checked_input(
                item,
                maximum=points_of[item.question_id],
                auto=finals[item.question_id].auto_points,
                current=score.points,
                rubric=rubric.get(item.question_id, []),
                errors=errors,
            )
            if checked is None:
                continue
            if (checked.points, checked.comment, checked.criteria) == (
                score.points,
                score.comment,
                score.criteria or {},
            ):
                continue
            score.points, score.comment, score.criteria = (
                checked.points,
                checked.comment,
                checked.criteria,
            )
            changed.append(score)
        if errors:
            raise ValidationFailed(errors=errors)
        for score in changed:
            score.save(update_fields=["points", "comment", "criteria"])
            audit_record(
                actor=actor,
                action="grading.mark_independent",
                obj=work,
                data={
                    "code": work.code,
                    "exam": work.exam_id,
                    "question": score.question_id,
                    "points": None if score.points is None else str(score.points),
                    "criteria": score.criteria,
                },
            )
        complete = all(s.points is not None for s in scores.values())
        marking.submitted_at = now if complete else None
        marking.revision += 1
        marking.save(update_fields=["submitted_at", "revision"])
        work.revision += 1
        work.marked_at = now
        work.state = WorkState.IN_PROGRESS
        work.save(update_fields=["revision", "marked_at", "state"])
        _compare_when_both_in(work, settings, actor=actor, now=now)
    return marking


def marking_for(
    work: Work, grader: User, *, now: dt.datetime, create: bool = False
) -> Marking | None:
    """The grader's own marking of the work (made, with the auto-grader's marks for the
    closed questions, when ``create`` and fewer than two graders mark it; None: two
    others do)."""
    found = Marking.objects.filter(work=work, grader=grader).first()
    if found is not None or not create:
        return found
    if Marking.objects.filter(work=work).count() >= PAIR:
        return None
    marking = Marking.objects.create(work=work, grader=grader, created_at=now)
    MarkingScore.objects.bulk_create(
        [
            MarkingScore(marking=marking, question_id=m.question_id, points=m.auto_points)
            for m in Mark.objects.filter(work=work)
        ]
    )
    return marking


def differs(diff: Decimal, maximum: Decimal, settings: MarkingSettings) -> bool:
    """A difference above the threshold ("more than": equal to it is within)."""
    if settings.threshold_unit == ThresholdUnit.PERCENT:
        if maximum <= 0:
            return False
        return diff * 100 / maximum > settings.threshold
    return diff > settings.threshold


def mean(a: Decimal, b: Decimal) -> Decimal:
    """The agreed mark: the mean of the two, rounded half up to two decimals."""
    return ((a + b) / 2).quantize(CENT, rounding=ROUND_HALF_UP)


def _compare_when_both_in(
    work: Work, settings: MarkingSettings, *, actor: User, now: dt.datetime
) -> None:
    markings = list(Marking.objects.filter(work=work, submitted_at__isnull=False))
    if len(markings) < PAIR:
        return
    first, second = (
        {s.question_id: s for s in MarkingScore.objects.filter(marking=m)} for m in markings[:2]
    )
    points_of = dict(Question.objects.filter(pk__in=list(first)).values_list("pk", "points"))
    apart = [
        q
        for q in first
        if differs(abs(first[q].points - second[q].points), points_of[q], settings)  # type: ignore[operator]
    ]
    total_a = sum((s.points or Decimal(0) for s in first.values()), Decimal(0))
    total_b = sum((s.points or Decimal(0) for s in second.values()), Decimal(0))
    total_apart = differs(abs(total_a - total_b), sum(points_of.values(), Decimal(0)), settings)
    totals = {"code": work.code, "exam": work.exam_id, "totals": [str(total_a), str(total_b)]}
    if apart or total_apart:
        work.state = WorkState.TO_SETTLE
        work.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="grading.to_settle",
            obj=work,
            data={**totals, "questions": sorted(apart), "total_differs": total_apart},
        )
        return
    finals = list(Mark.objects.filter(work=work))
    for mark in finals:
        a, b = first[mark.question_id], second[mark.question_id]
        mark.points = mean(a.points, b.points)  # type: ignore[arg-type]
        mark.comment = "\n\n".join(dict.fromkeys(c for c in (a.comment, b.comment) if c))
        mark.criteria = {}
        mark.marked_by, mark.marked_at = None, now
        if mark.auto_points is not None and mark.points != mark.auto_points:
            mark.override_reason = "second marking: the mean of the two graders' marks"
    Mark.objects.bulk_update(
        finals, ["points", "comment", "criteria", "marked_by", "marked_at", "override_reason"]
    )
    work.state = WorkState.MARKED
    work.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action="grading.agreed",
        obj=work,
        data={**totals, "final": {str(m.question_id): str(m.points) for m in finals}},
    )


def pair_means(work: Work) -> dict[int, Decimal]:
    """Per question, the mean of the two graders' marks (what the settle page offers)."""
    pair = list(Marking.objects.filter(work=work, submitted_at__isnull=False)[:PAIR])
    scores: dict[int, list[Decimal]] = {}
    for score in MarkingScore.objects.filter(marking__in=pair, points__isnull=False):
        scores.setdefault(score.question_id, []).append(score.points)  # type: ignore[arg-type]
    return {q: mean(*points) for q, points in scores.items() if len(points) == PAIR}


def work_settle(
    *,
    actor: User,
    work_id: int,
    marks: list[MarkInput],
    reason: str,
    now: dt.datetime | None = None,
) -> Work:
    """Settle a work whose two markings differ too much: the final mark of every question
    and the reason, kept with who and when."""
    now = now or timezone.now()
    with transaction.atomic():
        work = locked_work(work_id)
        pair = set(Marking.objects.filter(work=work).values_list("grader_id", flat=True))
        exam = Exam.objects.select_related("choice").get(pk=work.exam_id)
        if not policy.may_settle(actor, exam, pair):
            raise PermissionDeniedError(_(ERR_NOT_SETTLER))
        if work.state != WorkState.TO_SETTLE or work.released:
            raise DomainError(_(ERR_NOT_TO_SETTLE))
        reason = reason.strip()
        errors: dict[str, list[str]] = {}
        if not reason or len(reason) > 2000:
            errors["reason"] = [_(ERR_SETTLE_REASON)]
        finals = {m.question_id: m for m in Mark.objects.filter(work=work)}
        points_of = dict(Question.objects.filter(pk__in=list(finals)).values_list("pk", "points"))
        typed = {item.question_id: item for item in marks}
        means = pair_means(work)
        changed: list[tuple[Mark, str | None]] = []
        for question_id, mark in finals.items():
            # A question not named keeps the mean of the two graders' marks.
            default = means.get(question_id)
            item = typed.get(question_id) or MarkInput(
                question_id, "" if default is None else str(default)
            )
            if not item.reason:
                item = MarkInput(question_id, item.points, item.comment, reason or "-")
            checked = checked_input(
                item,
                maximum=points_of[question_id],
                auto=mark.auto_points,
                current=None,
                rubric=[],
                errors=errors,
            )
            if checked is None:
                continue
            if checked.points is None:
                errors.setdefault(f"q{question_id}", []).append(_(ERR_SETTLE_ALL))
                continue
            before = None if mark.points is None else str(mark.points)
            mark.points, mark.comment, mark.override_reason = (
                checked.points,
                checked.comment,
                checked.reason,
            )
            mark.criteria, mark.marked_by, mark.marked_at = {}, actor, now
            changed.append((mark, before))
        if errors:
            raise ValidationFailed(errors=errors)
        Mark.objects.bulk_update(
            [m for m, _b in changed],
            ["points", "comment", "override_reason", "criteria", "marked_by", "marked_at"],
        )
        work.state = WorkState.MARKED
        work.settled_by, work.settled_at, work.settle_reason = actor, now, reason
        work.revision += 1
        work.save(update_fields=["state", "settled_by", "settled_at", "settle_reason", "revision"])
        audit_record(
            actor=actor,
            action="grading.settle",
            obj=work,
            data={
                "code": work.code,
                "exam": work.exam_id,
                "reason": reason,
                "final": {str(m.question_id): str(m.points) for m, _b in changed},
            },
        )
    return work
