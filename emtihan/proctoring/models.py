"""The camera side of a sitting: consent, device check, identity check, snapshots, browser
events, voice clips, and the flags a proctor reviews (docs/PROCTORING.md).

Invariants (DESIGN.md 5-7):
- the server decides: the browser's own face analysis only guides the student and raises
  events; every flag from pixels or sound comes from a background task (``tasks``) that
  calls ``emtihan.vision``; the web process never runs a model;
- a flag is evidence for a person, never a penalty: it carries the metric and the
  threshold behind it and the snapshot, keyframe or clip it was raised on;
- recordings (snapshot, keyframe, clip and identity-check files, face embeddings) are
  deleted ``Exam.proctoring_retention_days`` after the sitting's decision
  (``services.retention``); flags and events keep their figures, not the pictures.

Files live in Django's default storage under ``proctoring/`` and are served only through
``proctoring:media``, which asks the policy (``policy.proctoring``) who may see them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from emtihan.attempts.models import Attempt
from emtihan.exams.models import Exam
from emtihan.university.models import Student


def _path(kind: str, session_id: int, suffix: str) -> str:
    # An unguessable name (the directory is never served as it is, but a name that tells
    # nothing is one less thing to leak in a log).
    return f"proctoring/{session_id}/{kind}/{uuid.uuid4().hex}.{suffix}"


def snapshot_path(instance: Snapshot, filename: str) -> str:
    return _path("snapshots", instance.session_id, "jpg")


def frame_path(instance: IdentityFrame, filename: str) -> str:
    return _path("identity", instance.check_row.session_id, "jpg")


def keyframe_path(instance: BrowserEvent, filename: str) -> str:
    return _path("keyframes", instance.session_id, "jpg")


def clip_path(instance: AudioClip, filename: str) -> str:
    return _path("clips", instance.session_id, "wav")


class IdentityStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not checked yet")
    CHECKING = "checking", _("Being checked")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed: try again")
    MANUAL = "manual", _("Waiting for a proctor's check")
    APPROVED = "approved", _("Approved by a proctor")
    REJECTED = "rejected", _("Rejected by a proctor")


# What lets a sitting start when the exam requires proctoring.
IDENTITY_CLEARED = (IdentityStatus.PASSED, IdentityStatus.APPROVED)


class ProctoringSession(models.Model):
    """Everything proctoring keeps about one student in one exam, before and during the
    sitting: consent, the device check, the identity check's state, the face embedding of
    the photo on file, the upload counters of the hot paths, and the retention state.

    Created by the student's first proctoring request (consent, usually); ``attempt`` is
    linked by the first request made during the sitting.
    """

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="proctoring_sessions")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+")
    attempt = models.OneToOneField(
        Attempt, on_delete=models.PROTECT, null=True, blank=True, related_name="proctoring"
    )
    created_at = models.DateTimeField()
    # Consent: when, to which text (the first 16 hex digits of the SHA-256 of the text
    # shown, in the language shown), and in which language.
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_version = models.CharField(max_length=16, blank=True)
    consent_language = models.CharField(max_length=8, blank=True)
    # The browser's report of its device check (docs/PROCTORING.md: camera, microphone).
    device_checked_at = models.DateTimeField(null=True, blank=True)
    device_ok = models.BooleanField(default=False)
    device_report = models.JSONField(default=dict, blank=True)
    # Identity: the state, how many checks were used, a proctor's manual decision.
    identity_status = models.CharField(
        max_length=16, choices=IdentityStatus.choices, default=IdentityStatus.NOT_STARTED
    )
    identity_checks_used = models.PositiveSmallIntegerField(default=0)
    identity_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    identity_decided_at = models.DateTimeField(null=True, blank=True)
    identity_reason = models.TextField(blank=True)
    # The 128-d embedding of the photo on file (computed once by the identity-check task)
    # and the student's own "look straight" head pose (degrees), the baseline that
    # "looking away" in snapshots is measured from. Deleted by retention.
    reference_embedding = models.JSONField(null=True, blank=True)
    baseline_yaw = models.FloatField(null=True, blank=True)
    baseline_pitch = models.FloatField(null=True, blank=True)
    # Hot-path counters: a snapshot or clip upload is a conditional UPDATE on the value
    # read (docs/PROCTORING.md, "Limits"), which numbers them and bounds their rate.
    snapshots_received = models.PositiveIntegerField(default=0)
    last_snapshot_at = models.DateTimeField(null=True, blank=True)
    clips_received = models.PositiveIntegerField(default=0)
    last_clip_at = models.DateTimeField(null=True, blank=True)
    events_received = models.PositiveIntegerField(default=0)
    # Retention: when the recordings were deleted.
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("proctoring session")
        verbose_name_plural = _("proctoring sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "student"], name="one_proctoring_session_per_student"
            )
        ]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.student_id}"


class CheckStatus(models.TextChoices):
    COLLECTING = "collecting", _("Collecting frames")
    ANALYSING = "analysing", _("Being analysed")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class IdentityCheck(models.Model):
    """One try of the identity check: the steps in the order asked, the frames sent for
    each, and the server's decision with the figures behind it (``result``)."""

    session = models.ForeignKey(
        ProctoringSession, on_delete=models.CASCADE, related_name="identity_checks"
    )
    number = models.PositiveSmallIntegerField()
    steps = models.JSONField()  # ["closer", "straight", "right", "left"]: the order asked
    status = models.CharField(
        max_length=16, choices=CheckStatus.choices, default=CheckStatus.COLLECTING
    )
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Why it failed (a code of services.identity, worded for the student by the API).
    reason = models.CharField(max_length=32, blank=True)
    # Euclidean distance of the "look straight" faces to the photo on file (median), and
    # the threshold it was held against; null without a photo or a face.
    distance = models.FloatField(null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    # Per step: frames seen, frames with one face, the measured figure (liveness);
    # quality of the straight frames; what was found on the photo on file.
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("identity check")
        verbose_name_plural = _("identity checks")
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="unique_identity_check")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} #{self.number}"


