"""Question pools: a pool gives each student ``pick`` of its questions at random."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, ValidationFailed

from ..models import Exam, QuestionPool
from .rules import (
    ERR_ORDER,
    ERR_POOL_NAME,
    ERR_POOL_NOT_EMPTY,
    ERR_POOL_PICK,
    check_editable,
    keep_publishable,
    locked_exam,
    next_order,
    whole_number,
)


def _clean_pool(name: Any, pick: Any) -> tuple[str, int]:
    errors: dict[str, list[str]] = {}
    clean_name = " ".join(str(name or "").split())
    if not clean_name or len(clean_name) > 255:
        errors["name"] = [_(ERR_POOL_NAME)]
    clean_pick = whole_number(pick, 1, 1000)
    if clean_pick is None:
        errors["pick"] = [_(ERR_POOL_PICK)]
    if errors:
        raise ValidationFailed(errors)
    return clean_name, clean_pick or 1


@transaction.atomic
def pool_create(
    *,
    actor: User,
    exam: Exam,
    name: str,
    pick: int,
    order: int | None = None,
    now: dt.datetime | None = None,
) -> QuestionPool:
    """A pool: each student gets ``pick`` of its questions, placed at ``order`` among the
    exam's fixed questions (the end by default)."""
    exam = locked_exam(actor, exam)
    check_editable(exam, now)
    clean_name, clean_pick = _clean_pool(name, pick)
    clean_order = whole_number(order, 0, 1_000_000) if order is not None else next_order(exam)
    if clean_order is None:
        raise ValidationFailed({"order": [_(ERR_ORDER)]})
    pool = QuestionPool.objects.create(
        exam=exam, name=clean_name, pick=clean_pick, order=clean_order
    )
    keep_publishable(exam)
    audit_record(
        actor=actor,
        action="exams.pool_create",
        obj=pool,
        data={"exam": exam.pk, "name": pool.name, "pick": pool.pick, "order": pool.order},
    )
    return pool


@transaction.atomic
def pool_update(
    *,
    actor: User,
    pool: QuestionPool,
    name: str,
    pick: int,
    order: int | None = None,
    now: dt.datetime | None = None,
) -> QuestionPool:
    exam = locked_exam(actor, pool.exam_id)
    check_editable(exam, now)
    pool = QuestionPool.objects.get(pk=pool.pk)
    pool.name, pool.pick = _clean_pool(name, pick)
    if order is not None:
        clean_order = whole_number(order, 0, 1_000_000)
        if clean_order is None:
            raise ValidationFailed({"order": [_(ERR_ORDER)]})
        pool.order = clean_order
    pool.save()
    keep_publishable(exam)
    audit_record(
        actor=actor,
        action="exams.pool_update",
        obj=pool,
        data={"exam": exam.pk, "name": pool.name, "pick": pool.pick, "order": pool.order},
    )
    return pool


@transaction.atomic
def pool_delete(*, actor: User, pool: QuestionPool, now: dt.datetime | None = None) -> None:
    """Delete an empty pool (its questions are never deleted along with it)."""
    exam = locked_exam(actor, pool.exam_id)
    check_editable(exam, now)
    if pool.questions.exists():
        raise DomainError(_(ERR_POOL_NOT_EMPTY))
    audit_record(
        actor=actor, action="exams.pool_delete", obj=pool, data={"exam": exam.pk, "name": pool.name}
    )
    pool.delete()
    keep_publishable(exam)
