"""Proctoring's limits, thresholds, reason codes and messages, in one place.

Every figure here is quoted in docs/PROCTORING.md; the vision thresholds it relies on
(faces, pose, quality, identity) are in emtihan/vision and docs/VISION.md. Messages are
marked with ``gettext_noop`` and translated where they are raised; tests assert on them.
This module imports nothing of the app, so the services, the worker code and the API
can all read it without an import circle.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

# --- uploads (bytes, pixels, counts, seconds) ----------------------------------------------

# A 640x480 JPEG at quality 70-80 is 30-60 KB; 200 KB leaves room for a busy room.
SNAPSHOT_MAX_BYTES = 200 * 1024
# What the worker decodes at most (vision.SNAPSHOT_MAX_PIXELS is the same 1280x960).
SNAPSHOT_MAX_WIDTH = 1280
SNAPSHOT_MAX_HEIGHT = 960
# Server seconds between two accepted snapshots: an offline queue may flush faster than
# the exam's interval, not faster than this.
SNAPSHOT_MIN_GAP_SECONDS = 2
# A sitting's snapshots: 1.5 times what its duration needs at the exam's interval, plus
# this many (reloads, a second device).
SNAPSHOT_EXTRA_ALLOWANCE = 30
# Uploads queued offline may arrive this long after the sitting ended (minutes).
LATE_UPLOAD_MINUTES = 10

# The identity check's steps: emtihan.vision.Step's values (a test holds them equal; the
# web process names them without importing the analysis package).
STEPS = ("straight", "closer", "left", "right")
IDENTITY_FRAME_MAX_BYTES = SNAPSHOT_MAX_BYTES
IDENTITY_FRAMES_PER_STEP = 6
IDENTITY_MIN_FRAMES_PER_STEP = 2

EVENTS_PER_REQUEST = 50
EVENTS_PER_SITTING = 2000
EVENT_DETAIL_MAX_BYTES = 1024
KEYFRAMES_PER_SITTING = 200
# A single event's duration, milliseconds: at most a day (a browser's clock can say more).
EVENT_MAX_DURATION_MS = 24 * 3600 * 1000

# Voice clips: WAV, 16 kHz mono signed 16-bit PCM (what emtihan.vision's VAD reads).
CLIP_SAMPLE_RATE = 16000
CLIP_MAX_SECONDS = 30
CLIP_MAX_BYTES = CLIP_MAX_SECONDS * CLIP_SAMPLE_RATE * 2 + 1024  # samples + a header
CLIP_MIN_GAP_SECONDS = 5
CLIPS_PER_SITTING = 120

# --- flag rules (docs/PROCTORING.md, "Flags") ---------------------------------------------

# Snapshots: a condition seen on consecutive snapshots lasting at least this long (server
# seconds between the first and the last snapshot showing it) raises one flag.
ABSENT_MIN_SECONDS = 30
LOOKING_AWAY_MIN_SECONDS = 30
POOR_LIGHTING_MIN_SECONDS = 60
# Two faces are flagged on the first snapshot that shows them.
MULTIPLE_FACES_MIN = 2
# Consecutive means: no gap longer than this many intervals between two snapshots (a
# longer gap is the camera or the connection missing, which the browser reports).
RUN_MAX_GAP_INTERVALS = 3
# Looking away: the head turned from the student's own "look straight" pose (identity
# check) by more than this many degrees of yaw, or of pitch.
LOOKING_AWAY_YAW_DEGREES = 35.0
LOOKING_AWAY_PITCH_DEGREES = 25.0
# Identity in snapshots: the first snapshot and every Nth after it are compared with
# the photo on file (an embedding costs ~4x the rest of the analysis).
IDENTITY_SAMPLE_EVERY = 5
# Events: a hidden tab, a window in front or an offline spell shorter than this many
# seconds is kept as an event without a flag (a notification, a flicker).
TAB_HIDDEN_MIN_SECONDS = 5
WINDOW_BLUR_MIN_SECONDS = 5
OFFLINE_MIN_SECONDS = 30
# Events of one kind within this many seconds of an open flag of that kind extend it.
EVENT_MERGE_SECONDS = 60
# Voice: a clip with at least this much speech (seconds) raises a speech flag.
SPEECH_MIN_SECONDS = 1.0

# --- identity check reason codes (the task sets them; the API words them) -----------------

REASON_PASSED = "passed"
REASON_NO_FACE = "face_not_visible"
REASON_SEVERAL_FACES = "several_faces"
REASON_BLURRED = "blurred"
REASON_TOO_DARK = "too_dark"
REASON_TOO_BRIGHT = "too_bright"
REASON_MOVEMENT = "movement_not_seen"
REASON_MISMATCH = "does_not_match_photo"
REASON_NO_PHOTO = "no_photo_on_file"
REASON_PHOTO_UNUSABLE = "photo_on_file_unusable"
REASON_BAD_FRAMES = "frames_unreadable"

# --- messages -------------------------------------------------------------------------------

ERR_NOT_STUDENT = gettext_noop("Only students have a proctoring record of their own.")
ERR_EXAM_NOT_FOUND = gettext_noop("This exam does not exist or is not one of yours.")
ERR_PROCTORING_OFF = gettext_noop("This exam is sat without the camera: nothing is recorded.")
ERR_ATTEMPT_NOT_FOUND = gettext_noop("This exam sitting does not exist.")
ERR_CONSENT_FIRST = gettext_noop(
    "Read what is recorded and agree to it first: nothing is recorded before you agree."
)
ERR_CONSENT_CHANGED = gettext_noop(
    "The text you agreed to has changed (the exam's settings were changed): read it again."
)
ERR_LANGUAGE = gettext_noop("Choose one of the languages: Kazakh, Russian or English.")
ERR_DEVICE_REPORT = gettext_noop("The device check report is not in the expected form.")
ERR_CHECK_NOT_FOUND = gettext_noop("This identity check does not exist.")
ERR_CHECK_CLOSED = gettext_noop(
    "This identity check has already been sent for analysis: start a new one if you may."
)
ERR_IDENTITY_DONE = gettext_noop("Your identity has already been confirmed for this exam.")
ERR_IDENTITY_IN_PROGRESS = gettext_noop(
    "Your previous identity check is still being analysed: wait for its result."
)
ERR_NO_CHECKS_LEFT = gettext_noop(
    "You have used every identity check attempt: a proctor will check you by hand. "
    "Stay on this page."
)
ERR_WAITING_FOR_PROCTOR = gettext_noop(
    "A proctor will check your identity by hand. Stay on this page."
)
ERR_IDENTITY_REJECTED = gettext_noop(
    "A proctor did not confirm your identity for this exam. Contact the exam office."
)
ERR_STEP = gettext_noop("This step is not part of the identity check.")
ERR_TOO_MANY_FRAMES = gettext_noop("This step already has enough frames.")
ERR_TOO_FEW_FRAMES = gettext_noop(
    "Each step needs at least two frames: follow every instruction on the screen."
)
ERR_FILE_REQUIRED = gettext_noop("No picture was sent.")
ERR_FILE_TOO_LARGE = gettext_noop("The picture is larger than 200 KB.")
ERR_NOT_JPEG = gettext_noop("The picture is not a JPEG.")
ERR_TOO_MANY_PIXELS = gettext_noop("The picture is larger than 1280 × 960 pixels.")
ERR_SITTING_OVER = gettext_noop("This sitting has ended: nothing more is recorded.")
ERR_TOO_FREQUENT = gettext_noop("Too many uploads in a short time: wait a moment.")
ERR_LIMIT_REACHED = gettext_noop("This sitting has reached the most recordings it can have.")
ERR_EVENTS_EMPTY = gettext_noop("Send from 1 to 50 events at a time.")
ERR_EVENT_KIND = gettext_noop("Unknown event kind.")
ERR_EVENT_DETAIL = gettext_noop("An event's details are larger than 1 KB.")
ERR_EVENT_DURATION = gettext_noop("An event's duration must be from 0 to 24 hours.")
ERR_CLIP_REQUIRED = gettext_noop("No voice clip was sent.")
ERR_CLIP_FORMAT = gettext_noop("The voice clip must be a WAV file: 16 kHz, mono, 16-bit PCM.")
ERR_CLIP_TOO_LONG = gettext_noop("The voice clip is longer than 30 seconds.")
ERR_NOT_PROCTOR = gettext_noop("Only a proctor of this exam can check a student's identity.")
ERR_DECISION = gettext_noop("Choose to approve or to reject the student's identity.")
ERR_REASON_REQUIRED = gettext_noop("Write the reason for this decision.")
ERR_NOTHING_TO_DECIDE = gettext_noop("This student's identity is not waiting for a proctor.")
ERR_FLAG_REVIEW = gettext_noop("Choose to uphold or to dismiss the flag.")
ERR_FLAG_REVIEWED = gettext_noop("This flag has been reviewed already.")

# The start gate (the student reads these on the exam page and from the API).
ERR_START_CONSENT = gettext_noop(
    "This exam requires the camera: before starting, read what is recorded and agree to it."
)
ERR_START_DEVICE = gettext_noop(
    "This exam requires the camera and the microphone: allow both in the device check "
    "before starting."
)
ERR_START_IDENTITY = gettext_noop(
    "This exam requires an identity check: pass it (or wait for a proctor's approval) "
    "before starting."
)

# What the student reads about a failed identity check, per reason.
IDENTITY_MESSAGES = {
    REASON_PASSED: gettext_noop("Your identity is confirmed. You can read the rules and start."),
    REASON_NO_FACE: gettext_noop(
        "Your face was not found in the frames. The main part of the face must be visible: "
        "no mask or anything else covering it (a hijab that leaves the face visible is fine). "
        "Sit facing the camera in good light and try again."
    ),
    REASON_SEVERAL_FACES: gettext_noop(
        "More than one face was in view. Only you may be in front of the camera."
    ),
    REASON_BLURRED: gettext_noop(
        "The picture of your face was blurred. Hold still, clean the camera and try again."
    ),
    REASON_TOO_DARK: gettext_noop(
        "Your face was too dark to see. Turn on a light in front of you (not behind you)."
    ),
    REASON_TOO_BRIGHT: gettext_noop(
        "Your face was too bright to see. Move away from direct light behind the camera."
    ),
    REASON_MOVEMENT: gettext_noop(
        "Not every movement was seen. Follow each instruction: look straight, move closer, "
        "turn your head left and right when asked."
    ),
    REASON_MISMATCH: gettext_noop(
        "Your face did not match your photo on file. The main part of the face must be "
        "visible: no mask or anything else covering it. Try again in good light."
    ),
    REASON_NO_PHOTO: gettext_noop(
        "There is no photo of you on file: a proctor will check your identity by hand. "
        "Stay on this page."
    ),
    REASON_PHOTO_UNUSABLE: gettext_noop(
        "Your photo on file cannot be compared (no single clear face in it): a proctor will "
        "check your identity by hand. Stay on this page."
    ),
    REASON_BAD_FRAMES: gettext_noop(
        "The camera's pictures could not be read. Reload the page and try again."
    ),
}
