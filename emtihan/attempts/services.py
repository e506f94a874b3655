"""Writes of the exam sitting: start, draft save, send, heartbeat, finish, time-out lock,
decisions and picture uploads (docs/EXAM-SITTING.md is the contract).

Hot paths (draft save, heartbeat) are built for thousands of students saving every few
seconds: one read of the attempt, one conditional UPDATE, no transaction, no lock, no
audit entry. The invariants are kept by the shape of the writes rather than by locks:

- a draft save is ``UPDATE answer ... WHERE draft_version = base AND locked = false``:
  a stale base matches no row (then one read tells a retry, a stale base and a closed
  attempt apart), and the time-out lock sets ``locked`` under a row lock, so a save
  racing it either lands before the final version is taken or is refused;
- presence is ``UPDATE attempt ... WHERE last_seen_at = <the value read>``: two requests
  that saw the same gap cannot both add it to the absence.

Every service takes an optional ``now`` (server time) so that tests can move the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image, ImageOps, UnidentifiedImageError

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.exams.models import (
    Accommodation,
    Exam,
    ExamStatus,
    Question,
    QuestionKind,
    TimeoutPolicy,
)
from emtihan.exams.services import layout_for
from emtihan.university.models import Student

from . import content as answer_content
from .models import (
    REQUEST_KEY_MAX_LENGTH,
    Answer,
    AnswerVersion,
    Attempt,
    AttemptStatus,
    Decision,
    Picture,
)
from .selectors import answer_state, can_decide, receipt_of

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
ERR_DECISION_UNKNOWN = gettext_noop(
    "Choose one decision: accept the work, cancel it or postpone the exam."
)
ERR_REASON_REQUIRED = gettext_noop("Write the reason for this decision.")
ERR_PICTURES_NOT_ALLOWED = gettext_noop("Pictures are not allowed in this exam.")
ERR_PICTURE_REQUIRED = gettext_noop("Choose a picture to upload.")
ERR_PICTURE_TOO_LARGE = gettext_noop("The picture is larger than 5 MB.")
ERR_PICTURE_FORMAT = gettext_noop("The file is not a PNG, JPEG, WebP or GIF picture.")
ERR_PICTURE_DIMENSIONS = gettext_noop("The picture is larger than 4000 × 4000 pixels.")
ERR_PICTURE_LIMIT = gettext_noop("This sitting already has 100 pictures, the most it can have.")

# Technical absence (docs/EXAM-SITTING.md, invariant 6): a gap between two requests longer
# than the grace adds ``gap - grace`` seconds.
GRACE_SECONDS = 60
# A request writes ``last_seen_at`` only when the stored value is at least this old: with a
# heartbeat every 30 s and a save every 10 s this makes at most one presence write per
# 20 s per student instead of one per request, and it loses nothing: a gap shorter than
# 20 s is far inside the grace, so it can never count as absence.
PRESENCE_WRITE_SECONDS = 20

PICTURE_MAX_BYTES = 5 * 1024 * 1024
PICTURE_MAX_SIDE = 4000  # pixels
PICTURE_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF"})
PICTURES_PER_ATTEMPT = 100

KEY_PATTERN = re.compile(rf"^[A-Za-z0-9_-]{{1,{REQUEST_KEY_MAX_LENGTH}}}$")
DECISIONS = (Decision.CONTINUE, Decision.CANCEL, Decision.POSTPONE)
# The columns a hot-path request reads: the attempt, plus the exam's absence cap.
HOT_FIELDS = (
    "id",
    "exam_id",
    "student_id",
    "status",
    "deadline",
    "layout",
    "last_seen_at",
    "absence_seconds",
    "decision",
    "exam__absence_cap_seconds",
    "exam__allow_pictures",
    "exam__allow_drawings",
)


class NotFoundError(DomainError):
    """The attempt or question does not exist, or is not the requester's (HTTP 404)."""


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


# --- start -------------------------------------------------------------------------------


