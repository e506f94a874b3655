"""The proctoring upstream of one student: the bytes the exam page's proctoring sends
(snapshots, browser events, voice clips) over a few minutes of a real Chromium sitting
with a fake camera and microphone, as kbit/s on average. Target: <= 128 kbit/s
(issue 10). bench/run_proctoring_upstream.sh starts the server and runs it.

    python bench/proctoring_upstream.py prepare --exam 1          # the server's settings
    python bench/proctoring_upstream.py run --url http://127.0.0.1:8077 --exam 1 \
        [--minutes 3] [--kbps 1000 --up-kbps 512 --rtt 150]

``prepare`` (against the server's database) sets the exam to proctoring "record" at its
default interval (20 s) and records the first bench student's consent. ``run`` opens the
exam page for that student in Chromium, whose camera plays a video made from the real
photos (the student's face; shared/testdata/faces) and whose microphone plays the
synthesised speech of emtihan/vision/tests/data once a minute (one clip a minute, more
talk than a quiet exam room), the link throttled like bench/slow_link.py. Every request
under /api/v1/proctoring/ is counted with its headers and body (Playwright's
request.sizes(), from Chromium's network stack).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SESSIONS_FILE = Path(__file__).resolve().parent / ".sessions.json"


def prepare(exam_id: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emtihan.settings")
    django.setup()
    from emtihan.accounts.models import User
    from emtihan.exams.models import Exam, ProctoringLevel
    from emtihan.proctoring import services

    Exam.objects.filter(pk=exam_id).update(
        proctoring=ProctoringLevel.RECORD, snapshot_interval_seconds=20
    )
    exam = Exam.objects.get(pk=exam_id)
    email = next(iter(json.loads(SESSIONS_FILE.read_text())))
    student = User.objects.get(email=email)
    paragraphs = services.consent_paragraphs(exam, "kk")
    services.consent_give(
        student_user=student,
        exam_id=exam.pk,
        version=services.consent_version(paragraphs),
        language="kk",
    )
    print(f"exam {exam.pk}: proctoring record, every 20 s; {email} agreed")


def media(folder: Path) -> tuple[Path, Path]:
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from emtihan.proctoring.tests.fakecam import read_wav, silence, write_wav, write_y4m
    from emtihan.proctoring.tests.media import SPEECH, frame

    video = folder / "student.y4m"
    # The student's face, moving slightly (three crops): a still frame would compress
    # better than a real camera's.
    write_y4m(video, [(frame("obama_1", w), 3) for w in (160, 168, 176, 168)], fps=2)
    audio = folder / "voice.wav"
    speech = read_wav(SPEECH)
    write_wav(audio, np.concatenate([speech, silence(60 - len(speech) / 16000)]))
    return video, audio


def run(args: argparse.Namespace) -> None:
    from playwright.sync_api import sync_playwright

    email, session = next(iter(json.loads(SESSIONS_FILE.read_text()).items()))
    host = args.url.split("//", 1)[1].split("/", 1)[0].split(":")[0]
    folder = Path(tempfile.mkdtemp(prefix="emtihan-upstream-"))
    video, audio = media(folder)
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    flags = [
        "--no-sandbox",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
        f"--use-file-for-fake-audio-capture={audio}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    sent = {"bytes": 0, "requests": 0, "snapshots": 0, "clips": 0, "events": 0}
    snapshot_bodies: list[int] = []

    def finished(request) -> None:
        if "/api/v1/proctoring/attempts/" not in request.url or request.method != "POST":
            return
        sizes = request.sizes()
        sent["bytes"] += sizes["requestBodySize"] + sizes["requestHeadersSize"]
        sent["requests"] += 1
        for kind in ("snapshots", "clips", "events"):
            if request.url.endswith(kind):
                sent[kind] += 1
        if request.url.endswith("snapshots"):
            snapshot_bodies.append(sizes["requestBodySize"])

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=flags)
        context = browser.new_context(locale="kk-KZ")
        context.add_cookies(
            [
                {"name": "sessionid", "value": session, "domain": host, "path": "/"},
                {"name": "csrftoken", "value": uuid.uuid4().hex, "domain": host, "path": "/"},
            ]
        )
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": args.rtt,
                "downloadThroughput": args.kbps * 1000 / 8,
                "uploadThroughput": args.up_kbps * 1000 / 8,
            },
        )
        page.on("requestfinished", finished)
        page.goto(f"{args.url}/sitting/exams/{args.exam}/")
        page.click(".toolbar form button.primary")  # Start (or resume)
        page.wait_for_url("**/sitting/*/")
        page.get_by_test_id("proctoring-indicator").wait_for(timeout=120_000)
        started = time.monotonic()
        print(
            f"link: {args.kbps} kbit/s down, {args.up_kbps} kbit/s up, +{args.rtt} ms; "
            f"student {email}; sitting for {args.minutes} min"
        )
        page.wait_for_timeout(args.minutes * 60_000)
        seconds = time.monotonic() - started
        pending = page.evaluate("() => window.emtihanProctoring.uploader.pending()")
        browser.close()
    kbits = sent["bytes"] * 8 / 1000 / seconds
    mean_snapshot = sum(snapshot_bodies) / max(1, len(snapshot_bodies))
    print(
        f"proctoring upstream: {sent['bytes'] / 1024:.0f} KB in {sent['requests']} requests over "
        f"{seconds:.0f} s = {kbits:.1f} kbit/s ({sent['snapshots']} snapshots, mean body "
        f"{mean_snapshot / 1024:.1f} KB; {sent['clips']} clips; {sent['events']} event batches; "
        f"{pending} still queued)"
    )
    print(f"target <= 128 kbit/s: {'met' if kbits <= 128 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare")
    prep.add_argument("--exam", type=int, required=True)
    go = sub.add_parser("run")
    go.add_argument("--url", default="http://127.0.0.1:8077")
    go.add_argument("--exam", type=int, required=True)
    go.add_argument("--minutes", type=float, default=3)
    go.add_argument("--kbps", type=int, default=1000, help="download speed, kbit/s")
    go.add_argument("--up-kbps", type=int, default=512, help="upload speed, kbit/s")
    go.add_argument("--rtt", type=int, default=150, help="added round-trip latency, ms")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.exam)
    else:
        run(args)


if __name__ == "__main__":
    main()
