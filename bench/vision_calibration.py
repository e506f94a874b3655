"""The measurements behind emtihan.vision's thresholds (docs/VISION.md), on the real test
photos: verification distances, face-crop quality of sharp, blurred and darkened frames,
detector scores, the smallest face found on the downscaled frame, head pose of the photos
and their mirror images, and the yaw a flat picture turned before the camera reads as.

    .venv/bin/python bench/vision_calibration.py
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.vision_throughput import faces_dir  # noqa: E402
from emtihan.vision import analyse_frame, decode, detect_faces, verify  # noqa: E402
from emtihan.vision.tests.photos import mirrored, webcam_frame  # noqa: E402
from emtihan.vision.tests.test_liveness import _turned_flat  # noqa: E402


def main() -> None:
    names = sorted(p.stem for p in faces_dir().glob("*.jpg"))
    photos = {n: decode((faces_dir() / f"{n}.jpg").read_bytes()) for n in names}
    boxes = {n: detect_faces(photos[n])[0].box for n in names}

    print("## verification distances (full photos; snapshot = 640x480 JPEG q70, 120 px face)")
    emb = {n: analyse_frame(photos[n], with_embedding=True).embedding for n in names}
    for a, b in itertools.combinations(names, 2):
        print(f"{a} - {b}: {verify(emb[a], emb[b]).distance:.3f}")
    for n in names:
        frame = webcam_frame(photos[n], boxes[n], 120)
        ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 70])
        snap = analyse_frame(decode(data.tobytes()), with_embedding=True).embedding
        row = {m: verify(snap, emb[m]).distance for m in names}
        print(f"snapshot of {n} vs photos: " + ", ".join(f"{m} {d:.3f}" for m, d in row.items()))

    print("\n## quality (sharpness / brightness) by face width")
    for n in names:
        cells = []
        for width in (60, 80, 160, 240):
            frame = webcam_frame(photos[n], boxes[n], width)
            ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 70])
            sharp = analyse_frame(decode(data.tobytes())).quality
            blur = analyse_frame(cv2.GaussianBlur(frame, (0, 0), 0.015 * width)).quality
            dark = analyse_frame((frame * 0.25).astype(np.uint8)).quality
            assert sharp and blur and dark
            cells.append(
                f"{width}px: sharp {sharp.sharpness:.0f}, blurred {blur.sharpness:.0f}, "
                f"bright {sharp.brightness:.0f}, dark {dark.brightness:.0f}"
            )
        print(n, " | ".join(cells))

    print("\n## detection on 640x480 frames (detector scores; found per face width)")
    for n in names:
        found = {}
        for width in (20, 25, 30, 40, 60, 240, 320):
            faces = detect_faces(webcam_frame(photos[n], boxes[n], width))
            found[width] = [round(f.score, 2) for f in faces]
        print(n, found)

    print("\n## head pose of the photos (yaw, pitch, roll) and of their mirror images")
    for n in names:
        print(n, analyse_frame(photos[n]).pose, analyse_frame(mirrored(photos[n])).pose)

    print("\n## a flat picture filling the view, turned by d degrees: yaw change")
    for n in names:
        frame = webcam_frame(photos[n], boxes[n], 160)
        base = analyse_frame(frame).pose
        assert base is not None
        row = []
        for d in (-60, -40, -20, -10, 10, 20, 40, 60):
            pose = analyse_frame(_turned_flat(frame, d)).pose
            row.append(f"{d}: {pose.yaw - base.yaw:+.1f}" if pose else f"{d}: no face")
        print(n, ", ".join(row))


if __name__ == "__main__":
    main()