def attempt_start(*, student_user: User, exam_id: int, now: dt.datetime | None = None) -> Attempt:
    """Start (or return) the student's attempt at the exam.

    Idempotent: a second call, a reload or a second device returns the same attempt with
    the same deadline (one query). The first call checks the exam and the window, then
    fixes the deadline, the seed and the student's layout.
    """
    now = now or timezone.now()
    existing = _existing_attempt(student_user=student_user, exam_id=exam_id)
    if existing is not None:
        _lock_if_expired(existing, now)
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
    if exam.choice.group_id != student.group_id:
        raise PermissionDeniedError(_(ERR_NOT_YOUR_GROUP))
    if now < exam.opens_at:
        raise DomainError(_(ERR_NOT_OPEN_YET))
    if now >= exam.closes_at:
        raise DomainError(_(ERR_WINDOW_CLOSED))

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
    return (
        Attempt.objects.select_related("exam")
        .filter(exam_id=exam_id, student__user_id=student_user.pk)
        .first()
    )


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


# --- draft save and send ------------------------------------------------------------------


def answer_save(
    *,
    attempt_id: int,
    student_user: User,
    question_id: int,
    content: Any,
    base_version: int,
    key: str,
    now: dt.datetime | None = None,
) -> SaveResult:
    """Autosave a draft (docs/EXAM-SITTING.md). Steady state: one read of the attempt and
    one conditional UPDATE of the answer, plus a presence write at most every 20 s."""
    now = now or timezone.now()
    stored_key = "d:" + _check_key(key)
    _check_base(base_version)
    attempt = _attempt_for_write(attempt_id=attempt_id, student_user=student_user, now=now)
    clean = _clean(attempt, question_id=question_id, content=content)

    updated = Answer.objects.filter(
        attempt_id=attempt.pk, question_id=question_id, draft_version=base_version, locked=False
    ).update(
        draft=clean.content,
        draft_digest=clean.digest,
        draft_version=base_version + 1,
        draft_saved_at=now,
        last_request_key=stored_key,
    )
    if updated:
        return SaveResult(draft_version=base_version + 1, saved_at=now, server_time=now)

    # Nothing matched: a first save, a retry of an accepted save, a stale base, or the
    # attempt was locked between our read and our write. One read tells them apart.
    answer = Answer.objects.filter(attempt_id=attempt.pk, question_id=question_id).first()
    if answer is None and base_version == 0:
        answer = _answer_create(
            attempt, question_id=question_id, clean=clean, key=stored_key, now=now
        )
        if answer.last_request_key == stored_key:
            return SaveResult(draft_version=1, saved_at=now, server_time=now)
    if answer is not None and answer.last_request_key == stored_key:
        return SaveResult(
            draft_version=answer.draft_version,
            saved_at=answer.draft_saved_at or now,
            server_time=now,
        )
    if answer is not None and answer.locked:
        raise _closed_error(attempt.pk)
    raise StaleVersion(_(ERR_STALE), current=answer_state(answer, question_id=question_id))


def _answer_create(
    attempt: Attempt,
    *,
    question_id: int,
    clean: answer_content.CleanContent,
    key: str,
    now: dt.datetime,
) -> Answer:
    """Insert the question's first draft, or return the row another request inserted.

    The attempt row is locked first: the time-out lock takes the same lock before it
    collects the answers, so a first save either lands before it (and is counted) or
    finds the attempt closed. Once per question per attempt, so the lock is cheap.
    """
    try:
        with transaction.atomic():
            status = (
                Attempt.objects.select_for_update()
                .filter(pk=attempt.pk)
                .values_list("status", flat=True)
                .get()
            )
            if status != AttemptStatus.IN_PROGRESS:
                raise _closed_error(attempt.pk, status=status)
            return Answer.objects.create(
                attempt_id=attempt.pk,
                question_id=question_id,
                draft=clean.content,
                draft_digest=clean.digest,
                draft_version=1,
                draft_saved_at=now,
                last_request_key=key,
            )
    except IntegrityError:
        # Another tab's first save of this question won the insert.
        return Answer.objects.get(attempt_id=attempt.pk, question_id=question_id)


