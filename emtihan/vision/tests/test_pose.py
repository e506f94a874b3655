"""Head pose: the sign convention on exact projections, and on real (mirrored) photos."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from emtihan.vision import Face, analyse_frame, head_pose
from emtihan.vision.pose import FACE_MODEL_MM

from .photos import PHOTOS, mirrored, photo

WIDTH, HEIGHT = 640, 480


def _project(yaw: float, pitch: float, roll: float) -> Face:
    """The model face 50 cm from the camera, turned by these angles (this package's
    conventions: yaw > 0 to the student's left, pitch > 0 chin up, roll > 0 towards the
    left shoulder), projected as a webcam would."""
    y, p, r = (math.radians(a) for a in (yaw, pitch, roll))
    # In camera axes (x right, y down, z away): turning left swings the nose (-z) to +x,
    # chin up swings it to -y, tilting left drops the model's +x end (+y).
    turn = np.array([[math.cos(y), 0, -math.sin(y)], [0, 1, 0], [math.sin(y), 0, math.cos(y)]])
    nod = np.array([[1, 0, 0], [0, math.cos(p), math.sin(p)], [0, -math.sin(p), math.cos(p)]])
    tilt = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    rotation = turn @ nod @ tilt
    camera = np.array([[WIDTH, 0, WIDTH / 2], [0, WIDTH, HEIGHT / 2], [0, 0, 1]], float)
    rvec, _ = cv2.Rodrigues(rotation)
    points, _ = cv2.projectPoints(FACE_MODEL_MM, rvec, np.array([0.0, 0.0, 500.0]), camera, None)
    landmarks = tuple((float(x), float(y)) for x, y in points.reshape(-1, 2))
    return Face(box=(200, 140, 240, 240), score=1.0, landmarks=landmarks)


@pytest.mark.parametrize(
    "yaw,pitch,roll",
    [(0, 0, 0), (30, 0, 0), (-30, 0, 0), (45, 0, 0), (0, 20, 0), (0, -20, 0), (0, 0, 15)],
)
def test_exact_projections_give_back_their_angles(yaw, pitch, roll):
    pose = head_pose(_project(yaw, pitch, roll), (WIDTH, HEIGHT))
    assert pose is not None
    assert (pose.yaw, pose.pitch, pose.roll) == pytest.approx((yaw, pitch, roll), abs=0.5)


def test_turning_left_moves_the_nose_to_the_images_right():
    left = _project(30, 0, 0)
    eyes_middle = (left.landmarks[1][0] + left.landmarks[3][0]) / 2
    assert left.landmarks[4][0] > eyes_middle


def test_the_nearer_of_two_fits_wins():
    # A noisy near-frontal face can also be fitted pitched steeply; frontal must win.
    rng = np.random.default_rng(7)
    face = _project(0, -10, 0)
    for _ in range(20):
        noisy = tuple((x + rng.normal(0, 1.0), y + rng.normal(0, 1.0)) for x, y in face.landmarks)
        pose = head_pose(Face(face.box, 1.0, noisy), (WIDTH, HEIGHT))
        assert pose is not None
        assert abs(pose.yaw) < 8
        assert abs(pose.pitch + 10) < 15


@pytest.mark.parametrize("name", PHOTOS)
def test_yaw_and_roll_flip_on_a_mirrored_photo(name):
    image = photo(name)
    straight = analyse_frame(image).pose
    flipped = analyse_frame(mirrored(image)).pose
    assert straight is not None and flipped is not None
    assert flipped.yaw == pytest.approx(-straight.yaw, abs=3)
    assert flipped.roll == pytest.approx(-straight.roll, abs=3)
    assert flipped.pitch == pytest.approx(straight.pitch, abs=3)


def test_a_turned_head_reads_with_the_right_sign():
    # obama_2.jpg: the head is turned to his right (the nose towards the image's left).
    image = photo("obama_2")
    turned = analyse_frame(image).pose
    flipped = analyse_frame(mirrored(image)).pose
    assert turned is not None and flipped is not None
    assert turned.yaw < -8
    assert flipped.yaw > 8
