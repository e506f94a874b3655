"""Retention: the recordings of a session are deleted once the exam's retention period
(``Exam.proctoring_retention_days``) has run from the sitting's decision
(docs/PROCTORING.md, "Retention").

The clock starts at ``Attempt.decided_at`` for a sitting someone decided on; at the
sitting's end for one that needed no decision; never while a decision is pending or a
proposed cancel or postpone waits for its second reviewer (who needs the evidence); at
the exam window's close for a session that never became a sitting. What goes: the
files and rows of snapshots, voice clips and identity-check frames, the keyframes of
browser events, the face embedding of the photo on file and the baseline pose. What
stays: flags and events (their figures, not the pictures), identity-check results,
consent and the device report.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from emtihan.attempts.models import (
    FINAL_DECISIONS,
    Attempt,
    AttemptStatus,
    Decision,
    DecisionProposal,
    ProposalStatus,
)
from emtihan.audit.services import audit_record

from . import files
from .models import AudioClip, BrowserEvent, IdentityFrame, ProctoringSession, Snapshot


def retention_start(session: ProctoringSession) -> dt.datetime | None:
    """When the session's retention clock started, or None while it has not."""
    attempt = session.attempt or (
        # A session no upload linked to its sitting (consent and identity check only).
        Attempt.objects.filter(exam_id=session.exam_id, student_id=session.student_id).first()
    )
    if attempt is None:
        return session.exam.closes_at
    if DecisionProposal.objects.filter(attempt=attempt, status=ProposalStatus.OPEN).exists():
        return None  # the second reviewer needs the recordings
    if attempt.decision in FINAL_DECISIONS:
        return attempt.decided_at
    if attempt.decision == Decision.NONE and attempt.status != AttemptStatus.IN_PROGRESS:
        return attempt.finished_at or attempt.deadline
    return None


def deletion_due(session: ProctoringSession) -> dt.datetime | None:
    """When the session's recordings are (or were) due for deletion."""
    start = retention_start(session)
    if start is None:
        return None
    return start + dt.timedelta(days=session.exam.proctoring_retention_days)


def proctoring_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the recordings of every session whose retention has run out; returns how
    many sessions were purged. Safe to run at any time and more than once."""
    now = now or timezone.now()
    # Candidates: not purged, and the clock can have started (a sitting that ended, or
    # no sitting); the shortest retention is a day, so nothing younger qualifies.
    day_ago = now - dt.timedelta(days=1)
    candidates = (
        ProctoringSession.objects.filter(purged_at__isnull=True)
        .filter(
            Q(attempt__isnull=True, exam__closes_at__lte=day_ago)
            | Q(attempt__status__in=[AttemptStatus.FINISHED, AttemptStatus.TIMED_OUT])
        )
        .select_related("attempt", "exam")
        .order_by("pk")
    )
    purged = 0
    for session in candidates.iterator(chunk_size=500):
        due = deletion_due(session)
        if due is not None and due <= now:
            session_purge(session, now=now)
            purged += 1
    return purged


def session_purge(session: ProctoringSession, *, now: dt.datetime) -> None:
    """Delete one session's recordings: rows and the embedding in one transaction, then
    the files once it has committed (a rollback leaves every file its row names)."""
    with transaction.atomic():
        snapshots = Snapshot.objects.filter(session=session)
        frames = IdentityFrame.objects.filter(check_row__session=session)
        clips = AudioClip.objects.filter(session=session)
        keyframes = BrowserEvent.objects.filter(session=session).exclude(keyframe="")
        names = [
            *snapshots.values_list("file", flat=True),
            *frames.values_list("file", flat=True),
            *clips.values_list("file", flat=True),
            *keyframes.values_list("keyframe", flat=True),
        ]
        counts = {
            "snapshots": snapshots.count(),
            "identity_frames": frames.count(),
            "clips": clips.count(),
            "keyframes": keyframes.count(),
        }
        snapshots.delete()
        frames.delete()
        clips.delete()
        keyframes.update(keyframe="")
        ProctoringSession.objects.filter(pk=session.pk).update(
            reference_embedding=None, baseline_yaw=None, baseline_pitch=None, purged_at=now
        )
        audit_record(
            actor=None,
            action="proctoring.purge",
            obj=session,
            data={
                "exam_id": session.exam_id,
                "retention_days": session.exam.proctoring_retention_days,
                "retention_from": retention_start(session),
                **counts,
            },
        )
        transaction.on_commit(lambda: files.discard(names))
