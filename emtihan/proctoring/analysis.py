"""The worker side of proctoring: pixels and samples in, decisions out, with
``emtihan.vision`` (docs/VISION.md). Only the tasks import this module: the web process
stores uploads and enqueues; it never decodes a frame or runs a model.

Every function is idempotent: a task retried after a crash finds the work done (or
half done in a rolled-back transaction) and does it once.
"""

from __future__ import annotations

import io
import statistics
import wave
from typing import Any

from django.db import transaction
from django.utils import timezone

from emtihan.audit.services import audit_record
from emtihan.vision import (
    SAME_PERSON_THRESHOLD,
    SNAPSHOT_MAX_BYTES,
    SNAPSHOT_MAX_PIXELS,
    AudioRejected,
    FrameAnalysis,
    ImageRejected,
    Observation,
    Step,
    analyse_frame,
    check_liveness,
    decode,
    detect_faces,
    embed,
    observe,
    speech_segments,
    verify,
)
from emtihan.vision.quality import MAX_BRIGHTNESS, MIN_BRIGHTNESS, MIN_SHARPNESS

from . import files
from .flagging import flag_from_clip, flags_from_snapshot
from .models import (
    AudioClip,
    CheckStatus,
    IdentityCheck,
    IdentityFrame,
    IdentityStatus,
    ProctoringSession,
    Snapshot,
)
from .rules import (
    IDENTITY_SAMPLE_EVERY,
    REASON_BAD_FRAMES,
    REASON_BLURRED,
    REASON_MISMATCH,
    REASON_MOVEMENT,
    REASON_NO_FACE,
    REASON_NO_PHOTO,
    REASON_PASSED,
    REASON_PHOTO_UNUSABLE,
    REASON_SEVERAL_FACES,
    REASON_TOO_BRIGHT,
    REASON_TOO_DARK,
)

# The photo on file: what the registry import accepted (a phone photo at most).
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_PIXELS = 4096 * 4096
# Reasons that send the student to a proctor at once instead of another try.
MANUAL_REASONS = (REASON_NO_PHOTO, REASON_PHOTO_UNUSABLE)


def reference_embedding(session: ProctoringSession) -> list[float] | None:
    """The embedding of the student's photo on file, computed once and kept on the
    session (retention deletes it). None without a usable photo: no photo, not an image,
    or not exactly one face in it. ``[]`` is kept for "tried, nothing usable"."""
    if session.reference_embedding is not None:
        return session.reference_embedding or None
    photo = session.student.photo
    embedding: list[float] = []
    if photo:
        try:
            image = decode(
                files.read(photo.name), max_bytes=PHOTO_MAX_BYTES, max_pixels=PHOTO_MAX_PIXELS
            )
        except (ImageRejected, OSError):
            image = None
        if image is not None:
            faces = detect_faces(image)
            if len(faces) == 1:
                embedding = list(embed(image, faces[0]))
    if photo:
        # Without a photo nothing is stored: one may be imported later.
        ProctoringSession.objects.filter(pk=session.pk).update(reference_embedding=embedding)
        session.reference_embedding = embedding
    return embedding or None


def _frame_figures(analysis: FrameAnalysis) -> dict[str, Any]:
    figures: dict[str, Any] = {"faces": analysis.face_count}
    if analysis.primary is not None:
        figures["face_width"] = analysis.primary.width
    if analysis.pose is not None:
        figures["yaw"] = round(analysis.pose.yaw, 1)
        figures["pitch"] = round(analysis.pose.pitch, 1)
    if analysis.quality is not None:
        figures["sharpness"] = analysis.quality.sharpness
        figures["brightness"] = analysis.quality.brightness
    return figures


