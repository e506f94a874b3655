"""Accommodations: extra minutes for one student in one exam."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import ValidationFailed
from emtihan.university.models import Student

from ..models import Accommodation, Exam
from .rules import (
    ERR_EXTRA_MINUTES,
    ERR_REASON_TOO_LONG,
    ERR_STUDENT_NOT_IN_GROUP,
    MAX_EXTRA_MINUTES,
    locked_exam,
    whole_number,
)


@transaction.atomic
def accommodation_set(
    *, actor: User, exam: Exam, student: Student, extra_minutes: int, reason: str = ""
) -> Accommodation:
    """Give a student of the exam's group extra time (replacing what they had).

    The deadline of an attempt is fixed when it starts, so a change reaches only
    attempts started afterwards."""
    exam = locked_exam(actor, exam)
    errors: dict[str, list[str]] = {}
    if student.group_id != exam.choice.group_id or not student.is_active:
        errors["student"] = [_(ERR_STUDENT_NOT_IN_GROUP)]
    minutes = whole_number(extra_minutes, 1, MAX_EXTRA_MINUTES)
    if minutes is None:
        errors["extra_minutes"] = [_(ERR_EXTRA_MINUTES) % {"max": MAX_EXTRA_MINUTES}]
    reason = " ".join(str(reason or "").split())
    if len(reason) > 255:
        errors["reason"] = [_(ERR_REASON_TOO_LONG)]
    if errors:
        raise ValidationFailed(errors)
    accommodation, _created = Accommodation.objects.update_or_create(
        exam=exam, student=student, defaults={"extra_minutes": minutes, "reason": reason}
    )
    audit_record(
        actor=actor,
        action="exams.accommodation_set",
        obj=accommodation,
        data={"exam": exam.pk, "student": student.pk, "extra_minutes": minutes, "reason": reason},
    )
    return accommodation


@transaction.atomic
def accommodation_delete(*, actor: User, accommodation: Accommodation) -> None:
    exam = locked_exam(actor, accommodation.exam_id)
    audit_record(
        actor=actor,
        action="exams.accommodation_delete",
        obj=accommodation,
        data={"exam": exam.pk, "student": accommodation.student_id},
    )
    accommodation.delete()