def answer_send(
    *,
    attempt_id: int,
    student_user: User,
    question_id: int,
    content: Any,
    base_version: int,
    key: str,
    now: dt.datetime | None = None,
) -> SaveResult:
    """Send an answer: the content becomes the draft and a new immutable, numbered
    ``AnswerVersion`` whose receipt (version, time, digest) the student keeps."""
    now = now or timezone.now()
    stored_key = "s:" + _check_key(key)
    _check_base(base_version)
    attempt = _attempt_for_write(attempt_id=attempt_id, student_user=student_user, now=now)
    clean = _clean(attempt, question_id=question_id, content=content)
    if base_version == 0:
        _answer_ensure(attempt, question_id=question_id)

    with transaction.atomic():
        # Lock the answer: two sends from two tabs, both based on version N, would each
        # read sent_number and write the same version number; with the lock the second
        # waits, then finds draft_version moved and is refused as stale (409). The
        # time-out lock takes this row lock too, so a send either lands before the
        # final version is taken or finds the answer locked.
        answer = (
            Answer.objects.select_for_update()
            .filter(attempt_id=attempt.pk, question_id=question_id)
            .first()
        )
        if answer is None:
            raise StaleVersion(_(ERR_STALE), current=answer_state(None, question_id=question_id))
        if answer.last_request_key == stored_key:
            return _sent_result(answer, now)
        if answer.locked:
            raise _closed_error(attempt.pk)
        if answer.draft_version != base_version:
            raise StaleVersion(_(ERR_STALE), current=answer_state(answer, question_id=question_id))
        number = answer.sent_number + 1
        AnswerVersion.objects.create(
            answer=answer, number=number, content=clean.content, digest=clean.digest, sent_at=now
        )
        answer.draft = clean.content
        answer.draft_digest = clean.digest
        answer.draft_version = base_version + 1
        answer.draft_saved_at = now
        answer.last_request_key = stored_key
        answer.sent_number = number
        answer.sent_digest = clean.digest
        answer.sent_at = now
        answer.save(
            update_fields=[
                "draft",
                "draft_digest",
                "draft_version",
                "draft_saved_at",
                "last_request_key",
                "sent_number",
                "sent_digest",
                "sent_at",
            ]
        )
        audit_record(
            actor=student_user,
            action="attempt.answer_send",
            obj=attempt,
            data={"question_id": question_id, "version": number, "digest": clean.digest},
        )
    return _sent_result(answer, now)


def _answer_ensure(attempt: Attempt, *, question_id: int) -> None:
    """Make sure the answer row exists (empty, version 0) before a first send locks it."""
    if Answer.objects.filter(attempt_id=attempt.pk, question_id=question_id).exists():
        return
    try:
        with transaction.atomic():
            # Same lock as a first draft save (see ``_answer_create``).
            status = (
                Attempt.objects.select_for_update()
                .filter(pk=attempt.pk)
                .values_list("status", flat=True)
                .get()
            )
            if status != AttemptStatus.IN_PROGRESS:
                raise _closed_error(attempt.pk, status=status)
            Answer.objects.create(attempt_id=attempt.pk, question_id=question_id)
    except IntegrityError:
        pass  # another request created it


def _sent_result(answer: Answer, now: dt.datetime) -> SaveResult:
    receipt = receipt_of(
        number=answer.sent_number, sent_at=answer.sent_at, digest=answer.sent_digest
    )
    assert receipt is not None and answer.draft_saved_at is not None  # noqa: S101 (a sent answer)
    return SaveResult(
        draft_version=answer.draft_version,
        saved_at=answer.draft_saved_at,
        server_time=now,
        receipt=Receipt(**receipt),
    )


def _clean(attempt: Attempt, *, question_id: int, content: Any) -> answer_content.CleanContent:
    entry = next((e for e in attempt.layout if e.get("q") == question_id), None)
    if entry is None:
        raise NotFoundError(_(ERR_QUESTION_NOT_FOUND))
    kind = entry.get("kind", "")
    allowed_pictures: set[int] = set()
    if kind == QuestionKind.WRITTEN:
        wanted = answer_content.picture_ids_in(content, attempt_id=attempt.pk)
        if wanted:  # one query, only for answers that hold pictures
            allowed_pictures = set(
                Picture.objects.filter(attempt_id=attempt.pk, pk__in=wanted).values_list(
                    "pk", flat=True
                )
            )

    def is_our_picture(src: str) -> bool:
        ref = answer_content.picture_ref(src)
        return ref is not None and ref[0] == attempt.pk and ref[1] in allowed_pictures

    return answer_content.clean_content(
        kind=kind,
        content=content,
        option_ids=[str(o) for o in entry.get("options") or []],
        picture_src=is_our_picture,
    )


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise ValidationFailed({"key": [_(ERR_KEY)]})
    return key


