"""Videos for Chromium's fake camera (``--use-file-for-fake-video-capture``), made from
frames with numpy: a ``.y4m`` file in 4:2:0, limited-range BT.601 (what Chromium reads;
a full-range file comes out washed out). Chromium loops the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

FPS = 30


def _yuv420(bgr: np.ndarray) -> bytes:
    """One frame as its Y, U and V planes (U and V at half resolution)."""
    b, g, r = (bgr[..., i].astype(np.float32) for i in range(3))
    y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    u = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255
    v = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255

    def half(plane: np.ndarray) -> np.ndarray:
        return (plane[0::2, 0::2] + plane[1::2, 0::2] + plane[0::2, 1::2] + plane[1::2, 1::2]) / 4

    planes = (y, half(u), half(v))
    return b"".join(np.clip(np.rint(p), 0, 255).astype(np.uint8).tobytes() for p in planes)


def write_y4m(path: Path, stretches: Iterable[tuple[np.ndarray, float]]) -> Path:
    """Write ``(frame, seconds)`` stretches (BGR frames of one even size) at 30 frames/s."""
    stretches = list(stretches)
    height, width = stretches[0][0].shape[:2]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for frame, seconds in stretches:
            if frame.shape[:2] != (height, width):
                raise ValueError("every frame must have the same size")
            data = _yuv420(frame)
            for _ in range(max(1, round(seconds * FPS))):
                out.write(b"FRAME\n")
                out.write(data)
    return path
