"""Presence: every request counts as a heartbeat; a gap beyond the grace adds to the
absence, and past the exam's cap a person is asked to decide."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record

from ..models import Attempt, AttemptStatus, Decision
from .closing import lock_if_expired
from .rules import (
    ERR_ATTEMPT_NOT_FOUND,
    GRACE_SECONDS,
    PRESENCE_WRITE_SECONDS,
    NotFoundError,
    attempt_of,
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
    """Record that the student is here; add the gap beyond the grace to the absence."""
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return
    gap = (now - attempt.last_seen_at).total_seconds()
    if gap < PRESENCE_WRITE_SECONDS:
        return
    extra = int(gap - GRACE_SECONDS) if gap > GRACE_SECONDS else 0
    # Conditional on what was read: of two requests that saw the same gap only one adds
    # it, and none adds it to an attempt the lock has just ended (the lock counted it).
    updated = Attempt.objects.filter(
        pk=attempt.pk, last_seen_at=attempt.last_seen_at, status=AttemptStatus.IN_PROGRESS
    ).update(last_seen_at=now, absence_seconds=F("absence_seconds") + extra)
    if not updated:
        return
    attempt.last_seen_at = now
    if extra:
        attempt.absence_seconds += extra
        if (
            attempt.decision == Decision.NONE
            and attempt.absence_seconds > attempt.exam.absence_cap_seconds
        ):
            _mark_pending(attempt)


def _mark_pending(attempt: Attempt) -> None:
    """Past the absence cap: ask a person to decide (once), never fail silently."""
    with transaction.atomic():
        marked = Attempt.objects.filter(pk=attempt.pk, decision=Decision.NONE).update(
            decision=Decision.PENDING
        )
        if marked:
            audit_record(
                actor=None,
                action="attempt.absence_pending",
                obj=attempt,
                data={
                    "absence_seconds": attempt.absence_seconds,
                    "absence_cap_seconds": attempt.exam.absence_cap_seconds,
                },
            )
    attempt.decision = Decision.PENDING


def attempt_resume(
    *, attempt_id: int, student_user: User, now: dt.datetime | None = None
) -> Attempt:
    """The student's attempt, whole, for a page load or a state read: like a heartbeat,
    it counts as presence and locks an attempt past its deadline."""
    now = now or timezone.now()
    attempt = (
        Attempt.objects.select_related("exam")
        .filter(pk=attempt_id, student__user_id=student_user.pk)
        .first()
    )
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