def _check_base(base_version: Any) -> None:
    if not isinstance(base_version, int) or isinstance(base_version, bool) or base_version < 0:
        raise ValidationFailed({"base_version": [_(ERR_BASE_VERSION)]})


# --- the attempt row: reading, presence, absence -------------------------------------------


def _attempt_of(*, attempt_id: int, student_user: User) -> Attempt:
    """The student's own attempt, with only what the hot paths need (one query)."""
    attempt = (
        Attempt.objects.select_related("exam")
        .only(*HOT_FIELDS)
        .filter(pk=attempt_id, student__user_id=student_user.pk)
        .first()
    )
    if attempt is None:
        raise NotFoundError(_(ERR_ATTEMPT_NOT_FOUND))
    return attempt


def _attempt_for_write(*, attempt_id: int, student_user: User, now: dt.datetime) -> Attempt:
    """The student's open attempt; every write also counts as a heartbeat."""
    attempt = _attempt_of(attempt_id=attempt_id, student_user=student_user)
    _lock_if_expired(attempt, now)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise _closed_error(attempt.pk, status=attempt.status)
    _touch(attempt, now)
    return attempt


def _closed_error(attempt_id: int, *, status: str | None = None) -> TimeIsOver:
    if status is None:
        status = Attempt.objects.filter(pk=attempt_id).values_list("status", flat=True).first()
    return TimeIsOver(_(ERR_FINISHED if status == AttemptStatus.FINISHED else ERR_TIME_OVER))


def _lock_if_expired(attempt: Attempt, now: dt.datetime) -> None:
    """Any request that touches an attempt past its deadline locks it first, so the
    answer a student sees never depends on when the lock job last ran."""
    if attempt.status == AttemptStatus.IN_PROGRESS and now >= attempt.deadline:
        _attempt_close(attempt.pk, status=AttemptStatus.TIMED_OUT, now=now, actor=None)
        attempt.refresh_from_db(fields=["status", "finished_at", "absence_seconds", "decision"])


def _touch(attempt: Attempt, now: dt.datetime) -> None:
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
    _lock_if_expired(attempt, now)
    _touch(attempt, now)
    return attempt


def heartbeat(*, attempt_id: int, student_user: User, now: dt.datetime | None = None) -> Attempt:
    """The page is alive. Past the deadline it locks the attempt and reports the status
    (a heartbeat is never refused: it is how a page learns that the time is over)."""
    now = now or timezone.now()
    attempt = _attempt_of(attempt_id=attempt_id, student_user=student_user)
    _lock_if_expired(attempt, now)
    _touch(attempt, now)
    return attempt


# --- the end: finish, time-out, decisions ---------------------------------------------------


def attempt_finish(
    *, attempt_id: int, student_user: User, key: str = "", now: dt.datetime | None = None
) -> Attempt:
    """The student's "Finish". Idempotent: finishing a finished or timed-out attempt
    returns it unchanged. Unsent answers count per the exam's time-out policy."""
    now = now or timezone.now()
    attempt = _attempt_of(attempt_id=attempt_id, student_user=student_user)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        status = AttemptStatus.TIMED_OUT if now >= attempt.deadline else AttemptStatus.FINISHED
        _attempt_close(attempt.pk, status=status, now=now, actor=student_user, key=key)
    return Attempt.objects.select_related("exam").get(pk=attempt.pk)


def attempts_lock_expired(now: dt.datetime | None = None) -> int:
    """Lock every in-progress attempt past its deadline; returns how many it locked.

    Run by ``manage.py attempts_lock_expired --every 15`` and the ``lock_expired`` task;
    requests also lock their own attempt lazily, so a late run changes nothing a student
    sees."""
    now = now or timezone.now()
    due = Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS, deadline__lte=now).values_list(
        "pk", flat=True
    )
    return sum(
        _attempt_close(pk, status=AttemptStatus.TIMED_OUT, now=now, actor=None) for pk in list(due)
    )


