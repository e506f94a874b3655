"""Writes of the exam sitting: start, draft save, send, heartbeat, finish, time-out lock,
decisions and picture uploads (docs/EXAM-SITTING.md is the contract).

Hot paths (draft save, heartbeat) are built for thousands of students saving every few
seconds: one read of the attempt, one conditional UPDATE, no transaction, no lock, no
audit entry (a steady draft save: the UPDATE alone, checking the attempt in the same
statement). The invariants are kept by the shape of the writes rather than by locks:

- a draft save is ``UPDATE answer ... WHERE draft_version = base AND locked = false``
  (steady state: ``AND EXISTS (the student's own attempt, in progress, before its
  deadline)``): a stale base matches no row (then one read tells a retry, a stale base
  and a closed attempt apart), and the time-out lock sets ``locked`` under a row lock, so
  a save racing it either lands before the final version is taken or is refused;
- presence is ``UPDATE attempt ... WHERE last_seen_at = <the value read>``: two requests
  that saw the same gap cannot both add it to the absence.

Every service takes an optional ``now`` (server time) so that tests can move the clock.

Modules: ``rules`` (limits, messages, errors, reading the attempt row), ``start``,
``answers`` (draft save and send), ``presence`` (heartbeat and absence), ``closing``
(finish, time-out lock), ``decisions`` (accept, cancel, postpone, the second reviewer)
and ``pictures``. Callers import from
``emtihan.attempts.services``, which re-exports every public name.
"""

from ..models import GRACE_SECONDS, PRESENCE_WRITE_SECONDS
from .answers import answer_save, answer_send
from .closing import attempt_finish, attempts_lock_expired
from .decisions import (
    DECISIONS,
    REVIEW_ACTIONS,
    DecisionResult,
    attempt_decide,
    attempt_proposal_review,
    comment_needed,
)
from .pictures import (
    PICTURE_FORMATS,
    PICTURE_MAX_BYTES,
    PICTURE_MAX_SIDE,
    PICTURES_PER_ATTEMPT,
    picture_upload,
)
from .presence import attempt_resume, heartbeat
from .rules import (
    ERR_ATTEMPT_NOT_FOUND,
    ERR_BASE_VERSION,
    ERR_CATEGORY_UNKNOWN,
    ERR_COMMENT_REQUIRED,
    ERR_COMMENT_TOO_LONG,
    ERR_DECISION_UNKNOWN,
    ERR_EXAM_NOT_FOUND,
    ERR_FINISHED,
    ERR_KEY,
    ERR_NOT_DECIDER,
    ERR_NOT_OPEN_YET,
    ERR_NOT_STUDENT,
    ERR_NOT_YOUR_GROUP,
    ERR_NOTE_REQUIRED,
    ERR_OWN_PROPOSAL,
    ERR_PICTURE_DIMENSIONS,
    ERR_PICTURE_FORMAT,
    ERR_PICTURE_LIMIT,
    ERR_PICTURE_REQUIRED,
    ERR_PICTURE_TOO_LARGE,
    ERR_PICTURES_NOT_ALLOWED,
    ERR_PROPOSAL_CLOSED,
    ERR_PROPOSAL_NOT_FOUND,
    ERR_PROPOSAL_OPEN,
    ERR_QUESTION_NOT_FOUND,
    ERR_REASON_REQUIRED,
    ERR_REVIEW_UNKNOWN,
    ERR_STALE,
    ERR_STILL_IN_PROGRESS,
    ERR_TIME_OVER,
    ERR_WINDOW_CLOSED,
    NotFoundError,
    Receipt,
    SaveResult,
    StaleVersion,
    TimeIsOver,
)
from .start import StartRequest, attempt_start, register_start_requirement, start_blocker

__all__ = [
    "DECISIONS",
    "ERR_ATTEMPT_NOT_FOUND",
    "ERR_BASE_VERSION",
    "ERR_CATEGORY_UNKNOWN",
    "ERR_COMMENT_REQUIRED",
    "ERR_COMMENT_TOO_LONG",
    "ERR_DECISION_UNKNOWN",
    "ERR_EXAM_NOT_FOUND",
    "ERR_FINISHED",
    "ERR_KEY",
    "ERR_NOT_DECIDER",
    "ERR_NOTE_REQUIRED",
    "ERR_OWN_PROPOSAL",
    "ERR_PROPOSAL_CLOSED",
    "ERR_PROPOSAL_NOT_FOUND",
    "ERR_PROPOSAL_OPEN",
    "ERR_REVIEW_UNKNOWN",
    "ERR_STILL_IN_PROGRESS",
    "ERR_NOT_OPEN_YET",
    "ERR_NOT_STUDENT",
    "ERR_NOT_YOUR_GROUP",
    "ERR_PICTURES_NOT_ALLOWED",
    "ERR_PICTURE_DIMENSIONS",
    "ERR_PICTURE_FORMAT",
    "ERR_PICTURE_LIMIT",
    "ERR_PICTURE_REQUIRED",
    "ERR_PICTURE_TOO_LARGE",
    "ERR_QUESTION_NOT_FOUND",
    "ERR_REASON_REQUIRED",
    "ERR_STALE",
    "ERR_TIME_OVER",
    "ERR_WINDOW_CLOSED",
    "GRACE_SECONDS",
    "NotFoundError",
    "PICTURES_PER_ATTEMPT",
    "PICTURE_FORMATS",
    "PICTURE_MAX_BYTES",
    "PICTURE_MAX_SIDE",
    "PRESENCE_WRITE_SECONDS",
    "REVIEW_ACTIONS",
    "DecisionResult",
    "Receipt",
    "SaveResult",
    "StartRequest",
    "StaleVersion",
    "TimeIsOver",
    "answer_save",
    "answer_send",
    "attempt_decide",
    "attempt_proposal_review",
    "comment_needed",
    "attempt_finish",
    "attempt_resume",
    "attempt_start",
    "attempts_lock_expired",
    "heartbeat",
    "picture_upload",
    "register_start_requirement",
    "start_blocker",
]
