"""Frames, snapshots and clips made from the real photos in shared/testdata/faces (via
emtihan.vision's test helpers) for the proctoring tests.

A real turned head cannot be made from a frontal photo. The identity check's turn steps
therefore use the photo in perspective (``turned``): a flat picture turned in front of
the camera, which docs/VISION.md documents the 5-point pose reads as a yaw change of 20
degrees and more when turned by 50 degrees or more. These tests check the server's
pipeline and decisions around liveness (which has its own tests on pose sequences), not
that liveness tells a turned head from a turned picture: it cannot.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile

from emtihan.vision.tests.photos import face_box, jpeg, photo, webcam_frame
from emtihan.vision.tests.test_liveness import _turned_flat

SPEECH = Path(__file__).resolve().parents[2] / "vision/tests/data/speech_en.wav"


def frame(name: str, width: int = 160) -> np.ndarray:
    """A 640x480 webcam frame with the person's face ``width`` pixels wide."""
    return webcam_frame(photo(name), face_box(name), width)


def turned(name: str, degrees: float) -> np.ndarray:
    """The frame as a picture turned by ``degrees`` (positive: the student's left)."""
    return _turned_flat(frame(name), degrees)


def empty() -> np.ndarray:
    return np.full((480, 640, 3), 96, np.uint8)


def two_faces(a: str = "obama_1", b: str = "biden_1") -> np.ndarray:
    """Two portraits composed side by side into one 640x480 frame."""
    left = webcam_frame(photo(a), face_box(a), 120)[:, 160:480]
    right = webcam_frame(photo(b), face_box(b), 120)[:, 160:480]
    return np.ascontiguousarray(np.hstack([left, right]))


def upload(image: np.ndarray, name: str = "frame.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg(image, 75), content_type="image/jpeg")


def identity_frames(name: str) -> dict[str, list[np.ndarray]]:
    """Two frames per step of a person who does what each step asks."""
    return {
        "straight": [frame(name, 160), frame(name, 164)],
        "closer": [frame(name, 220), frame(name, 230)],
        "left": [turned(name, 50), turned(name, 55)],
        "right": [turned(name, -50), turned(name, -55)],
    }


def still_frames(name: str) -> dict[str, list[np.ndarray]]:
    """The same picture for every step (a photo held up, a frozen video)."""
    still = frame(name, 160)
    return {step: [still, still] for step in ("straight", "closer", "left", "right")}


def wav(seconds_of_silence_before: float = 0.5, *, speech: bool = True) -> bytes:
    """A 16 kHz mono 16-bit WAV: silence, then the espeak-ng sentence (or more silence)."""
    with wave.open(str(SPEECH), "rb") as source:
        sentence = source.readframes(source.getnframes())
    silence = b"\x00\x00" * int(16000 * seconds_of_silence_before)
    body = silence + (sentence if speech else b"\x00\x00" * (len(sentence) // 2)) + silence
    out = io.BytesIO()
    with wave.open(out, "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(16000)
        clip.writeframes(body)
    return out.getvalue()