class IdentityFrame(models.Model):
    """A camera frame sent during one step of an identity check."""

    # Named check_row: ``check`` is a reserved name of Django models.
    check_row = models.ForeignKey(
        IdentityCheck, on_delete=models.CASCADE, related_name="frames", db_column="check_id"
    )
    step = models.CharField(max_length=16)
    file = models.FileField(upload_to=frame_path, max_length=255, blank=True)
    size = models.PositiveIntegerField()  # bytes
    uploaded_at = models.DateTimeField()
    # What the analysis saw: faces, yaw, face width (px), sharpness, brightness.
    analysis = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("identity check frame")
        verbose_name_plural = _("identity check frames")

    def __str__(self) -> str:
        return f"{self.check_row_id}/{self.step}/{self.pk}"


class Snapshot(models.Model):
    """A camera snapshot taken during the sitting, and what its analysis found.

    ``number`` counts the session's snapshots from 1 (the identity is sampled on some
    numbers); ``taken_at`` is the browser's time, kept within the sitting and never after
    the upload (an offline queue uploads late); ``received_at`` the server's.
    """

    session = models.ForeignKey(
        ProctoringSession, on_delete=models.CASCADE, related_name="snapshots"
    )
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="snapshots")
    number = models.PositiveIntegerField()
    taken_at = models.DateTimeField()
    received_at = models.DateTimeField()
    file = models.FileField(upload_to=snapshot_path, max_length=255, blank=True)
    size = models.PositiveIntegerField()  # bytes
    width = models.PositiveSmallIntegerField()  # pixels
    height = models.PositiveSmallIntegerField()  # pixels
    # Analysis (null until the task ran): faces found, the main face's pose (degrees),
    # sharpness and brightness, and its distance to the photo on file when sampled.
    analysed_at = models.DateTimeField(null=True, blank=True)
    faces = models.PositiveSmallIntegerField(null=True, blank=True)
    yaw = models.FloatField(null=True, blank=True)
    pitch = models.FloatField(null=True, blank=True)
    sharpness = models.FloatField(null=True, blank=True)
    brightness = models.FloatField(null=True, blank=True)
    identity_distance = models.FloatField(null=True, blank=True)
    # A vision reason code when the bytes could not be analysed (docs/VISION.md).
    error = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="unique_snapshot_number")
        ]
        indexes = [models.Index(fields=["attempt", "taken_at"])]

    def __str__(self) -> str:
        return f"{self.attempt_id} #{self.number}"


class EventKind(models.TextChoices):
    TAB_HIDDEN = "tab_hidden", _("The exam tab was hidden")
    WINDOW_BLUR = "window_blur", _("Another window was in front")
    FULLSCREEN_EXIT = "fullscreen_exit", _("Full screen was left")
    PASTE_OUTSIDE = "paste_outside", _("Text copied outside the exam was pasted")
    OFFLINE = "offline", _("The connection was lost")
    SECOND_SCREEN = "second_screen", _("A second screen is connected")
    NO_FACE = "no_face", _("The browser saw no face")
    MULTIPLE_FACES = "multiple_faces", _("The browser saw several faces")
    LOOKING_AWAY = "looking_away", _("The browser saw the student look away")
    PHONE = "phone", _("The browser saw a phone")
    CAMERA_LOST = "camera_lost", _("The camera stopped")