def _attempt_close(
    attempt_id: int, *, status: str, now: dt.datetime, actor: User | None, key: str = ""
) -> bool:
    """End an attempt (finished or timed out) exactly once; False if it had ended.

    Adds the last absence gap, applies the time-out policy to the answers, locks them and
    records the end in the audit log, all in one transaction.
    """
    with transaction.atomic():
        # Locks: the attempt, then its answers, in that order everywhere (first saves and
        # sends take the attempt lock only to insert, never while holding an answer).
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("exam")
            .filter(pk=attempt_id)
            .first()
        )
        if attempt is None or attempt.status != AttemptStatus.IN_PROGRESS:
            return False
        # A time-out ends at the deadline, however late the lock runs; a finish ends now
        # and counts as a heartbeat.
        end = attempt.deadline if status == AttemptStatus.TIMED_OUT else now
        gap = (end - attempt.last_seen_at).total_seconds()
        absence_added = int(gap - GRACE_SECONDS) if gap > GRACE_SECONDS else 0
        attempt.absence_seconds += absence_added
        pending = (
            attempt.decision == Decision.NONE
            and attempt.absence_seconds > attempt.exam.absence_cap_seconds
        )
        if pending:
            attempt.decision = Decision.PENDING
        if status == AttemptStatus.FINISHED:
            attempt.last_seen_at = now
        attempt.status = status
        attempt.finished_at = end
        attempt.save(
            update_fields=["status", "finished_at", "absence_seconds", "decision", "last_seen_at"]
        )
        final = _apply_timeout_policy(attempt, end=end)
        audit_record(
            actor=actor,
            action="attempt.finish" if status == AttemptStatus.FINISHED else "attempt.timeout",
            obj=attempt,
            data={
                "absence_seconds": attempt.absence_seconds,
                "absence_added": absence_added,
                "policy": attempt.exam.timeout_policy,
                "final_versions": final,
                **({"key": key} if key else {}),
            },
        )
        if pending:
            audit_record(
                actor=None,
                action="attempt.absence_pending",
                obj=attempt,
                data={
                    "absence_seconds": attempt.absence_seconds,
                    "absence_cap_seconds": attempt.exam.absence_cap_seconds,
                },
            )
    return True


def _apply_timeout_policy(attempt: Attempt, *, end: dt.datetime) -> list[dict[str, Any]]:
    """Make the answers final and lock them; returns the versions the server made.

    ``last_draft``: a draft that differs from the last sent version (or was never sent)
    becomes a final version, marked ``auto``. ``empty``: an answer never sent gets an
    empty final version (``auto``), so the record shows the draft was not counted; a sent
    answer keeps its last sent version, later edits are not counted.
    """
    # Row locks on the answers: a send in flight holds one, so its version is seen here;
    # a draft save arriving after this point finds ``locked`` set and is refused.
    answers = list(Answer.objects.select_for_update().filter(attempt=attempt))
    kinds = {entry["q"]: entry.get("kind", "") for entry in attempt.layout}
    policy = attempt.exam.timeout_policy
    versions: list[AnswerVersion] = []
    for answer in answers:
        answer.locked = True
        if answer.draft_version == 0:
            continue
        if policy == TimeoutPolicy.EMPTY:
            if answer.sent_number:
                continue
            final_content = answer_content.empty_content(kinds.get(answer.question_id, ""))
            final_digest = answer_content.digest_of(final_content)
        else:
            if answer.draft_digest == answer.sent_digest:
                continue
            final_content, final_digest = answer.draft, answer.draft_digest
        answer.sent_number += 1
        answer.sent_digest = final_digest
        answer.sent_at = end
        versions.append(
            AnswerVersion(
                answer=answer,
                number=answer.sent_number,
                content=final_content,
                digest=final_digest,
                sent_at=end,
                auto=True,
            )
        )
    AnswerVersion.objects.bulk_create(versions)
    if answers:
        Answer.objects.bulk_update(answers, ["locked", "sent_number", "sent_digest", "sent_at"])
    return [
        {"question_id": v.answer.question_id, "version": v.number, "digest": v.digest}
        for v in versions
    ]


