"""Questions: create, change, delete (the body sanitised, its inlined pictures checked by
``specs.content_problems``, as for imports)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, ValidationFailed
from emtihan.core.sanitize import has_content, sanitize_html

from ..models import Exam, Question, QuestionKind, QuestionPool
from ..specs import content_problems, spec_clean
from .rules import (
    ERR_BODY_REQUIRED,
    ERR_EXAM_FULL,
    ERR_KIND,
    ERR_NAME_TOO_LONG,
    ERR_ORDER,
    ERR_POINTS,
    ERR_POOL_OTHER_EXAM,
    MAX_POINTS,
    check_editable,
    digest,
    keep_publishable,
    locked_exam,
    next_order,
    whole_number,
)


def _clean_question(
    exam: Exam,
    *,
    kind: Any,
    body: Any,
    spec: Any,
    points: Any,
    name: Any,
    pool: QuestionPool | None,
    order: Any,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if kind not in QuestionKind.values:
        errors["kind"] = [_(ERR_KIND)]
    clean_body = sanitize_html(str(body or ""))
    if not has_content(clean_body):
        errors["body"] = [_(ERR_BODY_REQUIRED)]
    clean_name = " ".join(str(name or "").split())
    if len(clean_name) > 255:
        errors["name"] = [_(ERR_NAME_TOO_LONG)]
    try:
        clean_points = Decimal(str(points)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        clean_points = Decimal(0)
    if not Decimal(0) < clean_points <= MAX_POINTS:
        errors["points"] = [_(ERR_POINTS)]
    if pool is not None and pool.exam_id != exam.pk:
        errors["pool"] = [_(ERR_POOL_OTHER_EXAM)]
    clean_order = None
    if order is not None and order != "":
        clean_order = whole_number(order, 0, 1_000_000)
        if clean_order is None:
            errors["order"] = [_(ERR_ORDER)]
    clean_spec: dict[str, Any] = {}
    if "kind" not in errors:
        clean_spec, problems = spec_clean(kind, spec)
        if problems:
            errors["spec"] = [p.text() for p in problems]
    if "body" not in errors and (body_problems := content_problems(clean_body, clean_spec)):
        errors["body"] = body_problems
    if errors:
        raise ValidationFailed(errors)
    return {
        "kind": kind,
        "body": clean_body,
        "spec": clean_spec,
        "points": clean_points,
        "name": clean_name,
        "pool": pool,
        "order": clean_order,
    }


def _question_audit(question: Question) -> dict[str, Any]:
    return {
        "exam": question.exam_id,
        "kind": question.kind,
        "name": question.name,
        "pool": question.pool_id,
        "points": question.points,
        "order": question.order,
        "content": digest({"body": question.body, "spec": question.spec}),
    }


@transaction.atomic
def question_create(
    *,
    actor: User,
    exam: Exam,
    kind: str,
    body: str,
    spec: dict[str, Any] | None = None,
    points: Decimal | int | str = 1,
    name: str = "",
    pool: QuestionPool | None = None,
    order: int | None = None,
    now: dt.datetime | None = None,
) -> Question:
    """Add a question (the body is sanitised; the spec checked for the kind, see specs)."""
    exam = locked_exam(actor, exam)
    check_editable(exam, now)
    cap = settings.EXAM_MAX_QUESTIONS
    if exam.questions.count() >= cap:  # under the exam's lock: imports count too
        raise DomainError(_(ERR_EXAM_FULL) % {"max": cap})
    values = _clean_question(
        exam, kind=kind, body=body, spec=spec, points=points, name=name, pool=pool, order=order
    )
    if values["order"] is None:
        values["order"] = next_order(exam)
    question = Question.objects.create(exam=exam, **values)
    keep_publishable(exam)
    audit_record(
        actor=actor, action="exams.question_create", obj=question, data=_question_audit(question)
    )
    return question


@transaction.atomic
def question_update(
    *,
    actor: User,
    question: Question,
    kind: str,
    body: str,
    spec: dict[str, Any] | None = None,
    points: Decimal | int | str = 1,
    name: str = "",
    pool: QuestionPool | None = None,
    order: int | None = None,
    now: dt.datetime | None = None,
) -> Question:
    exam = locked_exam(actor, question.exam_id)
    check_editable(exam, now)
    question = Question.objects.get(pk=question.pk)
    values = _clean_question(
        exam, kind=kind, body=body, spec=spec, points=points, name=name, pool=pool, order=order
    )
    if values["order"] is None:
        values["order"] = question.order
    for field_name, value in values.items():
        setattr(question, field_name, value)
    question.save()
    keep_publishable(exam)
    audit_record(
        actor=actor, action="exams.question_update", obj=question, data=_question_audit(question)
    )
    return question


@transaction.atomic
def question_delete(*, actor: User, question: Question, now: dt.datetime | None = None) -> None:
    exam = locked_exam(actor, question.exam_id)
    check_editable(exam, now)
    data = _question_audit(question)
    audit_record(actor=actor, action="exams.question_delete", obj=question, data=data)
    Question.objects.filter(pk=question.pk).delete()
    keep_publishable(exam)
