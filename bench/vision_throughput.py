"""Snapshot analysis throughput on one core: frames/s, and milliseconds per stage.

640x480 JPEG snapshots (quality 80) are made from the real test photos, the face 120,
160 or 200 px wide, as a laptop camera sees a student. Each frame goes through what a
proctoring worker does: decode (with the snapshot limits), detect faces (with their
5-point landmarks), head pose and quality of the main face, and the embedding on one
frame in ``--embed-every`` (identity is sampled, not checked on every snapshot).
Run it pinned to one core. Stage times are CPU time of the analysing thread (on a shared
machine wall time also counts the other processes' turns on the core); frames per
CPU-second is the throughput of one core given to a worker, frames per wall second what
this run got:

    taskset -c 1 .venv/bin/python bench/vision_throughput.py --seconds 20
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # measure this checkout's code, not another installed copy
os.environ.setdefault("OMP_NUM_THREADS", "1")

from emtihan.vision import (  # noqa: E402
    SNAPSHOT_MAX_BYTES,
    SNAPSHOT_MAX_PIXELS,
    decode,
    detect_faces,
    embed,
    face_quality,
    head_pose,
)

STAGES = ("decode", "detect", "pose", "quality", "embed")


def faces_dir() -> Path:
    for base in (
        os.environ.get("EMTIHAN_TESTDATA"),
        REPO.parent / "shared/testdata",
        REPO.parents[1] / "shared/testdata",
    ):
        if base and (Path(base) / "faces/obama_1.jpg").is_file():
            return Path(base) / "faces"
    raise SystemExit("the face photos are missing: set EMTIHAN_TESTDATA to shared/testdata")


def snapshots() -> list[bytes]:
    frames = []
    for path in sorted(faces_dir().glob("*.jpg")):
        image = decode(path.read_bytes())
        (face,) = detect_faces(image)
        x, y, w, h = face.box
        for face_width in (120, 160, 200):
            scale = face_width / w
            scaled = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            frame = np.full((480, 640, 3), 96, np.uint8)
            ox, oy = round(320 - (x + w / 2) * scale), round(220 - (y + h / 2) * scale)
            x0, y0 = max(0, ox), max(0, oy)
            x1, y1 = min(640, ox + scaled.shape[1]), min(480, oy + scaled.shape[0])
            frame[y0:y1, x0:x1] = scaled[y0 - oy : y1 - oy, x0 - ox : x1 - ox]
            ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])
            frames.append(data.tobytes())
    return frames


def run(seconds: float, embed_every: int) -> dict[str, object]:
    frames = snapshots()
    stage_ms: dict[str, list[float]] = {stage: [] for stage in STAGES}
    # Warm up: load the models (about 0.3 s each) before the clock starts.
    warm = decode(frames[0])
    embed(warm, detect_faces(warm)[0])
    count = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - wall0 < seconds:
        data = frames[count % len(frames)]
        t0 = time.thread_time()
        image = decode(data, max_pixels=SNAPSHOT_MAX_PIXELS, max_bytes=SNAPSHOT_MAX_BYTES)
        t1 = time.thread_time()
        faces = detect_faces(image)
        t2 = time.thread_time()
        stage_ms["decode"].append((t1 - t0) * 1000)
        stage_ms["detect"].append((t2 - t1) * 1000)
        if faces:
            head_pose(faces[0], (image.shape[1], image.shape[0]))
            t3 = time.thread_time()
            face_quality(image, faces[0])
            t4 = time.thread_time()
            stage_ms["pose"].append((t3 - t2) * 1000)
            stage_ms["quality"].append((t4 - t3) * 1000)
            if count % embed_every == 0:
                embed(image, faces[0])
                stage_ms["embed"].append((time.thread_time() - t4) * 1000)
        count += 1
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    return {
        "frames": count,
        "embed_every": embed_every,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "frames_per_s_wall": round(count / wall, 1),
        "frames_per_cpu_s": round(count / cpu, 1),
        "stage_cpu_ms_median": {
            s: round(statistics.median(v), 2) for s, v in stage_ms.items() if v
        },
        "stage_cpu_ms_mean": {s: round(statistics.fmean(v), 2) for s, v in stage_ms.items() if v},
        "cores": sorted(os.sched_getaffinity(0)),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--embed-every", type=int, default=10)
    args = parser.parse_args()
    result = run(args.seconds, args.embed_every)
    if len(result["cores"]) != 1:  # type: ignore[arg-type]
        print("note: not pinned to one core (run it under taskset -c N)")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
