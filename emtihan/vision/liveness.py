"""Liveness for the identity check: did each asked movement really happen?

The student is asked, in a random order, to look straight, move closer, turn the head
left and turn it right; the browser sends a few frames during each step. The rules, on
the frames of each step (a frame counts only when it shows exactly one face):

- straight: at least ``MIN_FRAMES`` frames with |yaw| <= ``STRAIGHT_MAX_YAW``; their
  median yaw and face width are the student's baseline;
- left / right: at least ``MIN_FRAMES`` frames whose yaw differs from the baseline by
  ``TURN_MIN_DEGREES`` or more in the asked direction (left = positive yaw, see pose.py);
- closer: at least ``MIN_FRAMES`` frames whose face is ``CLOSER_MIN_GROWTH`` times as wide
  as the step's first face or the baseline, whichever is smaller (the student may have
  moved closer in an earlier step and stayed there).

What this stops, measured (docs/VISION.md): a still picture (every step the same frame),
and a picture or phone screen held up and wobbled by up to 20 degrees. What it does not
stop: a flat picture held close enough to fill the camera's view and turned by 40 degrees
or more, whose perspective the 5-point pose reads as a yaw change of 11-24 degrees at 40
and up to 42 at 60 (bench/vision_calibration.py). The identity match, the proctor's look
at the identity-check frames and the browser's own checks stand behind it.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .analysis import FrameAnalysis

MIN_FRAMES = 2
STRAIGHT_MAX_YAW = 20.0
TURN_MIN_DEGREES = 20.0
CLOSER_MIN_GROWTH = 1.2

# Reason codes (the caller words them for the student).
PASSED = "passed"
NO_STRAIGHT_STEP = "no_straight_step"
TOO_FEW_FRAMES = "too_few_frames"
NOT_STRAIGHT = "not_straight"
NO_TURN = "no_turn"
NOT_CLOSER = "not_closer"


class Step(StrEnum):
    STRAIGHT = "straight"
    CLOSER = "closer"
    LEFT = "left"
    RIGHT = "right"


@dataclass(frozen=True, slots=True)
class Observation:
    """What liveness needs from one frame: the single face's yaw and width (pixels)."""

    yaw: float
    face_width: float


def observe(analysis: FrameAnalysis) -> Observation | None:
    """The frame's observation, or None unless it shows exactly one face with a pose."""
    if analysis.face_count != 1 or analysis.pose is None:
        return None
    return Observation(yaw=analysis.pose.yaw, face_width=float(analysis.faces[0].width))


@dataclass(frozen=True, slots=True)
class StepResult:
    step: Step
    passed: bool
    reason: str
    # The figure the decision was made on: degrees for straight and the turns (the
    # baseline yaw; the largest change in the asked direction), a ratio for closer.
    measured: float | None = None


@dataclass(frozen=True, slots=True)
class LivenessResult:
    passed: bool
    steps: tuple[StepResult, ...]


def check_liveness(frames: Mapping[Step, Sequence[Observation | None]]) -> LivenessResult:
    """Judge every step that was asked; all must pass, and "straight" must be among them
    (the turns are measured against it)."""
    straight_frames = [o for o in frames.get(Step.STRAIGHT, ()) if o is not None]
    baseline = _baseline(straight_frames)
    results = []
    for step, observed in frames.items():
        seen = [o for o in observed if o is not None]
        results.append(_judge(step, seen, baseline))
    if Step.STRAIGHT not in frames:
        results.append(StepResult(Step.STRAIGHT, False, NO_STRAIGHT_STEP))
    return LivenessResult(passed=all(r.passed for r in results), steps=tuple(results))


def _baseline(frames: Sequence[Observation]) -> Observation | None:
    straight = [o for o in frames if abs(o.yaw) <= STRAIGHT_MAX_YAW]
    if len(straight) < MIN_FRAMES:
        return None
    return Observation(
        yaw=statistics.median(o.yaw for o in straight),
        face_width=statistics.median(o.face_width for o in straight),
    )


def _judge(step: Step, seen: Sequence[Observation], baseline: Observation | None) -> StepResult:
    if len(seen) < MIN_FRAMES:
        return StepResult(step, False, TOO_FEW_FRAMES)
    if step is Step.STRAIGHT:
        if baseline is None:
            return StepResult(step, False, NOT_STRAIGHT)
        return StepResult(step, True, PASSED, baseline.yaw)
    if baseline is None:
        return StepResult(step, False, NOT_STRAIGHT)
    if step is Step.CLOSER:
        reference = min(seen[0].face_width, baseline.face_width)
        growth = [o.face_width / reference for o in seen]
        passed = sum(g >= CLOSER_MIN_GROWTH for g in growth) >= MIN_FRAMES
        return StepResult(step, passed, PASSED if passed else NOT_CLOSER, round(max(growth), 2))
    direction = {Step.LEFT: 1.0, Step.RIGHT: -1.0}[step]
    change = [direction * (o.yaw - baseline.yaw) for o in seen]
    passed = sum(c >= TURN_MIN_DEGREES for c in change) >= MIN_FRAMES
    return StepResult(step, passed, PASSED if passed else NO_TURN, round(max(change), 1))