def attempt_decide(
    *, actor: User, attempt_id: int, decision: str, reason: str, now: dt.datetime | None = None
) -> Attempt:
    """A proctor's or the exam office's decision on a sitting (typically one marked
    pending for absence): accept the work, cancel it, or postpone the exam."""
    now = now or timezone.now()
    if not can_decide(actor):
        raise PermissionDeniedError(_(ERR_NOT_DECIDER))
    errors: dict[str, list[str]] = {}
    if decision not in DECISIONS:
        errors["decision"] = [_(ERR_DECISION_UNKNOWN)]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_(ERR_REASON_REQUIRED)]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
        if attempt is None:
            raise NotFoundError(_(ERR_ATTEMPT_NOT_FOUND))
        previous = attempt.decision
        attempt.decision = decision
        attempt.decision_reason = reason
        attempt.decided_by = actor
        attempt.decided_at = now
        attempt.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="attempt.decide",
            obj=attempt,
            data={"decision": decision, "previous": previous, "reason": reason},
        )
    return attempt


# --- pictures -------------------------------------------------------------------------------


def picture_upload(
    *,
    attempt_id: int,
    student_user: User,
    file: UploadedFile | None,
    now: dt.datetime | None = None,
) -> Picture:
    """Store a picture for the student's written answers.

    The content decides, not the name or the declared type: Pillow must recognise a PNG,
    JPEG, WebP or GIF and verify it. The stored file is a re-encoding (JPEG stays JPEG,
    everything else becomes PNG; an animation keeps its first frame) with no metadata:
    no EXIF location, no camera serial, no payload appended after the image.
    """
    now = now or timezone.now()
    attempt = _attempt_for_write(attempt_id=attempt_id, student_user=student_user, now=now)
    if not (attempt.exam.allow_pictures or attempt.exam.allow_drawings):
        raise PermissionDeniedError(_(ERR_PICTURES_NOT_ALLOWED))
    if file is None:
        raise ValidationFailed({"file": [_(ERR_PICTURE_REQUIRED)]})
    if (file.size or 0) > PICTURE_MAX_BYTES:
        raise ValidationFailed({"file": [_(ERR_PICTURE_TOO_LARGE)]})
    if Picture.objects.filter(attempt_id=attempt.pk).count() >= PICTURES_PER_ATTEMPT:
        raise ValidationFailed({"file": [_(ERR_PICTURE_LIMIT)]})
    data, content_type, width, height = _reencode(file)
    extension = "jpg" if content_type == "image/jpeg" else "png"
    name = default_storage.save(
        f"attempts/{attempt.pk}/pictures/{uuid.uuid4().hex}.{extension}", ContentFile(data)
    )
    digest = hashlib.sha256(data).hexdigest()
    try:
        with transaction.atomic():
            picture = Picture.objects.create(
                attempt_id=attempt.pk,
                file=name,
                content_type=content_type,
                width=width,
                height=height,
                size=len(data),
                sha256=digest,
                uploaded_at=now,
            )
            audit_record(
                actor=student_user,
                action="attempt.picture_upload",
                obj=attempt,
                data={"picture_id": picture.pk, "sha256": digest, "size": len(data)},
            )
    except Exception:
        default_storage.delete(name)
        raise
    return picture


def _reencode(file: UploadedFile) -> tuple[bytes, str, int, int]:
    invalid = ValidationFailed({"file": [_(ERR_PICTURE_FORMAT)]})
    try:
        file.seek(0)
        with Image.open(file) as probe:
            if probe.format not in PICTURE_FORMATS:
                raise invalid
            if probe.width > PICTURE_MAX_SIDE or probe.height > PICTURE_MAX_SIDE:
                raise ValidationFailed({"file": [_(ERR_PICTURE_DIMENSIONS)]})
            probe.verify()
        file.seek(0)
        with Image.open(file) as opened:
            source_format = opened.format
            opened.seek(0)
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except ValidationFailed:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise invalid from exc
    out = io.BytesIO()
    if source_format == "JPEG":
        image.convert("RGB").save(out, format="JPEG", quality=90)
        content_type = "image/jpeg"
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            has_alpha = (
                image.mode in ("P", "PA") and "transparency" in image.info or "A" in image.mode
            )
            image = image.convert("RGBA" if has_alpha else "RGB")
        image.save(out, format="PNG")
        content_type = "image/png"
    return out.getvalue(), content_type, image.width, image.height
