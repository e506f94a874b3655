"""Pure image and audio analysis for proctoring: no Django, no emtihan app imports (the
import-linter contract "vision imports no Django" in pyproject.toml: nothing here may
import Django, django-ninja, the task queue or any emtihan app, directly or through
another module).

The proctoring app calls it from background workers (never the web process):
``decode`` untrusted bytes, ``analyse_frame`` (faces, head pose, quality, an embedding
when asked), ``verify`` against the photo on file, ``check_liveness`` for the identity
check's steps, ``speech_segments`` for voice clips. docs/VISION.md has the measurements
behind every threshold.
"""

import os

# The face detector is built with OpenMP, whose waiting threads spin: on a busy machine
# two threads spent twice the CPU of one for the same frames (docs/VISION.md). Analysis
# scales by worker processes, one frame per core, so each uses one thread unless the
# deployment says otherwise. Must be set before the detector's library loads.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from .analysis import FrameAnalysis, analyse_frame
from .errors import AudioRejected, ImageRejected
from .faces import Face, detect_faces
from .identity import SAME_PERSON_THRESHOLD, Embedding, Verification, embed, verify
from .image import SNAPSHOT_MAX_BYTES, SNAPSHOT_MAX_PIXELS, BGRImage, decode
from .liveness import LivenessResult, Observation, Step, StepResult, check_liveness, observe
from .pose import HeadPose, head_pose
from .quality import Quality, face_quality
from .voice import Segment, speech_segments

__all__ = [
    "SAME_PERSON_THRESHOLD",
    "SNAPSHOT_MAX_BYTES",
    "SNAPSHOT_MAX_PIXELS",
    "AudioRejected",
    "BGRImage",
    "Embedding",
    "Face",
    "FrameAnalysis",
    "HeadPose",
    "ImageRejected",
    "LivenessResult",
    "Observation",
    "Quality",
    "Segment",
    "Step",
    "StepResult",
    "Verification",
    "analyse_frame",
    "check_liveness",
    "decode",
    "detect_faces",
    "embed",
    "face_quality",
    "head_pose",
    "observe",
    "speech_segments",
    "verify",
]