def identity_check_analyse(check_id: int) -> str:
    """Decide an identity check (docs/PROCTORING.md, the reason table) and apply the
    outcome to the student's session; returns the check's status."""
    check = IdentityCheck.objects.select_related("session__exam", "session__student").get(
        pk=check_id
    )
    if check.status != CheckStatus.ANALYSING:
        return check.status
    session = check.session
    frames = list(check.frames.order_by("pk"))
    observed: dict[Step, list[Observation | None]] = {Step(step): [] for step in check.steps}
    # The "look straight" frames with exactly one face: the baseline, the quality and
    # the identity are judged on them.
    straight: list[tuple[IdentityFrame, FrameAnalysis, tuple[float, ...]]] = []
    several = unreadable = 0
    for frame in frames:
        step = Step(frame.step)
        try:
            image = decode(
                files.read(frame.file.name),
                max_bytes=SNAPSHOT_MAX_BYTES,
                max_pixels=SNAPSHOT_MAX_PIXELS,
            )
        except (ImageRejected, OSError) as exc:
            unreadable += 1
            observed[step].append(None)
            frame.analysis = {"error": getattr(exc, "reason", "unreadable")}
            continue
        analysis = analyse_frame(image)
        several += analysis.face_count >= 2
        observed[step].append(observe(analysis))
        frame.analysis = _frame_figures(analysis)
        if step is Step.STRAIGHT and analysis.face_count == 1 and analysis.primary is not None:
            straight.append((frame, analysis, embed(image, analysis.primary)))
    reference = reference_embedding(session)
    liveness = check_liveness(observed)
    distances = []
    if reference:
        for frame, _analysis, embedding in straight:
            frame.analysis["distance"] = verify(embedding, reference).distance
            distances.append(frame.analysis["distance"])
    distance = statistics.median(distances) if distances else None
    quality = [a.quality for _f, a, _e in straight if a.quality is not None]
    sharpness = statistics.median(q.sharpness for q in quality) if quality else None
    brightness = statistics.median(q.brightness for q in quality) if quality else None

    if frames and unreadable == len(frames):
        reason = REASON_BAD_FRAMES
    elif not session.student.photo:
        reason = REASON_NO_PHOTO
    elif reference is None:
        reason = REASON_PHOTO_UNUSABLE
    elif several:
        reason = REASON_SEVERAL_FACES
    elif len(straight) < 2:
        reason = REASON_NO_FACE
    elif brightness is not None and brightness < MIN_BRIGHTNESS:
        reason = REASON_TOO_DARK
    elif brightness is not None and brightness > MAX_BRIGHTNESS:
        reason = REASON_TOO_BRIGHT
    elif sharpness is not None and sharpness < MIN_SHARPNESS:
        reason = REASON_BLURRED
    elif not liveness.passed:
        reason = REASON_MOVEMENT
    elif distance is None or distance >= SAME_PERSON_THRESHOLD:
        reason = REASON_MISMATCH
    else:
        reason = REASON_PASSED

    result = {
        "steps": [
            {"step": str(r.step), "passed": r.passed, "reason": r.reason, "measured": r.measured}
            for r in liveness.steps
        ],
        "frames": len(frames),
        "unreadable": unreadable,
        "several_faces_frames": several,
        "straight_faces": len(straight),
        "sharpness": sharpness,
        "brightness": brightness,
        "photo_on_file": bool(session.student.photo),
    }
    _apply_identity_outcome(check, frames, reason, distance, result, straight)
    return check.status


def _apply_identity_outcome(
    check: IdentityCheck,
    frames: list[IdentityFrame],
    reason: str,
    distance: float | None,
    result: dict[str, Any],
    straight: list[tuple[IdentityFrame, FrameAnalysis, tuple[float, ...]]],
) -> None:
    now = timezone.now()
    with transaction.atomic():
        # Race: the student cannot start another check while this one is analysed
        # (status "checking"); the lock orders this write after a proctor's decision.
        session = (
            ProctoringSession.objects.select_for_update()
            .select_related("exam")
            .get(pk=check.session_id)
        )
        if IdentityCheck.objects.filter(pk=check.pk, status=CheckStatus.ANALYSING).count() == 0:
            return
        passed = reason == REASON_PASSED
        check.status = CheckStatus.PASSED if passed else CheckStatus.FAILED
        check.reason = reason
        check.decided_at = now
        check.distance = distance
        check.threshold = SAME_PERSON_THRESHOLD
        check.result = result
        check.save(
            update_fields=["status", "reason", "decided_at", "distance", "threshold", "result"]
        )
        IdentityFrame.objects.bulk_update(frames, ["analysis"])
        session.identity_checks_used += 1
        if session.identity_status != IdentityStatus.CHECKING:
            # A proctor decided by hand meanwhile (only possible before the submit took
            # the session's lock): the check's result is kept, the decision stands.
            pass
        elif passed:
            session.identity_status = IdentityStatus.PASSED
            poses = [a.pose for _f, a, _e in straight if a.pose is not None]
            session.baseline_yaw = round(statistics.median(p.yaw for p in poses), 1)
            session.baseline_pitch = round(statistics.median(p.pitch for p in poses), 1)
        elif (
            reason in MANUAL_REASONS
            or session.identity_checks_used >= session.exam.identity_check_attempts
        ):
            session.identity_status = IdentityStatus.MANUAL
        else:
            session.identity_status = IdentityStatus.FAILED
        session.save(
            update_fields=[
                "identity_checks_used",
                "identity_status",
                "baseline_yaw",
                "baseline_pitch",
            ]
        )
        audit_record(
            actor=None,
            action="proctoring.identity_check",
            obj=session,
            data={
                "check": check.pk,
                "reason": reason,
                "distance": distance,
                "threshold": SAME_PERSON_THRESHOLD,
                "identity_status": session.identity_status,
            },
        )


