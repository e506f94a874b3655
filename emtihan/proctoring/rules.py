"""Proctoring's limits, thresholds, reason codes and messages, in one place.

Every figure here is quoted in docs/PROCTORING.md; the vision thresholds it relies on
(faces, pose, quality, identity) are in emtihan/vision and docs/VISION.md. Messages are
marked with ``gettext_noop`` and translated where they are raised; tests assert on them.
This module imports nothing of the app, so the services, the worker code and the API
can all read it without an import circle.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

# --- messages -------------------------------------------------------------------------------

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
