"""The sitting's hot paths: snapshot, event, detection and voice-clip uploads.

Each is one authenticated request, one read of the session (with its sitting and exam),
then one short transaction: a conditional UPDATE of the session's counter on the value
read (it numbers the upload and bounds the rate: two uploads that read the same counter
cannot both pass), the row, and the task that analyses it. The file is written before
the transaction (slow I/O outside it) and deleted again if the row is not saved. No
audit entry per upload (DESIGN.md: the audit chain serialises its writers).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.attempts.models import Attempt
from emtihan.core.errors import DomainError, ValidationFailed

from .. import files
from ..models import (
    DETECTION_KINDS,
    AudioClip,
    BrowserEvent,
    EventKind,
    ProctoringSession,
    Snapshot,
)
from ..rules import (
    CLIP_MAX_BYTES,
    CLIP_MAX_SECONDS,
    CLIP_MIN_GAP_SECONDS,
    CLIP_SAMPLE_RATE,
    CLIPS_PER_SITTING,
    ERR_CLIP_FORMAT,
    ERR_CLIP_REQUIRED,
    ERR_CLIP_TOO_LONG,
    ERR_EVENT_DETAIL,
    ERR_EVENT_DURATION,
    ERR_EVENT_KIND,
    ERR_EVENTS_EMPTY,
    ERR_LIMIT_REACHED,
    ERR_TOO_FREQUENT,
    EVENT_DETAIL_MAX_BYTES,
    EVENT_MAX_DURATION_MS,
    EVENTS_PER_REQUEST,
    EVENTS_PER_SITTING,
    KEYFRAMES_PER_SITTING,
    SNAPSHOT_EXTRA_ALLOWANCE,
    SNAPSHOT_MAX_BYTES,
    SNAPSHOT_MIN_GAP_SECONDS,
)
from ..tasks import analyse_clip, analyse_snapshot, flag_events
from .common import TooFrequent, read_jpeg, read_upload, sitting_session, within_sitting


def snapshot_allowance(session: ProctoringSession, attempt: Attempt) -> int:
    """The most snapshots a sitting may send: 1.5 times what its length needs at the
    exam's interval, plus ``SNAPSHOT_EXTRA_ALLOWANCE``."""
    seconds = (attempt.deadline - attempt.started_at).total_seconds()
    interval = session.exam.snapshot_interval_seconds
    return math.ceil(1.5 * seconds / interval) + SNAPSHOT_EXTRA_ALLOWANCE


def _wait(last: dt.datetime | None, gap: int, now: dt.datetime) -> None:
    if last is not None and (now - last).total_seconds() < gap:
        retry = max(1, math.ceil(gap - (now - last).total_seconds()))
        raise TooFrequent(_(ERR_TOO_FREQUENT), retry_after=retry)


def snapshot_upload(
    *,
    student_user: User,
    attempt_id: int,
    file: Any,
    taken_at: dt.datetime,
    now: dt.datetime | None = None,
) -> Snapshot:
    """Keep a camera snapshot of the sitting and enqueue its analysis (docs/PROCTORING.md)."""
    now = now or timezone.now()
    session, attempt = sitting_session(student_user=student_user, attempt_id=attempt_id, now=now)
    data, width, height = read_jpeg(file, max_bytes=SNAPSHOT_MAX_BYTES)
    _wait(session.last_snapshot_at, SNAPSHOT_MIN_GAP_SECONDS, now)
    count = session.snapshots_received
    if count >= snapshot_allowance(session, attempt):
        raise DomainError(_(ERR_LIMIT_REACHED))
    snapshot = Snapshot(
        session=session,
        attempt=attempt,
        number=count + 1,
        taken_at=within_sitting(taken_at, attempt, now),
        received_at=now,
        size=len(data),
        width=width,
        height=height,
    )
    stored = files.store(snapshot, "file", data)
    try:
        with transaction.atomic():
            advanced = ProctoringSession.objects.filter(
                pk=session.pk, snapshots_received=count
            ).update(snapshots_received=count + 1, last_snapshot_at=now)
            if not advanced:
                # Another snapshot of this sitting was counted since the read: they came
                # faster than the documented gap.
                raise TooFrequent(_(ERR_TOO_FREQUENT), retry_after=SNAPSHOT_MIN_GAP_SECONDS)
            snapshot.save(force_insert=True)
            # In the transaction: with the database backend the task row commits with
            # the snapshot (a crash between a commit and an enqueue would lose it).
            analyse_snapshot.enqueue(snapshot.pk)
    except BaseException:
        files.discard([stored])
        raise
    return snapshot


@dataclass(frozen=True)
class EventIn:
    kind: str
    at: dt.datetime
    duration_ms: int | None = None
    detail: dict[str, Any] | None = None


def _clean_events(events: Sequence[EventIn]) -> None:
    if not 1 <= len(events) <= EVENTS_PER_REQUEST:
        raise ValidationFailed({"events": [_(ERR_EVENTS_EMPTY)]})
    for event in events:
        if event.kind not in EventKind.values:
            raise ValidationFailed({"events": [_(ERR_EVENT_KIND)]})
        if event.duration_ms is not None and not 0 <= event.duration_ms <= EVENT_MAX_DURATION_MS:
            raise ValidationFailed({"events": [_(ERR_EVENT_DURATION)]})
        if event.detail and len(json.dumps(event.detail)) > EVENT_DETAIL_MAX_BYTES:
            raise ValidationFailed({"events": [_(ERR_EVENT_DETAIL)]})


