"""Presence: every request counts as a heartbeat; a gap beyond the grace adds to the
absence, and past the exam's cap a person is asked to decide."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.policy import attempts as policy

from ..models import Attempt, AttemptStatus
from .closing import lock_if_expired
from .rules import (
    ERR_ATTEMPT_NOT_FOUND,
    NotFoundError,
    attempt_of,
    audit_absence_pending,
    closed_error,
)


def attempt_for_write(*, attempt_id: int, student_user: User, now: dt.datetime) -> Attempt:
    """The student's open attempt; every write also counts as a heartbeat."""
    attempt = attempt_of(attempt_id=attempt_id, student_user=student_user)
    lock_if_expired(attempt, now)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise closed_error(attempt.pk, status=attempt.status)
    touch(attempt, now)
    return attempt


def touch(attempt: Attempt, now: dt.datetime) -> None:
    """Record that the student is here (``Attempt.touch``); past the absence cap, ask a
    person to decide, once, never failing silently."""
    if attempt.touch(now):
        with transaction.atomic():
            if attempt.mark_pending():
                audit_absence_pending(attempt)


def attempt_resume(
    *, attempt_id: int, student_user: User, now: dt.datetime | None = None
) -> Attempt:
    """The student's attempt, whole, for a page load or a state read: like a heartbeat,
    it counts as presence and locks an attempt past its deadline."""
    now = now or timezone.now()
    attempt = policy.own_attempts(student_user).select_related("exam").filter(pk=attempt_id).first()
    if attempt is None:
        raise NotFoundError(_(ERR_ATTEMPT_NOT_FOUND))
    lock_if_expired(attempt, now)
    touch(attempt, now)
    return attempt


def heartbeat(*, attempt_id: int, student_user: User, now: dt.datetime | None = None) -> Attempt:
    """The page is alive. Past the deadline it locks the attempt and reports the status
    (a heartbeat is never refused: it is how a page learns that the time is over)."""
    now = now or timezone.now()
    attempt = attempt_of(attempt_id=attempt_id, student_user=student_user)
    lock_if_expired(attempt, now)
    touch(attempt, now)
    return attempt
