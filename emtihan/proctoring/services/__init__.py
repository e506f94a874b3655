"""Writes of the proctoring app (docs/PROCTORING.md is the contract).

Modules: ``common`` (the student's session, errors, upload checks), ``consent``,
``device``, ``identity`` (the student's check and the proctor's decision by hand),
``uploads`` (the sitting's hot paths), ``gate`` (the start requirement attempts asks).
The server's decisions are the tasks' (``analysis``, ``flagging``); retention is
``retention`` (a task and a command run it). Callers import from here.
"""

from ..retention import deletion_due, proctoring_purge
from .common import SittingOver, TooFrequent, exam_session, student_exam
from .consent import LANGUAGES, consent_give, consent_paragraphs, consent_version
from .device import CAMERA_STATES, MICROPHONE_STATES, device_check_record
from .flags import flag_review
from .gate import start_blocker, start_requirement
from .identity import (
    identity_check_start,
    identity_check_submit,
    identity_decide,
    identity_frame_upload,
    own_check,
)
from .uploads import (
    EventIn,
    clip_upload,
    detection_upload,
    events_record,
    snapshot_upload,
)

__all__ = [
    "CAMERA_STATES",
    "LANGUAGES",
    "MICROPHONE_STATES",
    "EventIn",
    "SittingOver",
    "TooFrequent",
    "clip_upload",
    "consent_give",
    "consent_paragraphs",
    "consent_version",
    "deletion_due",
    "detection_upload",
    "device_check_record",
    "events_record",
    "exam_session",
    "flag_review",
    "identity_check_start",
    "identity_check_submit",
    "identity_decide",
    "identity_frame_upload",
    "own_check",
    "proctoring_purge",
    "snapshot_upload",
    "start_blocker",
    "start_requirement",
    "student_exam",
]
