"""Liveness: the decision on pose sequences, and real photos that must fail it.

Turned views of a real head cannot be made honestly from a frontal photo, so the turns
are tested on pose sequences; what the real photos can show honestly is what a cheat
would hold up: a still picture (the same frame at every step) and a flat picture turned
in front of the camera (a homography is the exact image of a turned plane), wobbled by
up to 20 degrees. (Turned by 40 degrees or more, close to the camera, a flat picture reads
as a head turn: see the module's docstring and docs/VISION.md.)
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from emtihan.vision import Observation, Step, analyse_frame, check_liveness, observe
from emtihan.vision.liveness import (
    NO_STRAIGHT_STEP,
    NO_TURN,
    NOT_CLOSER,
    NOT_STRAIGHT,
    PASSED,
    TOO_FEW_FRAMES,
    TURN_MIN_DEGREES,
)

from .photos import PHOTOS, face_box, photo, webcam_frame


def _seq(*poses: tuple[float, float]) -> list[Observation | None]:
    return [Observation(yaw=yaw, face_width=width) for yaw, width in poses]


STRAIGHT = _seq((2, 150), (1, 152), (3, 151))
LEFT = _seq((2, 150), (12, 150), (24, 149), (31, 148), (28, 150))
RIGHT = _seq((0, 150), (-14, 150), (-27, 151), (-33, 150))
CLOSER = _seq((1, 150), (2, 170), (1, 195), (2, 205))


def _reasons(result):
    return {r.step: r.reason for r in result.steps}


def test_a_real_sequence_passes_in_any_order():
    for order in ([Step.LEFT, Step.STRAIGHT, Step.CLOSER, Step.RIGHT], list(Step)):
        frames = {Step.STRAIGHT: STRAIGHT, Step.LEFT: LEFT, Step.RIGHT: RIGHT, Step.CLOSER: CLOSER}
        result = check_liveness({step: frames[step] for step in order})
        assert result.passed, result
        assert set(_reasons(result).values()) == {PASSED}


def test_turns_are_measured_from_the_students_own_straight_pose():
    # A camera to one side: "straight" reads 12 degrees; a turn to 24 is only 12 more.
    straight = _seq((12, 150), (13, 150), (12, 151))
    result = check_liveness({Step.STRAIGHT: straight, Step.LEFT: _seq((24, 150), (25, 150))})
    assert _reasons(result)[Step.LEFT] == NO_TURN
    result = check_liveness({Step.STRAIGHT: straight, Step.LEFT: _seq((33, 150), (34, 150))})
    assert result.passed


def test_a_turn_the_wrong_way_fails():
    result = check_liveness({Step.STRAIGHT: STRAIGHT, Step.LEFT: RIGHT, Step.RIGHT: LEFT})
    assert not result.passed
    assert _reasons(result) == {Step.STRAIGHT: PASSED, Step.LEFT: NO_TURN, Step.RIGHT: NO_TURN}


def test_one_frame_beyond_the_threshold_is_not_enough():
    one = _seq((2, 150), (TURN_MIN_DEGREES + 10, 150), (3, 150))
    result = check_liveness({Step.STRAIGHT: STRAIGHT, Step.LEFT: one})
    assert _reasons(result)[Step.LEFT] == NO_TURN


def test_closer_counts_growth_within_the_step_or_from_the_baseline():
    already_close = _seq((1, 200), (2, 201), (1, 199))  # moved closer, then looked straight
    result = check_liveness({Step.STRAIGHT: already_close, Step.CLOSER: CLOSER})
    assert result.passed
    result = check_liveness({Step.STRAIGHT: STRAIGHT, Step.CLOSER: _seq((1, 150), (2, 160))})
    assert _reasons(result)[Step.CLOSER] == NOT_CLOSER


def test_frames_without_exactly_one_face_do_not_count():
    result = check_liveness({Step.STRAIGHT: [None, None, *STRAIGHT[:1]], Step.LEFT: LEFT})
    assert _reasons(result) == {Step.STRAIGHT: TOO_FEW_FRAMES, Step.LEFT: NOT_STRAIGHT}


def test_straight_must_be_asked_and_straight():
    result = check_liveness({Step.LEFT: LEFT})
    assert not result.passed
    assert _reasons(result)[Step.STRAIGHT] == NO_STRAIGHT_STEP
    result = check_liveness({Step.STRAIGHT: _seq((35, 150), (33, 150)), Step.LEFT: LEFT})
    assert _reasons(result)[Step.STRAIGHT] == NOT_STRAIGHT


@pytest.mark.parametrize("name", PHOTOS)
def test_a_still_photo_repeated_for_every_step_fails_the_movements(name):
    frame = webcam_frame(photo(name), face_box(name), 160)
    seen = observe(analyse_frame(frame))
    assert seen is not None
    result = check_liveness({step: [seen] * 4 for step in Step})
    assert not result.passed
    assert _reasons(result) == {
        Step.STRAIGHT: PASSED,
        Step.CLOSER: NOT_CLOSER,
        Step.LEFT: NO_TURN,
        Step.RIGHT: NO_TURN,
    }


def _turned_flat(frame: np.ndarray, degrees: float) -> np.ndarray:
    """The frame as a flat picture filling the camera's view, turned by ``degrees`` about
    its vertical axis (a printed photo or a phone screen turned in front of the camera)."""
    height, width = frame.shape[:2]
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    t = math.radians(degrees)
    turned = []
    for x, y in corners:
        px, py = x - width / 2, y - height / 2
        # the plane at distance f = width from the camera, turned about its centre line
        X, Z = px * math.cos(t), width + px * math.sin(t)
        turned.append([width * X / Z + width / 2, width * py / Z + height / 2])
    homography = cv2.getPerspectiveTransform(corners, np.array(turned, np.float32))
    return cv2.warpPerspective(frame, homography, (width, height), borderValue=(96, 96, 96))


@pytest.mark.parametrize("name", PHOTOS)
def test_a_flat_photo_wobbled_in_front_of_the_camera_fails_the_turns(name):
    frame = webcam_frame(photo(name), face_box(name), 160)
    straight = [observe(analyse_frame(frame))] * 2
    wobbled = [observe(analyse_frame(_turned_flat(frame, d))) for d in (-20, -10, 10, 20)]
    result = check_liveness({Step.STRAIGHT: straight, Step.LEFT: wobbled, Step.RIGHT: wobbled})
    assert not result.passed
    assert _reasons(result)[Step.LEFT] == NO_TURN
    assert _reasons(result)[Step.RIGHT] == NO_TURN
    for step_result in result.steps[1:]:
        assert step_result.measured is not None
        assert step_result.measured < TURN_MIN_DEGREES
