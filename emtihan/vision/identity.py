"""Face embeddings and verification against the photo on file.

dlib's ResNet maps a face, aligned by its 5 landmarks into a 150x150 chip, to a 128-d
vector; two photos of one person lie closer than ``SAME_PERSON_THRESHOLD`` (Euclidean).
The threshold is the one dlib calibrated the model for (99.38% on LFW) and is checked on
real photos in docs/VISION.md. It costs about 75-95 ms of one core per face, so snapshots
compute it on a sample of frames, not every one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import cv2
import dlib
import numpy as np

from .faces import Face, dlib_rectangle
from .image import BGRImage
from .models import face_encoder

SAME_PERSON_THRESHOLD = 0.6
EMBEDDING_SIZE = 128
CHIP_SIZE = 150
CHIP_PADDING = 0.25

Embedding = tuple[float, ...]


class Verification(NamedTuple):
    distance: float
    same_person: bool


def embed(image: BGRImage, face: Face) -> Embedding:
    """The face's 128-d embedding (a tuple of floats: storable as JSON as it is)."""
    points = dlib.points([dlib.point(round(x), round(y)) for x, y in face.landmarks])
    shape = dlib.full_object_detection(dlib_rectangle(face.box), points)
    # The chip is cut from the BGR frame (resampling ignores channel order); only the
    # 150x150 chip is turned into the RGB the network expects.
    chip = dlib.get_face_chip(image, shape, size=CHIP_SIZE, padding=CHIP_PADDING)
    rgb = np.ascontiguousarray(cv2.cvtColor(chip, cv2.COLOR_BGR2RGB))
    return tuple(float(v) for v in face_encoder().compute_face_descriptor(rgb))


def verify(embedding: Sequence[float], reference: Sequence[float]) -> Verification:
    """Distance between a face and the reference (the photo on file), and the decision."""
    a = np.asarray(embedding, dtype=np.float64)
    b = np.asarray(reference, dtype=np.float64)
    if a.shape != (EMBEDDING_SIZE,) or b.shape != (EMBEDDING_SIZE,):
        raise ValueError(f"embeddings must have {EMBEDDING_SIZE} values")
    distance = float(np.linalg.norm(a - b))
    return Verification(distance=round(distance, 4), same_person=distance < SAME_PERSON_THRESHOLD)