# Events the browser's face analysis raises; they may carry a keyframe.
DETECTION_KINDS = frozenset(
    {EventKind.NO_FACE, EventKind.MULTIPLE_FACES, EventKind.LOOKING_AWAY, EventKind.PHONE}
)


class BrowserEvent(models.Model):
    """Something the browser reported during the sitting. ``at`` is the browser's time
    (kept within the sitting), ``duration_ms`` how long it lasted when the browser knows
    (a hidden tab, an offline spell); detections may carry a keyframe."""

    session = models.ForeignKey(ProctoringSession, on_delete=models.CASCADE, related_name="events")
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="browser_events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    at = models.DateTimeField()
    received_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    keyframe = models.FileField(upload_to=keyframe_path, max_length=255, blank=True)
    processed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("browser event")
        verbose_name_plural = _("browser events")
        indexes = [models.Index(fields=["attempt", "at"])]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.kind}"


class AudioClip(models.Model):
    """A short voice clip the browser recorded when it heard speech, and what the
    server's voice-activity detection found in it (seconds of speech, segments)."""

    session = models.ForeignKey(ProctoringSession, on_delete=models.CASCADE, related_name="clips")
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="audio_clips")
    started_at = models.DateTimeField()
    received_at = models.DateTimeField()
    file = models.FileField(upload_to=clip_path, max_length=255, blank=True)
    size = models.PositiveIntegerField()  # bytes
    duration_seconds = models.FloatField()
    analysed_at = models.DateTimeField(null=True, blank=True)
    speech_seconds = models.FloatField(null=True, blank=True)
    segments = models.JSONField(default=list, blank=True)  # [[start_s, end_s], ...]
    error = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("voice clip")
        verbose_name_plural = _("voice clips")
        indexes = [models.Index(fields=["attempt", "started_at"])]

    def __str__(self) -> str:
        return f"{self.attempt_id} clip {self.pk}"


class FlagKind(models.TextChoices):
    # From snapshots (server analysis)
    ABSENT = "absent", _("Nobody in front of the camera")
    MULTIPLE_FACES = "multiple_faces", _("Someone else in view")
    IDENTITY_MISMATCH = "identity_mismatch", _("The face does not match the photo on file")
    LOOKING_AWAY = "looking_away", _("Looking away from the screen")
    POOR_LIGHTING = "poor_lighting", _("Too dark or too bright to see the face")
    # From browser events
    TAB_HIDDEN = "tab_hidden", _("Left the exam tab")
    WINDOW_BLUR = "window_blur", _("Another window was in front")
    FULLSCREEN_EXIT = "fullscreen_exit", _("Left full screen")
    PASTE_OUTSIDE = "paste_outside", _("Pasted text copied outside the exam")
    OFFLINE = "offline", _("Offline")
    SECOND_SCREEN = "second_screen", _("A second screen")
    CAMERA_LOST = "camera_lost", _("The camera stopped")
    BROWSER_NO_FACE = "browser_no_face", _("No face (browser)")
    BROWSER_MULTIPLE_FACES = "browser_multiple_faces", _("Several faces (browser)")
    BROWSER_LOOKING_AWAY = "browser_looking_away", _("Looking away (browser)")
    PHONE = "phone", _("A phone in view (browser)")
    # From voice clips
    SPEECH = "speech", _("Speech")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed by a proctor")
    UPHELD = "upheld", _("Upheld by a proctor")


class Flag(models.Model):
    """Something a proctor should look at, with the evidence and the rule behind it.

    ``metric`` names what was measured (``faces``, ``seconds``, ``distance``,
    ``yaw_change_degrees``, ``brightness``, ``speech_seconds`` ...), ``value`` what it
    was and ``threshold`` the line the rule draws (docs/PROCTORING.md, "Flags"). A
    condition that lasts is one flag whose ``ended_at`` grows, not one flag per snapshot.
    A flag is never a penalty: only a person decides (DESIGN.md invariant 7).
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=32, choices=FlagKind.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    metric = models.CharField(max_length=32)
    value = models.FloatField()
    threshold = models.FloatField()
    # How many observations (snapshots, events, clips) this flag gathers.
    observations = models.PositiveIntegerField(default=1)
    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        BrowserEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    clip = models.ForeignKey(
        AudioClip, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    # The proctor's review (the console sets these; DESIGN.md invariant 7).
    status = models.CharField(max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        indexes = [models.Index(fields=["attempt", "kind", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.kind}"
