"""The flag rules (docs/PROCTORING.md, "Flags"): observations in, flags out.

A condition that lasts (nobody in view for a minute, a long offline spell, several clips
of speech) is one flag whose ``ended_at`` grows, not one flag per observation. Every flag
keeps the metric, its value and the threshold of the rule, and its evidence. Runs in the
task workers (snapshots, clips) or in a task of its own (events); the writes for one
sitting are serialised by its session's row lock, so two workers analysing neighbouring
snapshots cannot raise the same flag twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Literal

from django.db import transaction
from django.utils import timezone

from emtihan.vision.identity import SAME_PERSON_THRESHOLD
from emtihan.vision.quality import MAX_BRIGHTNESS, MIN_BRIGHTNESS

from .models import AudioClip, BrowserEvent, EventKind, Flag, FlagKind, ProctoringSession, Snapshot
from .rules import (
    ABSENT_MIN_SECONDS,
    EVENT_MERGE_SECONDS,
    LOOKING_AWAY_MIN_SECONDS,
    LOOKING_AWAY_PITCH_DEGREES,
    LOOKING_AWAY_YAW_DEGREES,
    MULTIPLE_FACES_MIN,
    OFFLINE_MIN_SECONDS,
    POOR_LIGHTING_MIN_SECONDS,
    RUN_MAX_GAP_INTERVALS,
    SPEECH_MIN_SECONDS,
    TAB_HIDDEN_MIN_SECONDS,
    WINDOW_BLUR_MIN_SECONDS,
)

# How a merged flag's value grows: the stretch's length, the largest value seen, a sum.
Accumulate = Literal["duration", "max", "sum", "count"]


def _upsert(
    *,
    attempt_id: int,
    kind: str,
    start: dt.datetime,
    end: dt.datetime,
    metric: str,
    value: float,
    threshold: float,
    accumulate: Accumulate,
    merge_gap: dt.timedelta,
    members: Sequence[dt.datetime] = (),
    snapshot: Snapshot | None = None,
    event: BrowserEvent | None = None,
    clip: AudioClip | None = None,
) -> Flag:
    """Extend the flag of ``kind`` that overlaps [start, end] or lies within
    ``merge_gap`` of it, or raise a new one. Call it under the session's row lock.

    ``members`` are the times of the observations behind [start, end] (the snapshots of
    a run); one observation (an event, a clip) when empty. A merge counts only those
    outside the stretch the flag already covers."""
    observations = len(members) or 1
    existing = (
        Flag.objects.filter(
            attempt_id=attempt_id,
            kind=kind,
            started_at__lte=end + merge_gap,
            ended_at__gte=start - merge_gap,
        )
        .order_by("started_at")
        .first()
    )
    if existing is None:
        return Flag.objects.create(
            attempt_id=attempt_id,
            kind=kind,
            started_at=start,
            ended_at=end,
            metric=metric,
            value=round(value, 3),
            threshold=threshold,
            observations=observations,
            snapshot=snapshot,
            event=event,
            clip=clip,
            created_at=timezone.now(),
        )
    if members:
        observations = sum(1 for t in members if not existing.started_at <= t <= existing.ended_at)
    existing.started_at = min(existing.started_at, start)
    existing.ended_at = max(existing.ended_at, end)
    existing.observations += observations
    if accumulate == "duration":
        existing.value = (existing.ended_at - existing.started_at).total_seconds()
    elif accumulate == "max":
        existing.value = max(existing.value, round(value, 3))
    elif accumulate == "sum":
        existing.value = round(existing.value + value, 3)
    else:
        existing.value = existing.observations
    existing.save(update_fields=["started_at", "ended_at", "observations", "value"])
    return existing


def _lock_session(attempt_id: int) -> ProctoringSession:
    return ProctoringSession.objects.select_for_update().get(attempt_id=attempt_id)


# --- snapshots ------------------------------------------------------------------------------


def _looking_away(session: ProctoringSession) -> Callable[[Snapshot], bool]:
    # The student's own "look straight" pose from the identity check; a frontal 0 without
    # one (docs/VISION.md: pitch carries a per-person offset of up to ~20 degrees).
    base_yaw = session.baseline_yaw or 0.0
    base_pitch = session.baseline_pitch or 0.0

    def away(s: Snapshot) -> bool:
        if not s.faces or s.yaw is None or s.pitch is None:
            return False
        return (
            abs(s.yaw - base_yaw) > LOOKING_AWAY_YAW_DEGREES
            or abs(s.pitch - base_pitch) > LOOKING_AWAY_PITCH_DEGREES
        )

    return away


def _poor_lighting(s: Snapshot) -> bool:
    return (
        bool(s.faces)
        and s.brightness is not None
        and not (MIN_BRIGHTNESS <= s.brightness <= MAX_BRIGHTNESS)
    )


def _run(
    snapshot: Snapshot,
    neighbours: Sequence[Snapshot],
    condition: Callable[[Snapshot], bool],
    gap: dt.timedelta,
) -> list[Snapshot]:
    """The consecutive snapshots around ``snapshot`` that all meet ``condition`` (none
    when it does not); consecutive: no gap longer than ``gap`` between two of them."""
    if not condition(snapshot):
        return []
    index = next(i for i, s in enumerate(neighbours) if s.pk == snapshot.pk)
    first = last = index
    while (
        first > 0
        and condition(neighbours[first - 1])
        and (neighbours[first].taken_at - neighbours[first - 1].taken_at <= gap)
    ):
        first -= 1
    while (
        last + 1 < len(neighbours)
        and condition(neighbours[last + 1])
        and (neighbours[last + 1].taken_at - neighbours[last].taken_at <= gap)
    ):
        last += 1
    return list(neighbours[first : last + 1])


def flags_from_snapshot(snapshot: Snapshot) -> list[Flag]:
    """Apply the snapshot rules around an analysed snapshot (its neighbours may have been
    analysed before or after it: each analysis looks both ways)."""
    session = snapshot.session
    interval = session.exam.snapshot_interval_seconds
    gap = dt.timedelta(seconds=RUN_MAX_GAP_INTERVALS * interval)
    longest = max(ABSENT_MIN_SECONDS, LOOKING_AWAY_MIN_SECONDS, POOR_LIGHTING_MIN_SECONDS)
    window = dt.timedelta(seconds=longest) + gap
    rules: list[tuple[str, Callable[[Snapshot], bool], int, str, Accumulate, float]] = [
        (FlagKind.ABSENT, lambda s: s.faces == 0, ABSENT_MIN_SECONDS, "seconds", "duration", 0),
        (
            FlagKind.MULTIPLE_FACES,
            lambda s: (s.faces or 0) >= MULTIPLE_FACES_MIN,
            0,
            "faces",
            "max",
            MULTIPLE_FACES_MIN,
        ),
        (
            FlagKind.LOOKING_AWAY,
            _looking_away(session),
            LOOKING_AWAY_MIN_SECONDS,
            "seconds",
            "duration",
            0,
        ),
        (
            FlagKind.POOR_LIGHTING,
            _poor_lighting,
            POOR_LIGHTING_MIN_SECONDS,
            "seconds",
            "duration",
            0,
        ),
        (
            FlagKind.IDENTITY_MISMATCH,
            lambda s: (
                s.identity_distance is not None and s.identity_distance >= SAME_PERSON_THRESHOLD
            ),
            0,
            "distance",
            "max",
            SAME_PERSON_THRESHOLD,
        ),
    ]
    raised: list[Flag] = []
    with transaction.atomic():
        _lock_session(snapshot.attempt_id)
        neighbours = list(
            Snapshot.objects.filter(
                attempt_id=snapshot.attempt_id,
                analysed_at__isnull=False,
                error="",
                taken_at__gte=snapshot.taken_at - window,
                taken_at__lte=snapshot.taken_at + window,
            ).order_by("taken_at", "number")
        )
        for kind, condition, min_seconds, metric, accumulate, threshold in rules:
            run = _run(snapshot, neighbours, condition, gap)
            if not run:
                continue
            span = (run[-1].taken_at - run[0].taken_at).total_seconds()
            if span < min_seconds:
                continue
            if metric == "faces":
                value = float(max(s.faces or 0 for s in run))
            elif metric == "distance":
                value = max(s.identity_distance or 0.0 for s in run)
            else:
                value = span
            raised.append(
                _upsert(
                    attempt_id=snapshot.attempt_id,
                    kind=kind,
                    start=run[0].taken_at,
                    end=run[-1].taken_at,
                    metric=metric,
                    value=value,
                    threshold=float(min_seconds if metric == "seconds" else threshold),
                    accumulate=accumulate,
                    merge_gap=gap,
                    members=[s.taken_at for s in run],
                    snapshot=run[0] if metric == "seconds" else snapshot,
                )
            )
    return raised


# --- browser events ---------------------------------------------------------------------------

# kind -> (flag, metric, threshold): "seconds" rules need the event's duration, "count"
# rules flag every event.
EVENT_RULES: dict[str, tuple[str, str, float]] = {
    EventKind.TAB_HIDDEN: (FlagKind.TAB_HIDDEN, "seconds", TAB_HIDDEN_MIN_SECONDS),
    EventKind.WINDOW_BLUR: (FlagKind.WINDOW_BLUR, "seconds", WINDOW_BLUR_MIN_SECONDS),
    EventKind.OFFLINE: (FlagKind.OFFLINE, "seconds", OFFLINE_MIN_SECONDS),
    EventKind.FULLSCREEN_EXIT: (FlagKind.FULLSCREEN_EXIT, "count", 1),
    EventKind.PASTE_OUTSIDE: (FlagKind.PASTE_OUTSIDE, "count", 1),
    EventKind.SECOND_SCREEN: (FlagKind.SECOND_SCREEN, "count", 1),
    EventKind.CAMERA_LOST: (FlagKind.CAMERA_LOST, "count", 1),
    EventKind.NO_FACE: (FlagKind.BROWSER_NO_FACE, "count", 1),
    EventKind.MULTIPLE_FACES: (FlagKind.BROWSER_MULTIPLE_FACES, "count", 1),
    EventKind.LOOKING_AWAY: (FlagKind.BROWSER_LOOKING_AWAY, "count", 1),
    EventKind.PHONE: (FlagKind.PHONE, "count", 1),
}


def flags_from_events(event_ids: Sequence[int]) -> int:
    """Apply the event rules to events not yet processed; returns the flags touched."""
    touched = 0
    events = list(
        BrowserEvent.objects.filter(pk__in=event_ids, processed=False).order_by("attempt_id", "at")
    )
    merge_gap = dt.timedelta(seconds=EVENT_MERGE_SECONDS)
    for attempt_id in sorted({e.attempt_id for e in events}):
        with transaction.atomic():
            _lock_session(attempt_id)
            for event in (e for e in events if e.attempt_id == attempt_id):
                flag, metric, threshold = EVENT_RULES[event.kind]
                seconds = (event.duration_ms or 0) / 1000
                if metric == "seconds" and seconds < threshold:
                    continue
                _upsert(
                    attempt_id=attempt_id,
                    kind=flag,
                    start=event.at,
                    end=event.at + dt.timedelta(seconds=seconds),
                    metric=metric,
                    value=seconds if metric == "seconds" else 1,
                    threshold=threshold,
                    accumulate="sum" if metric == "seconds" else "count",
                    merge_gap=merge_gap,
                    event=event,
                )
                touched += 1
            BrowserEvent.objects.filter(
                pk__in=[e.pk for e in events if e.attempt_id == attempt_id]
            ).update(processed=True)
    return touched


# --- voice ------------------------------------------------------------------------------------


def flag_from_clip(clip: AudioClip) -> Flag | None:
    """A speech flag when the server's VAD found enough speech in the clip."""
    if clip.speech_seconds is None or clip.speech_seconds < SPEECH_MIN_SECONDS:
        return None
    with transaction.atomic():
        _lock_session(clip.attempt_id)
        return _upsert(
            attempt_id=clip.attempt_id,
            kind=FlagKind.SPEECH,
            start=clip.started_at,
            end=clip.started_at + dt.timedelta(seconds=clip.duration_seconds),
            metric="speech_seconds",
            value=clip.speech_seconds,
            threshold=SPEECH_MIN_SECONDS,
            accumulate="sum",
            merge_gap=dt.timedelta(seconds=EVENT_MERGE_SECONDS),
            clip=clip,
        )