def snapshot_analyse(snapshot_id: int) -> int:
    """Analyse one snapshot (faces, pose, lighting; the identity on a sample), store the
    figures and apply the flag rules; returns the faces found."""
    snapshot = Snapshot.objects.select_related("session__exam", "session__student").get(
        pk=snapshot_id
    )
    if snapshot.analysed_at is not None:
        return snapshot.faces or 0
    try:
        image = decode(
            files.read(snapshot.file.name),
            max_bytes=SNAPSHOT_MAX_BYTES,
            max_pixels=SNAPSHOT_MAX_PIXELS,
        )
    except (ImageRejected, OSError) as exc:
        snapshot.error = getattr(exc, "reason", "unreadable")[:32]
        snapshot.analysed_at = timezone.now()
        snapshot.save(update_fields=["error", "analysed_at"])
        return 0
    analysis = analyse_frame(image)
    snapshot.faces = analysis.face_count
    if analysis.pose is not None:
        snapshot.yaw = round(analysis.pose.yaw, 1)
        snapshot.pitch = round(analysis.pose.pitch, 1)
    if analysis.quality is not None:
        snapshot.sharpness = analysis.quality.sharpness
        snapshot.brightness = analysis.quality.brightness
    # The identity on a sample: the first snapshot and every Nth after it, when exactly
    # one face shows (an embedding costs ~4x the rest; docs/VISION.md).
    sampled = (snapshot.number - 1) % IDENTITY_SAMPLE_EVERY == 0
    if sampled and analysis.face_count == 1 and analysis.primary is not None:
        reference = reference_embedding(snapshot.session)
        if reference:
            snapshot.identity_distance = verify(embed(image, analysis.primary), reference).distance
    snapshot.analysed_at = timezone.now()
    snapshot.save(
        update_fields=[
            "faces",
            "yaw",
            "pitch",
            "sharpness",
            "brightness",
            "identity_distance",
            "analysed_at",
        ]
    )
    flags_from_snapshot(snapshot)
    return snapshot.faces


def clip_analyse(clip_id: int) -> float:
    """Find the speech in a voice clip with the server's VAD and flag it; returns the
    seconds of speech."""
    clip = AudioClip.objects.get(pk=clip_id)
    if clip.analysed_at is not None:
        return clip.speech_seconds or 0.0
    try:
        with wave.open(io.BytesIO(files.read(clip.file.name)), "rb") as audio:
            pcm = audio.readframes(audio.getnframes())
        segments = speech_segments(pcm)
    except (AudioRejected, wave.Error, EOFError, OSError) as exc:
        clip.error = getattr(exc, "reason", "unreadable")[:32]
        clip.analysed_at = timezone.now()
        clip.save(update_fields=["error", "analysed_at"])
        return 0.0
    clip.segments = [[s.start_s, s.end_s] for s in segments]
    clip.speech_seconds = round(sum(s.duration_s for s in segments), 3)
    clip.analysed_at = timezone.now()
    clip.save(update_fields=["segments", "speech_seconds", "analysed_at"])
    flag_from_clip(clip)
    return clip.speech_seconds
