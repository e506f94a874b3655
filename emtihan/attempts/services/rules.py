"""What every write of the sitting shares: limits and messages, the errors it raises (404,
409, 410), what a save returns, and reading the student's own attempt row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, NotFoundError
from emtihan.core.hotreads import HotRead
from emtihan.policy import attempts as policy
from emtihan.policy.accounts import is_person

from ..models import Attempt, AttemptStatus

ERR_NOT_STUDENT = gettext_noop("Only students can sit exams.")
ERR_EXAM_NOT_FOUND = gettext_noop("This exam does not exist or has not been published yet.")
ERR_NOT_YOUR_GROUP = gettext_noop("This exam is for another group.")
ERR_NOT_OPEN_YET = gettext_noop("This exam has not opened yet: come back when its window opens.")
ERR_WINDOW_CLOSED = gettext_noop("This exam's window has closed: it can no longer be started.")
ERR_ATTEMPT_NOT_FOUND = gettext_noop("This exam sitting does not exist.")
ERR_QUESTION_NOT_FOUND = gettext_noop("This question is not part of your exam.")
ERR_TIME_OVER = gettext_noop("The time is over: this answer can no longer be changed.")
ERR_FINISHED = gettext_noop("You have finished this exam: its answers can no longer be changed.")
ERR_STALE = gettext_noop(
    "This answer was changed in another tab or on another device after you opened it. "
    "Compare the two and choose which one to keep."
)
ERR_KEY = gettext_noop("The request has no valid key (1 to 64 letters, digits, “-” or “_”).")
ERR_BASE_VERSION = gettext_noop("The request names no valid version of the answer.")
ERR_NOT_DECIDER = gettext_noop("Only a proctor or the exam office can decide on a sitting.")
ERR_STILL_IN_PROGRESS = gettext_noop(
    "This sitting is still in progress: decide on it once the student has finished or the time is over."
)
ERR_DECISION_UNKNOWN = gettext_noop(
    "Choose one decision: accept the work, cancel it or postpone the exam."
)
ERR_REASON_REQUIRED = gettext_noop("Write the reason for this decision.")
ERR_CATEGORY_UNKNOWN = gettext_noop("Choose a reason from the list for this decision.")
ERR_COMMENT_REQUIRED = gettext_noop(
    "Write a comment: a cancel, a postpone and the reason “Other” need one."
)
ERR_COMMENT_TOO_LONG = gettext_noop("The comment is longer than 2000 characters.")
ERR_PROPOSAL_OPEN = gettext_noop(
    "A proposed decision on this sitting is waiting for a second reviewer: confirm or "
    "reject it first."
)
ERR_PROPOSAL_NOT_FOUND = gettext_noop("This proposed decision does not exist.")
ERR_PROPOSAL_CLOSED = gettext_noop("This proposed decision has already been confirmed or rejected.")
ERR_OWN_PROPOSAL = gettext_noop(
    "You proposed this decision: another proctor of the exam or the exam office confirms it."
)
ERR_NOTE_REQUIRED = gettext_noop("Write why you reject the proposed decision.")
ERR_REVIEW_UNKNOWN = gettext_noop("Choose to confirm or to reject the proposed decision.")
ERR_PICTURES_NOT_ALLOWED = gettext_noop("Pictures are not allowed in this exam.")
ERR_PICTURE_REQUIRED = gettext_noop("Choose a picture to upload.")
ERR_PICTURE_TOO_LARGE = gettext_noop("The picture is larger than 5 MB.")
ERR_PICTURE_FORMAT = gettext_noop("The file is not a PNG, JPEG, WebP or GIF picture.")
ERR_PICTURE_DIMENSIONS = gettext_noop("The picture is larger than 4000 × 4000 pixels.")
ERR_PICTURE_LIMIT = gettext_noop("This sitting already has 100 pictures, the most it can have.")

# The columns a hot-path request reads: the attempt, plus the exam's absence cap.
HOT_FIELDS = (
    "id",
    "exam_id",
    "student_id",
    "status",
    "deadline",
    "seed",
    "layout",
    "last_seen_at",
    "absence_seconds",
    "decision",
    "exam__absence_cap_seconds",
    "exam__allow_pictures",
    "exam__allow_drawings",
)


class TimeIsOver(DomainError):
    """The attempt has ended: its answers are locked (HTTP 410)."""


class StaleVersion(DomainError):
    """The request was based on another version than the stored one (HTTP 409);
    ``current`` is the stored AnswerState, for the page to show beside its own."""

    def __init__(self, message: str, *, current: dict[str, Any]) -> None:
        super().__init__(message)
        self.current = current


@dataclass(frozen=True)
class Receipt:
    version: int
    sent_at: dt.datetime
    digest: str  # the first 12 hex characters of the SHA-256


@dataclass(frozen=True)
class SaveResult:
    draft_version: int
    saved_at: dt.datetime
    server_time: dt.datetime
    receipt: Receipt | None = None


def attempt_of(*, attempt_id: int, student_user: User) -> Attempt:
    """The student's own attempt, with only what the hot paths need (one query)."""
    attempt = (
        _OWN_ATTEMPT.first(user_id=student_user.pk, attempt_id=attempt_id)
        if is_person(student_user)
        else None
    )
    if attempt is None:
        raise NotFoundError(_(ERR_ATTEMPT_NOT_FOUND))
    return attempt


def _own_attempt(user_id: int, attempt_id: int) -> QuerySet[Attempt]:
    return (
        policy.own_attempts(User(pk=user_id, is_active=True))
        .select_related("exam")
        .only(*HOT_FIELDS)
        .filter(pk=attempt_id)
    )


# Compiled once per thread (core/hotreads.py): every heartbeat and write reads it.
_OWN_ATTEMPT = HotRead("attempt_of", _own_attempt, ("user_id", "attempt_id"))


def closed_error(attempt_id: int, *, status: str | None = None) -> TimeIsOver:
    if status is None:
        status = Attempt.objects.filter(pk=attempt_id).values_list("status", flat=True).first()
    return TimeIsOver(_(ERR_FINISHED if status == AttemptStatus.FINISHED else ERR_TIME_OVER))


def audit_absence_pending(attempt: Attempt) -> None:
    """The audit entry for an attempt that passed its absence cap and waits for a person."""
    audit_record(
        actor=None,
        action="attempt.absence_pending",
        obj=attempt,
        data={
            "absence_seconds": attempt.absence_seconds,
            "absence_cap_seconds": attempt.exam.absence_cap_seconds,
        },
    )
