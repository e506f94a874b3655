"""Exams: create, change settings, publish, withdraw, delete."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.examforms.models import ChoiceStatus, ExamFormChoice
from emtihan.policy import exams as policy

from ..models import Exam, ExamStatus, ProctoringLevel, TimeoutPolicy
from .rules import (
    ERR_ABSENCE_CAP,
    ERR_ALREADY_PUBLISHED,
    ERR_CHOICE_NOT_APPROVED,
    ERR_CHOICE_NOT_HOSTED,
    ERR_CLOSES_REQUIRED,
    ERR_DELETE_HAS_ATTEMPTS,
    ERR_DELETE_PUBLISHED,
    ERR_DURATION,
    ERR_EXAM_EXISTS,
    ERR_IDENTITY_CHECK_ATTEMPTS,
    ERR_NOT_PUBLISHED,
    ERR_NOT_YOUR_EXAM,
    ERR_OPENS_REQUIRED,
    ERR_PROCTORING_LEVEL,
    ERR_RETENTION_DAYS,
    ERR_SNAPSHOT_INTERVAL,
    ERR_TIMEOUT_POLICY,
    ERR_TITLE_REQUIRED,
    ERR_WINDOW_ORDER,
    ERR_WINDOW_PASSED,
    IDENTITY_CHECK_ATTEMPTS_RANGE,
    MAX_ABSENCE_CAP_MINUTES,
    MAX_DURATION_MINUTES,
    RETENTION_DAYS_RANGE,
    SNAPSHOT_INTERVAL_RANGE,
    check_editable,
    has_attempts,
    is_hosted,
    locked_exam,
    publish_problems,
    whole_number,
)

EXAM_FIELDS = (
    "title",
    "description",
    "opens_at",
    "closes_at",
    "duration_minutes",
    "allow_formulas",
    "allow_drawings",
    "allow_pictures",
    "allowed_other",
    "timeout_policy",
    "absence_cap_minutes",
    "shuffle_questions",
    "shuffle_options",
    "proctoring",
    "snapshot_interval_seconds",
    "identity_check_attempts",
    "proctoring_retention_days",
)


def _aware(value: Any) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _clean_exam(values: dict[str, Any]) -> dict[str, Any]:
    """Checks every field of an exam; returns the model's values or raises."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    title = " ".join(str(values.get("title") or "").split())
    if not title or len(title) > 255:
        add("title", _(ERR_TITLE_REQUIRED))
    opens_at, closes_at = _aware(values.get("opens_at")), _aware(values.get("closes_at"))
    if opens_at is None:
        add("opens_at", _(ERR_OPENS_REQUIRED))
    if closes_at is None:
        add("closes_at", _(ERR_CLOSES_REQUIRED))
    if opens_at and closes_at and closes_at <= opens_at:
        add("closes_at", _(ERR_WINDOW_ORDER))
    duration = whole_number(values.get("duration_minutes"), 1, MAX_DURATION_MINUTES)
    if duration is None:
        add("duration_minutes", _(ERR_DURATION) % {"max": MAX_DURATION_MINUTES})
    cap = whole_number(values.get("absence_cap_minutes"), 1, MAX_ABSENCE_CAP_MINUTES)
    if cap is None:
        add("absence_cap_minutes", _(ERR_ABSENCE_CAP) % {"max": MAX_ABSENCE_CAP_MINUTES})
    policy = values.get("timeout_policy")
    if policy not in TimeoutPolicy.values:
        add("timeout_policy", _(ERR_TIMEOUT_POLICY))
    proctoring = values.get("proctoring", ProctoringLevel.OFF)
    if proctoring not in ProctoringLevel.values:
        add("proctoring", _(ERR_PROCTORING_LEVEL))
    bounded = {
        "snapshot_interval_seconds": (SNAPSHOT_INTERVAL_RANGE, ERR_SNAPSHOT_INTERVAL, 20),
        "identity_check_attempts": (IDENTITY_CHECK_ATTEMPTS_RANGE, ERR_IDENTITY_CHECK_ATTEMPTS, 3),
        "proctoring_retention_days": (RETENTION_DAYS_RANGE, ERR_RETENTION_DAYS, 90),
    }
    numbers: dict[str, int] = {}
    for name, ((low, high), message, default) in bounded.items():
        number = whole_number(values.get(name, default), low, high)
        if number is None:
            add(name, _(message) % {"min": low, "max": high})
        numbers[name] = number or default
    if errors:
        raise ValidationFailed(errors)
    return {
        "title": title,
        "description": str(values.get("description") or "").strip(),
        "opens_at": opens_at,
        "closes_at": closes_at,
        "duration_minutes": duration,
        "allow_formulas": bool(values.get("allow_formulas")),
        "allow_drawings": bool(values.get("allow_drawings")),
        "allow_pictures": bool(values.get("allow_pictures")),
        "allowed_other": str(values.get("allowed_other") or "").strip(),
        "timeout_policy": policy,
        "absence_cap_seconds": (cap or 0) * 60,
        "shuffle_questions": bool(values.get("shuffle_questions")),
        "shuffle_options": bool(values.get("shuffle_options")),
        "proctoring": proctoring,
        **numbers,
    }


def exam_settings(exam: Exam) -> dict[str, Any]:
    """The exam's editable settings, in the shape ``exam_update`` takes them."""
    values = {name: getattr(exam, name) for name in EXAM_FIELDS if name != "absence_cap_minutes"}
    values["absence_cap_minutes"] = exam.absence_cap_seconds // 60
    return values


