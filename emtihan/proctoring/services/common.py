"""What the proctoring services share: the student's session for an exam or a sitting,
the errors only this app raises, and the upload checks (bytes, format, pixels, time)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from emtihan.accounts.models import User
from emtihan.attempts.models import Attempt
from emtihan.core.errors import DomainError, NotFoundError, PermissionDeniedError, ValidationFailed
from emtihan.core.hotreads import HotRead
from emtihan.exams.models import Exam, ProctoringLevel
from emtihan.policy import attempts as attempts_policy
from emtihan.policy import proctoring as policy
from emtihan.policy.accounts import is_person
from emtihan.policy.exams import student_of
from emtihan.university.models import Student

from ..models import ProctoringSession
from ..rules import (
    ERR_ATTEMPT_NOT_FOUND,
    ERR_CONSENT_FIRST,
    ERR_EXAM_NOT_FOUND,
    ERR_FILE_REQUIRED,
    ERR_FILE_TOO_LARGE,
    ERR_NOT_JPEG,
    ERR_NOT_STUDENT,
    ERR_PROCTORING_OFF,
    ERR_SITTING_OVER,
    ERR_TOO_MANY_PIXELS,
    LATE_UPLOAD_MINUTES,
    SNAPSHOT_MAX_HEIGHT,
    SNAPSHOT_MAX_WIDTH,
)


class TooFrequent(DomainError):
    """Uploads came faster than the documented rate (HTTP 429)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SittingOver(DomainError):
    """The sitting ended more than the late-upload window ago (HTTP 410)."""


def student_exam(*, student_user: User, exam_id: int) -> tuple[Exam, Student]:
    """An exam the student sees and that uses the camera: 403 for a non-student, 404 for
    an exam they do not see (never telling whether it exists), 409 when the exam is sat
    without the camera."""
    student = student_of(student_user)
    if student is None:
        raise PermissionDeniedError(_(ERR_NOT_STUDENT))
    exam = policy.exams_for_proctoring(student_user).filter(pk=exam_id).first()
    if exam is None:
        raise NotFoundError(_(ERR_EXAM_NOT_FOUND))
    if exam.proctoring == ProctoringLevel.OFF:
        raise DomainError(_(ERR_PROCTORING_OFF))
    return exam, student


def exam_session(*, student_user: User, exam_id: int, now: dt.datetime) -> ProctoringSession:
    """The student's proctoring session for an exam (``student_exam``), created on first
    use."""
    exam, student = student_exam(student_user=student_user, exam_id=exam_id)
    session = (
        ProctoringSession.objects.select_related("attempt")
        .filter(exam=exam, student=student)
        .first()
    )
    if session is None:
        session = _create(exam=exam, student_id=student.pk, now=now)
    session.exam = exam
    return session


def _create(*, exam: Exam, student_id: int, now: dt.datetime) -> ProctoringSession:
    try:
        with transaction.atomic():
            return ProctoringSession.objects.create(
                exam=exam, student_id=student_id, created_at=now
            )
    except IntegrityError:
        # Race: two first requests of one student (two tabs); the unique constraint let
        # the other one create the row.
        return ProctoringSession.objects.select_related("attempt").get(
            exam=exam, student_id=student_id
        )


# The columns the sitting's hot paths read: the session, its sitting and the exam.
HOT_FIELDS = (
    "id",
    "exam_id",
    "student_id",
    "attempt_id",
    "consent_at",
    "snapshots_received",
    "last_snapshot_at",
    "clips_received",
    "last_clip_at",
    "events_received",
    "attempt__id",
    "attempt__started_at",
    "attempt__deadline",
    "attempt__finished_at",
    "attempt__status",
    "exam__id",
    "exam__proctoring",
    "exam__snapshot_interval_seconds",
)


def _own_sitting_session(user_id: int, attempt_id: int) -> QuerySet[ProctoringSession]:
    return (
        policy.own_sessions(User(pk=user_id, is_active=True))
        .select_related("attempt", "exam")
        .only(*HOT_FIELDS)
        .filter(attempt_id=attempt_id)
    )


# Compiled once per thread (core/hotreads.py): every snapshot, event and clip reads it.
_SITTING_SESSION = HotRead("sitting_session", _own_sitting_session, ("user_id", "attempt_id"))