def events_record(
    *,
    student_user: User,
    attempt_id: int,
    events: Sequence[EventIn],
    now: dt.datetime | None = None,
) -> int:
    """Keep a batch of browser events and enqueue their flag rules; returns how many."""
    now = now or timezone.now()
    _clean_events(events)
    session, attempt = sitting_session(student_user=student_user, attempt_id=attempt_id, now=now)
    rows = [
        BrowserEvent(
            session=session,
            attempt=attempt,
            kind=event.kind,
            at=within_sitting(event.at, attempt, now),
            received_at=now,
            duration_ms=event.duration_ms,
            detail=event.detail or {},
        )
        for event in events
    ]
    with transaction.atomic():
        _count_events(session, len(rows))
        created = BrowserEvent.objects.bulk_create(rows)
        flag_events.enqueue([row.pk for row in created])
    return len(created)


def _count_events(session: ProctoringSession, n: int) -> None:
    counted = ProctoringSession.objects.filter(
        pk=session.pk, events_received__lte=EVENTS_PER_SITTING - n
    ).update(events_received=F("events_received") + n)
    if not counted:
        raise DomainError(_(ERR_LIMIT_REACHED))


def detection_upload(
    *,
    student_user: User,
    attempt_id: int,
    event: EventIn,
    file: Any,
    now: dt.datetime | None = None,
) -> BrowserEvent:
    """A browser detection (no face, several faces, looking away, a phone) with its
    evidence keyframe."""
    now = now or timezone.now()
    if event.kind not in DETECTION_KINDS:
        raise ValidationFailed({"kind": [_(ERR_EVENT_KIND)]})
    _clean_events([event])
    session, attempt = sitting_session(student_user=student_user, attempt_id=attempt_id, now=now)
    data, _width, _height = read_jpeg(file, max_bytes=SNAPSHOT_MAX_BYTES)
    if (
        BrowserEvent.objects.filter(attempt=attempt).exclude(keyframe="").count()
        >= KEYFRAMES_PER_SITTING
    ):
        raise DomainError(_(ERR_LIMIT_REACHED))
    row = BrowserEvent(
        session=session,
        attempt=attempt,
        kind=event.kind,
        at=within_sitting(event.at, attempt, now),
        received_at=now,
        duration_ms=event.duration_ms,
        detail=event.detail or {},
    )
    stored = files.store(row, "keyframe", data)
    try:
        with transaction.atomic():
            _count_events(session, 1)
            row.save(force_insert=True)
            flag_events.enqueue([row.pk])
    except BaseException:
        files.discard([stored])
        raise
    return row


def wav_seconds(data: bytes) -> float:
    """Seconds of audio in a WAV of 16 kHz mono signed 16-bit PCM, or a 400 saying what
    it should be (the header alone is read; the worker reads the samples)."""
    try:
        with wave.open(io.BytesIO(data), "rb") as clip:
            params = clip.getparams()
    except (wave.Error, EOFError) as exc:
        raise ValidationFailed({"file": [_(ERR_CLIP_FORMAT)]}) from exc
    if (
        params.nchannels != 1
        or params.sampwidth != 2
        or params.framerate != CLIP_SAMPLE_RATE
        or params.comptype != "NONE"
        or params.nframes == 0
    ):
        raise ValidationFailed({"file": [_(ERR_CLIP_FORMAT)]})
    seconds = params.nframes / CLIP_SAMPLE_RATE
    if seconds > CLIP_MAX_SECONDS:
        raise ValidationFailed({"file": [_(ERR_CLIP_TOO_LONG)]})
    return seconds


def clip_upload(
    *,
    student_user: User,
    attempt_id: int,
    file: Any,
    started_at: dt.datetime,
    now: dt.datetime | None = None,
) -> AudioClip:
    """Keep a voice clip of the sitting and enqueue the server's voice-activity check."""
    now = now or timezone.now()
    session, attempt = sitting_session(student_user=student_user, attempt_id=attempt_id, now=now)
    data = read_upload(
        file, max_bytes=CLIP_MAX_BYTES, too_large=ERR_CLIP_TOO_LONG, missing=ERR_CLIP_REQUIRED
    )
    seconds = wav_seconds(data)
    _wait(session.last_clip_at, CLIP_MIN_GAP_SECONDS, now)
    count = session.clips_received
    if count >= CLIPS_PER_SITTING:
        raise DomainError(_(ERR_LIMIT_REACHED))
    clip = AudioClip(
        session=session,
        attempt=attempt,
        started_at=within_sitting(started_at, attempt, now),
        received_at=now,
        size=len(data),
        duration_seconds=round(seconds, 3),
    )
    stored = files.store(clip, "file", data)
    try:
        with transaction.atomic():
            advanced = ProctoringSession.objects.filter(pk=session.pk, clips_received=count).update(
                clips_received=count + 1, last_clip_at=now
            )
            if not advanced:
                raise TooFrequent(_(ERR_TOO_FREQUENT), retry_after=CLIP_MIN_GAP_SECONDS)
            clip.save(force_insert=True)
            analyse_clip.enqueue(clip.pk)
    except BaseException:
        files.discard([stored])
        raise
    return clip
