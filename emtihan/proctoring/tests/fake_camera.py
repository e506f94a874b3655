"""Videos for Chromium's fake camera (``--use-file-for-fake-video-capture``), made in the
test from the real photos in shared/testdata/faces (docs/FRONTEND.md, "Fake camera").

A ``.y4m`` file: 4:2:0, limited-range BT.601 (a full-range file comes out washed out).
Chromium plays it at the header's frame rate from the moment the camera opens, and loops.

The turns. A frontal photo cannot turn its head, and turned views of a real head cannot
be made honestly from it (docs/VISION.md, "Liveness"). What these videos use instead,
measured with ``emtihan.vision`` through the browser's path (I420, JPEG quality 70):

- straight: obama_2 as a 640x480 webcam frame, face 150 px wide; it is a photo of a
  head visibly turned to his right, and reads yaw -13.5;
- left: the same frame mirrored, a real head turned the other way: +13.8 (27 degrees to
  the student's left of straight; the server wants 20);
- right: the same frame as a flat picture turned by 60 degrees in front of the camera
  (a homography): -45.4 (32 degrees to the right). This is the case docs/VISION.md lists
  as NOT stopped by the 5-point pose: a picture held close and turned far;
- closer: the face 210 px wide (1.4 times as wide; the server wants 1.2).

So a pass here proves the page's flow and the server's decision on frames the browser
really captured, not liveness against a real head.

Each pose is a segment of ``SEGMENT_SECONDS`` with a marker square in the top-left corner
(grey level ``MARKERS[pose]``), so a test can see which pose the camera shows right now
and press "I am ready" as a person does once they hold the pose.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from emtihan.vision.tests.photos import face_box, mirrored, photo, webcam_frame

FPS = 5
SEGMENT_SECONDS = 5
ORDER = ("straight", "left", "right", "closer")
MARKERS = {"straight": 0, "left": 85, "right": 170, "closer": 255}
MARKER_SIZE = 40


def _limited_i420(bgr: np.ndarray) -> bytes:
    """One frame as limited-range BT.601 I420 (Y, then U and V at half resolution)."""
    b, g, r = (bgr[:, :, i].astype(np.float32) for i in range(3))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b
    y = 16 + y * 219 / 255
    cb = 128 + cb * 224 / 255
    cr = 128 + cr * 224 / 255
    h, w = y.shape

    def half(plane: np.ndarray) -> np.ndarray:
        return plane.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))

    planes = (y, half(cb), half(cr))
    return b"".join(np.clip(np.rint(p), 0, 255).astype(np.uint8).tobytes() for p in planes)


def write_y4m(path: Path, frames: list[np.ndarray], fps: int = FPS) -> Path:
    height, width = frames[0].shape[:2]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            out.write(b"FRAME\n")
            out.write(_limited_i420(frame))
    return path


def turned_flat(frame: np.ndarray, degrees: float) -> np.ndarray:
    """The frame as a flat picture filling the camera's view, turned by ``degrees`` about
    its vertical axis (the same homography as emtihan/vision/tests/test_liveness.py)."""
    height, width = frame.shape[:2]
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    t = math.radians(degrees)
    turned = []
    for x, y in corners:
        px, py = x - width / 2, y - height / 2
        big_x, big_z = px * math.cos(t), width + px * math.sin(t)
        turned.append([width * big_x / big_z + width / 2, width * py / big_z + height / 2])
    homography = cv2.getPerspectiveTransform(corners, np.array(turned, np.float32))
    return cv2.warpPerspective(frame, homography, (width, height), borderValue=(96, 96, 96))


def poses(name: str) -> dict[str, np.ndarray]:
    image, box = photo(name), face_box(name)
    straight = webcam_frame(image, box, 150)
    return {
        "straight": straight,
        "left": mirrored(straight),
        "right": turned_flat(straight, -60),
        "closer": webcam_frame(image, box, 210),
    }


def marked(frame: np.ndarray, pose: str) -> np.ndarray:
    frame = frame.copy()
    frame[:MARKER_SIZE, :MARKER_SIZE] = MARKERS[pose]
    return frame


def turning_video(path: Path, name: str = "obama_2") -> Path:
    """The four poses in ``ORDER``, ``SEGMENT_SECONDS`` each, with their markers."""
    frames = poses(name)
    video = []
    for pose in ORDER:
        video += [marked(frames[pose], pose)] * (FPS * SEGMENT_SECONDS)
    return write_y4m(path, video)


def still_video(path: Path, name: str = "obama_2", light: float = 1.0) -> Path:
    """The same picture all the time: a photo held up to the camera (``light`` < 1: in
    a dark room)."""
    frame = poses(name)["straight"]
    if light != 1.0:
        frame = np.clip(frame.astype(np.float32) * light, 0, 255).astype(np.uint8)
    return write_y4m(path, [frame])