@transaction.atomic
def exam_create(
    *,
    actor: User,
    choice: ExamFormChoice,
    title: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    duration_minutes: int,
    description: str = "",
    allow_formulas: bool = True,
    allow_drawings: bool = False,
    allow_pictures: bool = False,
    allowed_other: str = "",
    timeout_policy: str = TimeoutPolicy.LAST_DRAFT,
    absence_cap_minutes: int = 20,
    shuffle_questions: bool = True,
    shuffle_options: bool = True,
    proctoring: str = ProctoringLevel.OFF,
    snapshot_interval_seconds: int = 20,
    identity_check_attempts: int = 3,
    proctoring_retention_days: int = 90,
) -> Exam:
    """Create a draft exam for an approved, hosted choice (one exam per choice).

    A duration longer than the window is allowed (``exam_warnings`` says so)."""
    # Lock the choice: two teachers of the group pressing "Create exam" at once must not
    # create two exams for it.
    choice = ExamFormChoice.objects.select_for_update().get(pk=choice.pk)
    if not policy.may_manage_choice(actor, choice):
        raise PermissionDeniedError(_(ERR_NOT_YOUR_EXAM))
    if choice.status != ChoiceStatus.APPROVED:
        raise DomainError(_(ERR_CHOICE_NOT_APPROVED))
    if not is_hosted(choice):
        raise DomainError(_(ERR_CHOICE_NOT_HOSTED))
    if Exam.objects.filter(choice=choice).exists():
        raise DomainError(_(ERR_EXAM_EXISTS))
    fields = _clean_exam(
        {
            "title": title,
            "description": description,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "duration_minutes": duration_minutes,
            "allow_formulas": allow_formulas,
            "allow_drawings": allow_drawings,
            "allow_pictures": allow_pictures,
            "allowed_other": allowed_other,
            "timeout_policy": timeout_policy,
            "absence_cap_minutes": absence_cap_minutes,
            "shuffle_questions": shuffle_questions,
            "shuffle_options": shuffle_options,
            "proctoring": proctoring,
            "snapshot_interval_seconds": snapshot_interval_seconds,
            "identity_check_attempts": identity_check_attempts,
            "proctoring_retention_days": proctoring_retention_days,
        }
    )
    exam = Exam.objects.create(choice=choice, created_by=actor, **fields)
    audit_record(actor=actor, action="exams.create", obj=exam, data={"choice": choice.pk, **fields})
    return exam


@transaction.atomic
def exam_update(*, actor: User, exam: Exam, now: dt.datetime | None = None, **changes: Any) -> Exam:
    """Change some of the exam's settings (names as ``exam_create`` takes them)."""
    unknown = set(changes) - set(EXAM_FIELDS)
    if unknown:
        raise TypeError(f"exam_update() got unknown fields: {sorted(unknown)}")
    exam = locked_exam(actor, exam)
    check_editable(exam, now)
    fields = _clean_exam({**exam_settings(exam), **changes})
    changed = {name: value for name, value in fields.items() if getattr(exam, name) != value}
    for name, value in changed.items():
        setattr(exam, name, value)
    exam.save()
    audit_record(actor=actor, action="exams.update", obj=exam, data=changed)
    return exam


@transaction.atomic
def exam_publish(*, actor: User, exam: Exam, now: dt.datetime | None = None) -> Exam:
    """Show the exam to the group's students: only while its choice is approved for a
    platform and form held here (``publish_problems``), under the choice's lock."""
    exam = locked_exam(actor, exam)
    now = now or timezone.now()
    if exam.status == ExamStatus.PUBLISHED:
        raise DomainError(_(ERR_ALREADY_PUBLISHED))
    if exam.closes_at <= now:
        raise DomainError(_(ERR_WINDOW_PASSED))
    problems = publish_problems(exam)
    if problems:
        raise ValidationFailed({"__all__": problems})
    exam.status = ExamStatus.PUBLISHED
    exam.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="exams.publish", obj=exam, data={"opens_at": exam.opens_at})
    return exam


@transaction.atomic
def exam_unpublish(*, actor: User, exam: Exam, now: dt.datetime | None = None) -> Exam:
    """Withdraw a published exam before its window opens (to rework it)."""
    exam = locked_exam(actor, exam)
    if exam.status != ExamStatus.PUBLISHED:
        raise DomainError(_(ERR_NOT_PUBLISHED))
    check_editable(exam, now)
    exam.status = ExamStatus.DRAFT
    exam.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="exams.unpublish", obj=exam)
    return exam


@transaction.atomic
def exam_delete(*, actor: User, exam: Exam) -> None:
    """Delete a draft exam with its questions (a published one has to be withdrawn first;
    one that students have started is kept with their work)."""
    exam = locked_exam(actor, exam)
    if exam.status == ExamStatus.PUBLISHED:
        raise DomainError(_(ERR_DELETE_PUBLISHED))
    if has_attempts(exam):
        raise DomainError(_(ERR_DELETE_HAS_ATTEMPTS))
    audit_record(
        actor=actor,
        action="exams.delete",
        obj=exam,
        data={"title": exam.title, "choice": exam.choice_id, "questions": exam.questions.count()},
    )
    exam.delete()
