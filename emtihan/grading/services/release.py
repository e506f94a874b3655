"""Releasing an exam's results (docs/GRADING.md, "Release").

The exam's teachers or the exam office release; what is released is every **marked**
work not released yet whose sitting counts: no decision needed, or accepted. A sitting
waiting for a decision is held back until it is decided; a cancelled or postponed one is
never released (the student sees that decision instead). Works still being marked wait
for the next release: releasing again releases what has been marked since.

Each released work gets its result frozen (points, maximum, whole percentage rounded half
up, letter, GPA points, traditional mark under the default scale at that moment), one
audit entry (``grading.release``) for the release and one mail per student, in their
language, enqueued in the release's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.attempts.models import Decision
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, PermissionDeniedError
from emtihan.exams.models import Exam, Question
from emtihan.policy import grading as policy

from ..models import Mark, Work, WorkState
from ..notifications import result_mail
from ..scale import bands_of, default_scale, grade_for, percent_of
from .rules import ERR_NOT_RELEASER, ERR_NOTHING_TO_RELEASE
from .works import works_ensure

COUNTING = (Decision.NONE, Decision.CONTINUE)


def releasable(exam: Exam) -> QuerySet[Work]:
    """The works a release would release now."""
    return Work.objects.filter(
        exam=exam,
        state=WorkState.MARKED,
        released_at__isnull=True,
        attempt__decision__in=COUNTING,
    )


@dataclass(frozen=True)
class ReleaseSummary:
    """What a release would do / did: works released, works still being marked, works
    held back for a decision (waiting, cancelled or postponed), already released."""

    ready: int
    not_marked: int
    held: int
    released_before: int


def release_summary(exam: Exam) -> ReleaseSummary:
    works = Work.objects.filter(exam=exam)
    return ReleaseSummary(
        ready=releasable(exam).count(),
        not_marked=works.exclude(state=WorkState.MARKED)
        .filter(released_at__isnull=True)
        .exclude(attempt__decision__in=(Decision.CANCEL, Decision.POSTPONE))
        .count(),
        held=works.filter(released_at__isnull=True, state=WorkState.MARKED)
        .exclude(attempt__decision__in=COUNTING)
        .count(),
        released_before=works.filter(released_at__isnull=False).count(),
    )


def maximum_of(layout: list[dict], points: dict[int, Decimal]) -> Decimal:
    return sum((points.get(entry["q"], Decimal(0)) for entry in layout), Decimal(0))


def results_release(*, actor: User, exam: Exam, now: dt.datetime | None = None) -> list[Work]:
    """Release every releasable work of ``exam``; returns them. Refused when there is none."""
    now = now or timezone.now()
    if not policy.may_release(actor, exam):
        raise PermissionDeniedError(_(ERR_NOT_RELEASER))
    works_ensure(exam=exam, now=now)
    with transaction.atomic():
        # Race: a grader saving a work as it is released; the works' row locks order
        # them (``Work.lock``), so a mark saved first is in the result and one saved
        # after finds the work released.
        works = list(
            releasable(exam)
            .select_for_update(of=("self",))
            .select_related("attempt")
            .order_by("pk")
        )
        if not works:
            raise DomainError(_(ERR_NOTHING_TO_RELEASE))
        totals = dict(
            Mark.objects.filter(work__in=works)
            .values_list("work_id")
            .annotate(total=Sum("points"))
            .values_list("work_id", "total")
        )
        question_ids = {entry["q"] for w in works for entry in w.attempt.layout}
        points = dict(Question.objects.filter(pk__in=question_ids).values_list("pk", "points"))
        scale = default_scale()
        bands = bands_of(scale)
        for work in works:
            total = totals.get(work.pk) or Decimal(0)
            maximum = maximum_of(work.attempt.layout, points)
            percent = percent_of(total, maximum)
            work.release(
                by=actor,
                now=now,
                points=total,
                maximum=maximum,
                percent=percent,
                band=None if percent is None else grade_for(percent, bands=bands),
            )
        audit_record(
            actor=actor,
            action="grading.release",
            obj=exam,
            data={
                "scale": scale.name if scale else None,
                "works": [
                    {"code": w.code, "points": str(w.result_points), "letter": w.result_letter}
                    for w in works
                ],
            },
        )
        for work in works:
            result_mail.enqueue(work_id=work.pk)
    return works
