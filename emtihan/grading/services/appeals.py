"""Appeals against a released result (docs/GRADING.md, "Appeals").

- The student files **one** appeal per result, with a reason, within the appeal period:
  ``settings.GRADING_APPEAL_DAYS`` days (3 by default) after the work's release. After the
  period, or with an appeal already filed, the filing is refused with a message.
- The appeal commission (``policy.grading.may_review_appeal``: the exam's teachers and
  the exam office) decides: **changes** one or more marks (each kept as an
  ``AppealChange`` with the points before and after; the result is recomputed under the
  scale in use and the new result replaces the released one), or **rejects** it with a
  reason. The decision is final.
- Every step is audited (``grading.appeal_file``, ``grading.appeal_decide``, with the
  marks and results before and after); the student gets a mail on the outcome in their
  language, enqueued in the decision's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, NotFoundError, PermissionDeniedError, ValidationFailed
from emtihan.exams.models import Question
from emtihan.policy import grading as policy

from ..models import APPEAL_REASON_MAX_LENGTH, Appeal, AppealChange, AppealStatus, Mark, Work
from ..notifications import appeal_mail
from ..scale import bands_of, default_scale, grade_for, percent_of
from .marking import CENT, parse_points
from .release import COUNTING
from .rules import (
    ERR_APPEAL_CLOSED,
    ERR_APPEAL_DECIDED,
    ERR_APPEAL_EXISTS,
    ERR_APPEAL_NOT_FOUND,
    ERR_APPEAL_REASON,
    ERR_APPEAL_TOO_LONG,
    ERR_MARK_REQUIRED,
    ERR_NO_CHANGE,
    ERR_NOT_A_NUMBER,
    ERR_NOT_RELEASED_YET,
    ERR_NOT_REVIEWER,
    ERR_NOT_YOUR_RESULT,
    ERR_OUT_OF_RANGE,
    ERR_REJECT_REASON,
    ERR_TOO_PRECISE,
)


def appeal_deadline(work: Work) -> dt.datetime | None:
    """The end of the appeal period of a released work (None: not released)."""
    if work.released_at is None:
        return None
    return work.released_at + dt.timedelta(days=settings.GRADING_APPEAL_DAYS)


def may_still_appeal(work: Work, now: dt.datetime | None = None) -> bool:
    """Whether the period is open and no appeal was filed (the result page's form)."""
    deadline = appeal_deadline(work)
    if deadline is None or (now or timezone.now()) > deadline:
        return False
    return not Appeal.objects.filter(work=work).exists()


def _deadline_text(deadline: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(deadline), "DATETIME_FORMAT")


def appeal_file(
    *, actor: User, attempt_id: int, reason: str, now: dt.datetime | None = None
) -> Appeal:
    """File the student's appeal against the released result of their sitting."""
    now = now or timezone.now()
    reason = reason.strip()
    with transaction.atomic():
        work = (
            Work.objects.select_for_update(of=("self",))
            .select_related("attempt__student")
            .filter(attempt_id=attempt_id)
            .first()
        )
        if work is None or not policy.may_file_appeal(actor, work.attempt.student.user_id):
            raise NotFoundError(_(ERR_NOT_YOUR_RESULT))
        if not work.released or work.attempt.decision not in COUNTING:
            raise DomainError(_(ERR_NOT_RELEASED_YET))
        if Appeal.objects.filter(work=work).exists():
            raise DomainError(_(ERR_APPEAL_EXISTS))
        deadline = appeal_deadline(work)
        if deadline is None or now > deadline:
            raise DomainError(_(ERR_APPEAL_CLOSED) % {"deadline": _deadline_text(deadline or now)})
        if not reason:
            raise ValidationFailed({"reason": [_(ERR_APPEAL_REASON)]})
        if len(reason) > APPEAL_REASON_MAX_LENGTH:
            raise ValidationFailed({"reason": [_(ERR_APPEAL_TOO_LONG)]})
        appeal = Appeal.objects.create(
            work=work,
            reason=reason,
            filed_by=actor,
            filed_at=now,
            points_before=work.result_points,
            letter_before=work.result_letter,
        )
        audit_record(
            actor=actor,
            action="grading.appeal_file",
            obj=work,
            data={
                "appeal": appeal.pk,
                "code": work.code,
                "exam": work.exam_id,
                "points": str(work.result_points),
                "letter": work.result_letter,
            },
        )
    return appeal


@dataclass(frozen=True)
class NewMark:
    """A reviewer's mark for one question, as typed (``2,5`` or ``2.5``)."""

    question_id: int
    points: str


def appeal_decide(
    *,
    actor: User,
    appeal_id: int,
    change: bool,
    marks: list[NewMark],
    answer: str,
    now: dt.datetime | None = None,
) -> Appeal:
    """Decide an open appeal: ``change`` the marks given in ``marks`` (at least one must
    differ), or reject it (``answer`` is then required). The answer goes to the student."""
    now = now or timezone.now()
    answer = answer.strip()
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("work__exam__choice", "work__attempt")
            .filter(pk=appeal_id)
            .first()
        )
        if appeal is None:
            raise NotFoundError(_(ERR_APPEAL_NOT_FOUND))
        work = Work.lock(appeal.work_id)
        exam = appeal.work.exam
        if not policy.may_review_appeal(actor, exam):
            raise PermissionDeniedError(_(ERR_NOT_REVIEWER))
        if not appeal.is_open:
            raise DomainError(_(ERR_APPEAL_DECIDED))
        if len(answer) > APPEAL_REASON_MAX_LENGTH:
            raise ValidationFailed({"answer": [_(ERR_APPEAL_TOO_LONG)]})
        before = {"points": str(work.result_points), "letter": work.result_letter}
        changes: list[AppealChange] = []
        if change:
            changes = _changed_marks(appeal, work, marks)
        elif not answer:
            raise ValidationFailed({"answer": [_(ERR_REJECT_REASON)]})
        criteria_before = dict(
            Mark.objects.filter(
                work=work, question_id__in=[c.question_id for c in changes]
            ).values_list("question_id", "criteria")
        )
        for item in changes:
            item.save()
            # The new mark stands alone: points per rubric criterion given before no
            # longer add up to it (they stay in the audit entry).
            Mark.objects.filter(work=work, question_id=item.question_id).update(
                points=item.points_after, criteria={}, marked_by=actor, marked_at=now
            )
        if changes:
            _recompute(work)
        appeal.status = AppealStatus.CHANGED if change else AppealStatus.REJECTED
        appeal.answer, appeal.decided_by, appeal.decided_at = answer, actor, now
        appeal.save(update_fields=["status", "answer", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="grading.appeal_decide",
            obj=work,
            data={
                "appeal": appeal.pk,
                "code": work.code,
                "exam": work.exam_id,
                "outcome": appeal.status,
                "answer": answer,
                "changes": [
                    {
                        "question": c.question_id,
                        "points_before": None if c.points_before is None else str(c.points_before),
                        "points_after": str(c.points_after),
                        "criteria_before": criteria_before.get(c.question_id) or {},
                    }
                    for c in changes
                ],
                "before": before,
                "after": {"points": str(work.result_points), "letter": work.result_letter},
            },
        )
        appeal_mail.enqueue(appeal_id=appeal.pk)
    return appeal


def _changed_marks(appeal: Appeal, work: Work, marks: list[NewMark]) -> list[AppealChange]:
    stored = {m.question_id: m for m in Mark.objects.filter(work=work)}
    maxima = dict(Question.objects.filter(pk__in=list(stored)).values_list("pk", "points"))
    errors: dict[str, list[str]] = {}
    changes = []
    for item in marks:
        mark = stored.get(item.question_id)
        if mark is None:
            continue
        field = f"q{item.question_id}"
        maximum = maxima[item.question_id]
        try:
            value = parse_points(item.points)
        except ValueError:
            errors[field] = [_(ERR_NOT_A_NUMBER)]
            continue
        if value is None:
            errors[field] = [_(ERR_MARK_REQUIRED) % {"points": maximum}]
            continue
        if value < 0 or value > maximum:
            errors[field] = [_(ERR_OUT_OF_RANGE) % {"points": maximum}]
            continue
        if value != value.quantize(CENT):
            errors[field] = [_(ERR_TOO_PRECISE)]
            continue
        value = value.quantize(CENT)
        if value != mark.points:
            changes.append(
                AppealChange(
                    appeal=appeal,
                    question_id=item.question_id,
                    points_before=mark.points,
                    points_after=value,
                )
            )
    if errors:
        raise ValidationFailed(errors)
    if not changes:
        raise ValidationFailed({"__all__": [_(ERR_NO_CHANGE)]})
    return changes


def _recompute(work: Work) -> None:
    """The work's result after the appeal, under the scale in use now (the release's
    maximum stands: the questions did not change)."""
    total = Decimal(Mark.objects.filter(work=work).aggregate(total=Sum("points"))["total"] or 0)
    total = total.quantize(CENT)
    maximum = work.result_max or Decimal(0)
    percent = percent_of(total, maximum)
    band = None if percent is None else grade_for(percent, bands=bands_of(default_scale()))
    work.result_points = total
    work.result_percent = percent
    work.result_letter = band.letter if band else ""
    work.result_gpa = band.gpa if band else None
    work.result_traditional = band.traditional if band else ""
    work.save(
        update_fields=[
            "result_points",
            "result_percent",
            "result_letter",
            "result_gpa",
            "result_traditional",
        ]
    )
