"""Starting a sitting: the student, the exam's window, the deadline, the layout."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, PermissionDeniedError
from emtihan.exams.models import Accommodation, Exam, ExamStatus, Question
from emtihan.exams.services import layout_for
from emtihan.policy import attempts as policy
from emtihan.policy import exams as exams_policy
from emtihan.university.models import Student

from ..models import Attempt, AttemptStatus
from .closing import lock_if_expired
from .rules import (
    ERR_EXAM_NOT_FOUND,
    ERR_NOT_OPEN_YET,
    ERR_NOT_STUDENT,
    ERR_NOT_YOUR_GROUP,
    ERR_WINDOW_CLOSED,
    NotFoundError,
)


@dataclass(frozen=True)
class StartRequest:
    """A first start that passed the sitting's own checks (student, group, window)."""

    student_user: User
    student_id: int
    exam: Exam
    now: dt.datetime


StartRequirement = Callable[[StartRequest], None]

# What apps above this one require before a sitting starts. Dependency inversion: the
# proctoring app (which sits above attempts and may import it, never the reverse)
# registers its gate in its AppConfig.ready, so the rule holds for the page and the API
# alike. A requirement raises a DomainError (409) with the message the student reads.
_start_requirements: list[StartRequirement] = []


def register_start_requirement(requirement: StartRequirement) -> None:
    """Add a check every first start must pass (idempotent: ready() may run twice)."""
    if requirement not in _start_requirements:
        _start_requirements.append(requirement)


def start_blocker(*, student_user: User, exam: Exam) -> str | None:
    """What the registered requirements (the proctoring gate) still ask before a first
    start, as the student reads it, or None: the exam page shows it beside Start
    instead of letting the student press it to find out. Starts nothing."""
    student_id = (
        Student.objects.filter(user_id=student_user.pk).values_list("pk", flat=True).first()
    )
    if student_id is None:
        return _(ERR_NOT_STUDENT)
    request = StartRequest(
        student_user=student_user, student_id=student_id, exam=exam, now=timezone.now()
    )
    for requirement in _start_requirements:
        try:
            requirement(request)
        except DomainError as exc:
            return exc.message
    return None


def attempt_start(*, student_user: User, exam_id: int, now: dt.datetime | None = None) -> Attempt:
    """Start (or return) the student's attempt at the exam.

    Idempotent: a second call, a reload or a second device returns the same attempt with
    the same deadline (one query). The first call checks the exam and the window and
    what other apps require (``register_start_requirement``: the proctoring gate), then
    fixes the deadline, the seed and the student's layout.
    """
    now = now or timezone.now()
    existing = _existing_attempt(student_user=student_user, exam_id=exam_id)
    if existing is not None:
        lock_if_expired(existing, now)
        return existing

    # The student and their extra time in one query.
    extra_time = Accommodation.objects.filter(exam_id=exam_id, student=OuterRef("pk"))
    student = (
        Student.objects.filter(user_id=student_user.pk)
        .annotate(extra_minutes=Subquery(extra_time.values("extra_minutes")[:1]))
        .only("id", "group_id")
        .first()
    )
    if student is None:
        raise PermissionDeniedError(_(ERR_NOT_STUDENT))
    exam = (
        Exam.objects.select_related("choice")
        .filter(pk=exam_id, status=ExamStatus.PUBLISHED)
        .first()
    )
    if exam is None:
        raise NotFoundError(_(ERR_EXAM_NOT_FOUND))
    if not exams_policy.may_sit(student, exam):
        raise PermissionDeniedError(_(ERR_NOT_YOUR_GROUP))
    if now < exam.opens_at:
        raise DomainError(_(ERR_NOT_OPEN_YET))
    if now >= exam.closes_at:
        raise DomainError(_(ERR_WINDOW_CLOSED))

    request = StartRequest(student_user=student_user, student_id=student.pk, exam=exam, now=now)
    for requirement in _start_requirements:
        requirement(request)

    extra = student.extra_minutes or 0
    deadline = min(now + dt.timedelta(minutes=exam.duration_minutes + extra), exam.closes_at)
    seed = secrets.randbits(63)
    attempt = Attempt(
        exam=exam,
        student=student,
        status=AttemptStatus.IN_PROGRESS,
        started_at=now,
        deadline=deadline,
        seed=seed,
        layout=_layout(exam, seed=seed),
        last_seen_at=now,
    )
    try:
        with transaction.atomic():
            attempt.save(force_insert=True)
            audit_record(
                actor=student_user,
                action="attempt.start",
                obj=attempt,
                data={"exam_id": exam.pk, "deadline": deadline, "extra_minutes": extra},
            )
    except IntegrityError:
        # Two starts at once (a double click, two devices): the other one inserted the
        # row first; the unique constraint refused this one. Its attempt is the attempt.
        existing = _existing_attempt(student_user=student_user, exam_id=exam_id)
        if existing is None:
            raise
        return existing
    return attempt


def _existing_attempt(*, student_user: User, exam_id: int) -> Attempt | None:
    return policy.own_attempts(student_user).select_related("exam").filter(exam_id=exam_id).first()


def _layout(exam: Exam, *, seed: int) -> list[dict[str, Any]]:
    """The student's questions and option orders (``exams.services.layout_for``), with
    each question's kind copied in for the draft-save hot path."""
    layout = [dict(entry) for entry in layout_for(exam, seed=seed)]
    missing = [entry["q"] for entry in layout if "kind" not in entry]
    if missing:
        kinds = dict(Question.objects.filter(pk__in=missing).values_list("pk", "kind"))
        for entry in layout:
            entry.setdefault("kind", kinds.get(entry["q"], ""))
    return layout
