"""What the demo's students put in front of their cameras, made from the real photos in
``emtihan/demo/photos/`` (README.md there says where they come from): a 640x480 webcam
frame of one person, an empty room, two people side by side, and the photo turned in
front of the camera for the identity check's "turn the head" steps.

A turned head cannot be made from a frontal photo; the turns are the picture turned in
perspective, which the 5-point pose reads as a yaw change of 20 degrees and more
(docs/VISION.md). That is enough for the demo's identity checks to pass the movements
and be decided on the face, as the proctoring tests do (``proctoring/tests/media.py``).

Only ``demo_seed`` uses this (a management command, never the web process): detecting
the face to frame it runs the vision models.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import cv2
import numpy as np

from emtihan.vision import BGRImage, decode, detect_faces

PHOTOS = Path(__file__).resolve().parent / "photos"
GREY = 96  # the wall behind the student


@cache
def photo_bytes(name: str) -> bytes:
    return (PHOTOS / f"{name}.jpg").read_bytes()


@cache
def _photo(name: str) -> tuple[BGRImage, tuple[int, int, int, int]]:
    image = decode(photo_bytes(name))
    (face,) = detect_faces(image)
    return image, face.box


def frame(name: str, face_width: int = 160) -> BGRImage:
    """A 640x480 frame of the person, the face ``face_width`` pixels wide, as a student
    sits before a laptop camera; what falls outside the photo is the grey wall."""
    image, (x, y, w, h) = _photo(name)
    scale = face_width / w
    scaled = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    cx, cy = (x + w / 2) * scale, (y + h / 2) * scale
    out = np.full((480, 640, 3), GREY, np.uint8)
    ox, oy = round(320 - cx), round(220 - cy)
    x0, y0 = max(0, ox), max(0, oy)
    x1, y1 = min(640, ox + scaled.shape[1]), min(480, oy + scaled.shape[0])
    out[y0:y1, x0:x1] = scaled[y0 - oy : y1 - oy, x0 - ox : x1 - ox]
    return out


def empty() -> BGRImage:
    """Nobody in front of the camera."""
    return np.full((480, 640, 3), GREY, np.uint8)


def two_people(a: str, b: str) -> BGRImage:
    """Two people side by side in one frame."""
    left = frame(a, 120)[:, 160:480]
    right = frame(b, 120)[:, 160:480]
    return np.ascontiguousarray(np.hstack([left, right]))


def turned(name: str, degrees: float) -> BGRImage:
    """The frame as a flat picture turned by ``degrees`` about its vertical axis
    (positive: the student's left)."""
    image = frame(name)
    height, width = image.shape[:2]
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    t = math.radians(degrees)
    moved = []
    for x, y in corners:
        px, py = x - width / 2, y - height / 2
        # the plane at distance f = width from the camera, turned about its centre line
        depth = width + px * math.sin(t)
        moved.append(
            [width * px * math.cos(t) / depth + width / 2, width * py / depth + height / 2]
        )
    homography = cv2.getPerspectiveTransform(corners, np.array(moved, np.float32))
    warped = cv2.warpPerspective(image, homography, (width, height), borderValue=(GREY,) * 3)
    return np.asarray(warped, np.uint8)


def identity_steps(name: str) -> dict[str, list[BGRImage]]:
    """Two frames per identity-check step of a person doing what each step asks."""
    return {
        "straight": [frame(name, 160), frame(name, 164)],
        "closer": [frame(name, 220), frame(name, 230)],
        "left": [turned(name, 50), turned(name, 55)],
        "right": [turned(name, -50), turned(name, -55)],
    }


def jpeg(image: BGRImage, quality: int = 75) -> bytes:
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("the frame could not be encoded")
    return encoded.tobytes()
