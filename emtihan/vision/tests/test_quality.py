"""Quality on the face crop: blurred and darkened copies of real photos are told apart."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from emtihan.vision import analyse_frame, decode

from .photos import PHOTOS, face_box, jpeg, photo, webcam_frame


def _quality(frame):
    analysis = analyse_frame(frame)
    assert analysis.face_count == 1
    assert analysis.quality is not None
    return analysis.quality


@pytest.mark.parametrize("face_width", [60, 80, 240])
@pytest.mark.parametrize("name", PHOTOS)
def test_webcam_frames_of_the_photos_are_good(name, face_width):
    frame = decode(jpeg(webcam_frame(photo(name), face_box(name), face_width), quality=70))
    quality = _quality(frame)
    assert not (quality.blurred or quality.too_dark or quality.too_bright), quality


@pytest.mark.parametrize("face_width", [80, 160])
@pytest.mark.parametrize("name", PHOTOS)
def test_a_blurred_copy_is_blurred_and_nothing_else(name, face_width):
    frame = webcam_frame(photo(name), face_box(name), face_width)
    blurred = cv2.GaussianBlur(frame, (0, 0), 0.015 * face_width)  # sigma 1.5% of the face
    quality = _quality(blurred)
    assert quality.blurred
    assert not quality.too_dark
    assert _quality(frame).sharpness > 2 * quality.sharpness


@pytest.mark.parametrize("name", PHOTOS)
def test_a_darkened_copy_is_too_dark_but_not_blurred(name):
    frame = webcam_frame(photo(name), face_box(name), 160)
    dark = (frame.astype(np.float32) * 0.25).astype(np.uint8)
    quality = _quality(dark)
    assert quality.too_dark
    assert not quality.blurred


def test_an_overexposed_face_is_too_bright():
    frame = webcam_frame(photo("obama_1"), face_box("obama_1"), 160)
    bright = np.clip(frame.astype(np.float32) * 1.8 + 40, 0, 255).astype(np.uint8)
    quality = _quality(bright)
    assert quality.too_bright
