"""The real face photos the tests use, and frames made from them.

They live in ``shared/testdata/faces/`` beside the checkout (CI lays a copy of shared/
next to the clone; a git worktree has it one level further up), or where
``EMTIHAN_TESTDATA`` points. Without them the tests skip locally and fail under CI=true.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest

from emtihan.vision import decode
from emtihan.vision.image import BGRImage

REPO = Path(__file__).resolve().parents[3]
PHOTOS = ("astronaut", "biden_1", "obama_1", "obama_2")


def faces_dir() -> Path:
    candidates = []
    if os.environ.get("EMTIHAN_TESTDATA"):
        candidates.append(Path(os.environ["EMTIHAN_TESTDATA"]) / "faces")
    candidates += [REPO.parent / "shared/testdata/faces", REPO.parents[1] / "shared/testdata/faces"]
    for candidate in candidates:
        if (candidate / "obama_1.jpg").is_file():
            return candidate
    message = "the face photos are missing: looked in " + ", ".join(map(str, candidates))
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@cache
def _photo_bytes(name: str) -> bytes:
    return (faces_dir() / f"{name}.jpg").read_bytes()


def photo_bytes(name: str) -> bytes:
    return _photo_bytes(name)


def photo(name: str) -> BGRImage:
    return decode(photo_bytes(name)).copy()


@cache
def face_box(name: str) -> tuple[int, int, int, int]:
    """The box of the one face in a photo (detected once per test run)."""
    from emtihan.vision import detect_faces

    (face,) = detect_faces(photo(name))
    return face.box


def mirrored(image: BGRImage) -> BGRImage:
    return np.ascontiguousarray(image[:, ::-1])


def webcam_frame(
    image: BGRImage, box: tuple[int, int, int, int], face_width: int = 180
) -> BGRImage:
    """A 640x480 frame cut around a face so that it is ``face_width`` pixels wide, as a
    student sits before a laptop camera; what falls outside the photo is grey."""
    x, y, w, h = box
    scale = face_width / w
    scaled = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    cx, cy = (x + w / 2) * scale, (y + h / 2) * scale
    frame = np.full((480, 640, 3), 96, np.uint8)
    ox, oy = round(320 - cx), round(220 - cy)
    x0, y0 = max(0, ox), max(0, oy)
    x1, y1 = min(640, ox + scaled.shape[1]), min(480, oy + scaled.shape[0])
    frame[y0:y1, x0:x1] = scaled[y0 - oy : y1 - oy, x0 - ox : x1 - ox]
    return frame


def jpeg(image: BGRImage, quality: int = 80) -> bytes:
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return encoded.tobytes()
