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
talk than a quiet exam room; ``--speech-every 0``: talking all the time, the worst case), the link throttled like bench/slow_link.py. Chromium talks
to the server through a small counting proxy in this script: every byte of every request
to /api/v1/proctoring/ (request line, headers and body, as sent on the wire: HTTP/1.1
without TLS) is counted. (Chromium's own request sizes leave out multipart bodies built
from Blobs, which is what snapshots and clips are.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
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


def media(folder: Path, speech_every: float) -> tuple[Path, Path]:
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
    # Speech once every ``speech_every`` seconds; 0: nothing but speech (the worst case).
    gap = max(0.0, speech_every - len(speech) / 16000) if speech_every else 0.3
    write_wav(audio, np.concatenate([speech, silence(gap)]))
    return video, audio


class CountingProxy:
    """A reverse proxy on 127.0.0.1 that counts the bytes of each request sent upstream,
    by path prefix. Requests are read as HTTP/1.1 with a Content-Length body (what
    Chromium sends for fetch() with a FormData or JSON body)."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.bytes: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self.loop = asyncio.new_event_loop()
        self.port = 0
        ready = threading.Event()
        threading.Thread(target=self._serve, args=(ready,), daemon=True).start()
        ready.wait()

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    @staticmethod
    def kind(path: str) -> str:
        if path.startswith("/api/v1/proctoring/attempts/"):
            return "proctoring:" + path.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
        if path.startswith("/api/v1/proctoring/"):
            return "proctoring:state"
        return "other"

    async def _client(self, reader, writer) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)

        async def downstream() -> None:
            try:
                while data := await up_reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            finally:
                writer.close()

        pipe = asyncio.ensure_future(downstream())
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1] if " " in lines[0] else "/"
                length = 0
                for line in lines[1:]:
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                body = await reader.readexactly(length) if length else b""
                kind = self.kind(path)
                self.bytes[kind] += len(head) + len(body)
                self.requests[kind] += 1
                up_writer.write(head + body)
                await up_writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            up_writer.close()
            pipe.cancel()


def run(args: argparse.Namespace) -> None:
    from playwright.sync_api import sync_playwright

    email, session = next(iter(json.loads(SESSIONS_FILE.read_text()).items()))
    host = args.url.split("//", 1)[1].split("/", 1)[0].split(":")[0]
    folder = Path(tempfile.mkdtemp(prefix="emtihan-upstream-"))
    video, audio = media(folder, args.speech_every)
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    flags = [
        "--no-sandbox",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
        f"--use-file-for-fake-audio-capture={audio}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    host_port = args.url.split("//", 1)[1].split("/", 1)[0]
    proxy = CountingProxy(host, int(host_port.split(":")[1]) if ":" in host_port else 80)
    base = f"http://{host}:{proxy.port}"

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
        page.goto(f"{base}/sitting/exams/{args.exam}/")
        page.click(".toolbar form button.primary")  # Start (or resume)
        page.wait_for_url("**/sitting/*/")
        page.get_by_test_id("proctoring-indicator").wait_for(timeout=120_000)
        proxy.bytes.clear()
        proxy.requests.clear()
        started = time.monotonic()
        print(
            f"link: {args.kbps} kbit/s down, {args.up_kbps} kbit/s up, +{args.rtt} ms; "
            f"student {email}; sitting for {args.minutes} min"
        )
        page.wait_for_timeout(args.minutes * 60_000)
        seconds = time.monotonic() - started
        pending = page.evaluate("() => window.emtihanProctoring.uploader.pending()")
        browser.close()
    proctoring = {k: v for k, v in proxy.bytes.items() if k.startswith("proctoring:")}
    total = sum(proctoring.values())
    kbits = total * 8 / 1000 / seconds
    parts = ", ".join(
        f"{k.split(':')[1]} {proxy.requests[k]} requests {v / 1024:.0f} KB"
        for k, v in sorted(proctoring.items())
    )
    snapshots = proxy.requests["proctoring:snapshots"]
    mean = proxy.bytes["proctoring:snapshots"] / max(1, snapshots)
    print(
        f"proctoring upstream: {total / 1024:.0f} KB over {seconds:.0f} s = {kbits:.1f} kbit/s "
        f"({parts}; a snapshot request {mean / 1024:.1f} KB on average; {pending} still "
        f"queued); the rest of the page sent {proxy.bytes['other'] / 1024:.0f} KB"
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
    go.add_argument(
        "--speech-every",
        type=float,
        default=60,
        help="seconds between utterances on the fake microphone (0: talking all the time)",
    )
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
