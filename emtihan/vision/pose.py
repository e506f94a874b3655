"""Head pose (yaw, pitch, roll in degrees) from the 5 landmarks.

``cv2.solvePnP`` with ``SOLVEPNP_SQPNP`` fits a generic 3-D face (below, millimetres) to
the landmarks, for a camera whose focal length is taken as the frame width (a webcam's
field of view is 55-65 degrees; the angles change little with that guess).
``SOLVEPNP_ITERATIVE`` sometimes flips to a 180-degree roll; SQPNP did not.

Sign convention, for an unmirrored camera frame (what the camera sends; the preview a
browser shows is usually mirrored, the captured frame is not):

- yaw > 0: the head turned to the student's left (the nose moves to the image's right);
- pitch > 0: the chin up, looking above the camera;
- roll > 0: the head tilted towards the student's left shoulder.

The angles come from a generic face, not the student's: the sign is reliable (it flips on
a mirrored photo), the size is approximate, and pitch carries a per-person offset of up to
about 10 degrees. Decisions therefore compare a student's angles with their own
"look straight" frames (docs/VISION.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .faces import Face

# x to the image's right, y down, z away from the camera; millimetres, origin between the
# inner eye corners. Same order as dlib's 5 points: the eye on the image's right (outer,
# inner corner), the other eye (outer, inner), the base of the nose. The coordinates are
# MediaPipe's canonical face mesh (Apache-2.0, canonical_face_model.obj), vertices 263,
# 362, 33, 133 and 2, moved to this origin and these axes: an average adult face.
FACE_MODEL_MM = np.array(
    [
        [44.46, -0.79, 5.84],
        [18.56, 0.0, 0.0],
        [-44.46, -0.79, 5.84],
        [-18.56, 0.0, 0.0],
        [0.0, 46.74, -23.0],
    ]
)


# Fits within this share of the eye span (outer corner to outer corner) of the best fit
# count as equally good.
TOLERANCE = 0.02


@dataclass(frozen=True, slots=True)
class HeadPose:
    """Degrees; signs as in this module's docstring."""

    yaw: float
    pitch: float
    roll: float


def head_pose(face: Face, frame_size: tuple[int, int]) -> HeadPose | None:
    """The pose of ``face`` in a frame of ``(width, height)`` pixels; None if no fit."""
    width, height = frame_size
    camera = np.array(
        [[width, 0.0, width / 2], [0.0, width, height / 2], [0.0, 0.0, 1.0]], dtype=np.float64
    )
    points = np.array(face.landmarks, dtype=np.float64).reshape(-1, 1, 2)
    # Four of the five points lie almost on one line (the eye corners), so two poses can
    # fit about equally well: one near frontal and one pitched far up or down (seen on
    # biden_1.jpg: 5 and 68 degrees). SQPNP's answer and a fit started from a frontal
    # pose both compete; among those that fit within TOLERANCE of the best, the one
    # nearest to frontal wins.
    candidates = []
    ok, rvec, tvec = cv2.solvePnP(FACE_MODEL_MM, points, camera, None, flags=cv2.SOLVEPNP_SQPNP)
    if ok:
        candidates.append((rvec, tvec))
    eye_span = float(np.linalg.norm(points[0, 0] - points[2, 0]))
    if eye_span > 0:
        distance = width * 2 * FACE_MODEL_MM[0, 0] / eye_span
        centre = points[:4, 0].mean(axis=0)
        guess_t = np.array(
            [
                [(centre[0] - width / 2) * distance / width],
                [(centre[1] - height / 2) * distance / width],
                [distance],
            ]
        )
        ok, rvec, tvec = cv2.solvePnP(
            FACE_MODEL_MM,
            points,
            camera,
            None,
            np.zeros((3, 1)),
            guess_t,
            useExtrinsicGuess=True,
            flags=cv2.SOLVEPNP_ITERATIVE,
        )
        if ok:
            candidates.append((rvec, tvec))
    fits = []
    for rvec, tvec in candidates:
        projected, _ = cv2.projectPoints(FACE_MODEL_MM, rvec, tvec, camera, None)
        error = float(np.sqrt(np.mean(np.sum((projected - points) ** 2, axis=2))))
        fits.append((error, float(np.linalg.norm(rvec)), rvec))
    if not fits:
        return None
    best = min(error for error, _, _ in fits)
    tolerance = TOLERANCE * max(eye_span, 1.0)
    _, _, rvec = min((f for f in fits if f[0] <= best + tolerance), key=lambda f: f[1])
    rotation, _ = cv2.Rodrigues(rvec)
    # Where the face looks (the model's -z) and where its left-to-right axis points.
    forward = rotation @ np.array([0.0, 0.0, -1.0])
    across = rotation @ np.array([1.0, 0.0, 0.0])
    yaw = math.degrees(math.atan2(forward[0], -forward[2]))
    pitch = math.degrees(math.atan2(-forward[1], math.hypot(forward[0], forward[2])))
    roll = math.degrees(math.atan2(across[1], across[0]))
    return HeadPose(yaw=round(yaw, 1), pitch=round(pitch, 1), roll=round(roll, 1))