def sitting_session(
    *, student_user: User, attempt_id: int, now: dt.datetime
) -> tuple[ProctoringSession, Attempt]:
    """The session of the student's own sitting, for an upload during it: one query once
    the session knows its sitting. Refuses (409) before consent, (410) once the sitting
    ended more than ``LATE_UPLOAD_MINUTES`` ago."""
    session = (
        _SITTING_SESSION.first(user_id=student_user.pk, attempt_id=attempt_id)
        if is_person(student_user)
        else None
    )
    if session is None:
        session = _link_sitting(student_user=student_user, attempt_id=attempt_id, now=now)
    if session.exam.proctoring == ProctoringLevel.OFF:
        raise DomainError(_(ERR_PROCTORING_OFF))
    if session.consent_at is None:
        raise DomainError(_(ERR_CONSENT_FIRST))
    attempt = session.attempt
    if attempt is None:  # linked above; the type checker cannot know
        raise NotFoundError(_(ERR_ATTEMPT_NOT_FOUND))
    if now > sitting_end(attempt) + dt.timedelta(minutes=LATE_UPLOAD_MINUTES):
        raise SittingOver(_(ERR_SITTING_OVER))
    return session, attempt


def _link_sitting(*, student_user: User, attempt_id: int, now: dt.datetime) -> ProctoringSession:
    """The first upload of a sitting: find the student's session for its exam (created
    if they never opened the device check, as in an exam that only records) and link it
    to the sitting."""
    attempt = (
        attempts_policy.own_attempts(student_user)
        .select_related("exam")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None:
        raise NotFoundError(_(ERR_ATTEMPT_NOT_FOUND))
    if attempt.exam.proctoring == ProctoringLevel.OFF:
        raise DomainError(_(ERR_PROCTORING_OFF))
    session = ProctoringSession.objects.filter(
        exam_id=attempt.exam_id, student_id=attempt.student_id
    ).first()
    if session is None:
        session = _create(exam=attempt.exam, student_id=attempt.student_id, now=now)
    # Race: two first uploads at once; both set the same sitting, which is harmless.
    ProctoringSession.objects.filter(pk=session.pk, attempt__isnull=True).update(attempt=attempt)
    session.attempt = attempt
    session.exam = attempt.exam
    return session


def sitting_end(attempt: Attempt) -> dt.datetime:
    return attempt.finished_at or attempt.deadline


def within_sitting(value: dt.datetime, attempt: Attempt, now: dt.datetime) -> dt.datetime:
    """A browser's time kept within the sitting and never after ``now``."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    latest = min(now, sitting_end(attempt))
    return max(attempt.started_at, min(value, latest))


def read_upload(file: Any, *, max_bytes: int, too_large: str, missing: str) -> bytes:
    """The bytes of an uploaded file, read no further than ``max_bytes`` + 1."""
    if file is None:
        raise ValidationFailed({"file": [_(missing)]})
    if getattr(file, "size", 0) > max_bytes:
        raise ValidationFailed({"file": [_(too_large)]})
    data = file.read(max_bytes + 1)
    if not data:
        raise ValidationFailed({"file": [_(missing)]})
    if len(data) > max_bytes:
        raise ValidationFailed({"file": [_(too_large)]})
    return bytes(data)


def check_jpeg(data: bytes) -> tuple[int, int]:
    """Width and height of a JPEG from its header (Pillow reads no pixel here); the
    worker decodes it, with the same bounds, through emtihan.vision."""
    if not data.startswith(b"\xff\xd8\xff"):
        raise ValidationFailed({"file": [_(ERR_NOT_JPEG)]})
    try:
        with Image.open(io.BytesIO(data)) as header:
            fmt, (width, height) = header.format, header.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationFailed({"file": [_(ERR_NOT_JPEG)]}) from exc
    if fmt != "JPEG":
        raise ValidationFailed({"file": [_(ERR_NOT_JPEG)]})
    # The pixel count, as emtihan.vision bounds it (a portrait 960 x 1280 frame passes).
    if width * height > SNAPSHOT_MAX_WIDTH * SNAPSHOT_MAX_HEIGHT or not width or not height:
        raise ValidationFailed({"file": [_(ERR_TOO_MANY_PIXELS)]})
    return width, height


def read_jpeg(file: Any, *, max_bytes: int) -> tuple[bytes, int, int]:
    data = read_upload(
        file, max_bytes=max_bytes, too_large=ERR_FILE_TOO_LARGE, missing=ERR_FILE_REQUIRED
    )
    width, height = check_jpeg(data)
    return data, width, height
