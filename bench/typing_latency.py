"""Typing latency in the exam page's rich editor with the browser's face analysis on and
off (issue 10: "must never slow typing"), against a running server
(bench/run_typing_latency.sh starts one).

Chromium with a fake camera (a .y4m made with numpy from a real portrait), the page's
main thread slowed 4 times by the DevTools protocol (``Emulation.setCPUThrottlingRate``).
For one student of ``load_sitting.py setup`` it starts the exam, and types into the
written answer's editor in interleaved runs: face analysis ON (the page imports
``attempts/face.js`` and runs ``watchFaces`` on the camera: the same client and worker
the device check and the sitting use) and OFF (no camera, no worker). Per keystroke it
measures, in the page, ``keydown``'s timestamp → the first task after the next animation
frame that follows the editor's DOM change (the frame that shows the letter has been
painted by then). Also: the Event Timing API's ``keydown`` entries of 16 ms or more, the
worker's time per frame, and the face files' bytes on the wire on a first visit.

    python bench/typing_latency.py --url http://127.0.0.1:8078 --exam 1 [--keys 150 --runs 3]

Needs Chromium (/usr/bin/chromium, or $CHROMIUM), the dev requirements (playwright) and
the face photos (shared/testdata/faces). docs/BENCHMARKS.md has the results.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SESSIONS_FILE = Path(__file__).resolve().parent / ".sessions.json"
# Latin letters: Playwright types other characters with insertText, which fires no keydown.
TEXT = "The energy of a closed system is conserved; work is done by forces. "

INSTRUMENT = """
() => {
  const editor = document.querySelector('.kind-written .ProseMirror');
  window.__lat = [];
  window.__evt = [];
  let pending = null;
  document.addEventListener('keydown', (e) => { pending = e.timeStamp; }, true);
  new MutationObserver(() => {
    if (pending === null) return;
    const t0 = pending;
    pending = null;
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => window.__lat.push(performance.now() - t0);
      ch.port2.postMessage(0);
    });
  }).observe(editor, { childList: true, subtree: true, characterData: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'keydown') window.__evt.push(e.duration);
  }).observe({ type: 'event', durationThreshold: 16 });
}
"""

START_FACES = """
async ({ base, prefetch }) => {
  const face = await import(base + 'face.js');
  if (prefetch) window.__prefetch = await face.prefetchFaceModels(base);
  // The camera as the sitting opens it (frontend/src/proctoring/live.ts): 15 frames/s.
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 15 } } });
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  await video.play();
  window.__frames = [];
  window.__faces = [];
  window.__stream = stream;
  window.__watch = face.watchFaces(video, () => {}, {
    staticBase: base,
    onReading: (r) => { window.__frames.push(r.ms); window.__faces.push(r.faces); },
  });
  return await window.__watch.worker.ready;
}
"""

STOP_FACES = """
async () => {
  await window.__watch.stop();
  window.__stream.getTracks().forEach((t) => t.stop());
  return { ms: window.__frames, faces: window.__faces };
}
"""


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def fake_camera(directory: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from emtihan.proctoring.tests.fakecam import write_y4m
    from emtihan.proctoring.tests.media import frame

    return write_y4m(directory / "face.y4m", [(frame("obama_1", 160), 1.0)])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8078")
    parser.add_argument("--exam", type=int, required=True)
    parser.add_argument("--keys", type=int, default=150, help="keystrokes per run")
    parser.add_argument("--runs", type=int, default=3, help="runs of each mode (interleaved)")
    parser.add_argument("--throttle", type=float, default=4.0, help="CPU slow-down factor")
    parser.add_argument("--delay", type=int, default=120, help="ms between keystrokes")
    parser.add_argument("--json", type=Path, help="write the raw figures here")
    args = parser.parse_args()

    email, session = next(iter(json.loads(SESSIONS_FILE.read_text()).items()))
    host = args.url.split("//", 1)[1].split("/", 1)[0].split(":")[0]
    base = "/static/attempts/"
    tmp = Path(tempfile.mkdtemp(prefix="typing-latency-"))
    camera = fake_camera(tmp)
    results: dict[str, list[float]] = {"on": [], "off": []}
    events: dict[str, list[float]] = {"on": [], "off": []}
    worker_ms: list[float] = []
    worker_ms_unthrottled: list[float] = []
    pairs: list[dict[str, float]] = []  # per "on, off" pair: each run's p95
    loads: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={camera}",
            ],
        )
        context = browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
        context.add_cookies(
            [
                {"name": "sessionid", "value": session, "domain": host, "path": "/"},
                {"name": "csrftoken", "value": uuid.uuid4().hex, "domain": host, "path": "/"},
            ]
        )
        outside: list[str] = []

        def only_local(route):
            if route.request.url.startswith(args.url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_local)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        face_wire = {"bytes": 0, "files": 0}
        counted: set[str] = set()
        urls: dict[str, str] = {}
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]),
        )

        def finished(event: dict) -> None:
            url = urls.get(event["requestId"], "")
            if "/attempts/face" in url and "face.js" not in url:
                face_wire["bytes"] += int(event.get("encodedDataLength", 0))
                face_wire["files"] += 1
                counted.add(url.rsplit("/", 1)[-1])

        cdp.on("Network.loadingFinished", finished)

        page.goto(f"{args.url}/sitting/exams/{args.exam}/")
        page.click(".toolbar form button.primary")  # Start
        page.wait_for_url("**/sitting/*/")
        page.wait_for_selector(".kind-written .ProseMirror", state="attached", timeout=120_000)
        # One question is shown at a time, in the student's own order: go to the written one.
        target = page.evaluate(
            "() => document.querySelector('.kind-written').closest('[id^=\"q-\"]').id"
        )
        page.click(f'.navigator button[aria-controls="{target}"]')
        page.wait_for_selector(".kind-written .ProseMirror", timeout=120_000)
        page.wait_for_load_state("networkidle", timeout=120_000)
        page.evaluate(INSTRUMENT)

        # A first visit: the device check's prefetch (empty cache), then the worker
        # without throttling, to see its time per frame on this machine.
        ready = page.evaluate(START_FACES, {"base": base, "prefetch": True})
        prefetch = page.evaluate("window.__prefetch")
        page.wait_for_function("() => window.__frames.length >= 8", timeout=120_000)
        unthrottled = page.evaluate(STOP_FACES)
        worker_ms_unthrottled += unthrottled["ms"][2:]  # after the first frames' warm-up
        print(
            f"face files: {prefetch['files']} files, {prefetch['bytes'] / 1e6:.2f} MB "
            f"({face_wire['bytes'] / 1e6:.2f} MB on the wire in {face_wire['files']} responses: {sorted(counted)}); "
            f"worker ready in {ready['loadMs']} ms on {ready['backend']} with {ready['models']}"
        )

        cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.throttle})
        editor = page.locator(".kind-written .ProseMirror").first
        editor.click()
        order = ["on", "off"] * args.runs
        for i, mode in enumerate(order):
            if mode == "on":
                page.evaluate(START_FACES, {"base": base, "prefetch": False})
                page.wait_for_function("() => window.__frames.length >= 3", timeout=120_000)
            page.evaluate("() => { window.__lat = []; window.__evt = []; }")
            editor.click()
            page.keyboard.press("End")
            started = time.perf_counter()
            typed = 0
            while typed < args.keys:
                chunk = TEXT[: min(len(TEXT), args.keys - typed)]
                page.keyboard.type(chunk, delay=args.delay)
                typed += len(chunk)
            page.wait_for_timeout(300)
            lat = page.evaluate("window.__lat")
            evt = page.evaluate("window.__evt")
            results[mode] += lat
            loads.append(os.getloadavg()[0])
            if mode == "on":
                pairs.append({"on": pct(lat, 95)})
            else:
                pairs[-1]["off"] = pct(lat, 95)
            events[mode] += evt
            extra = ""
            if mode == "on":
                stopped = page.evaluate(STOP_FACES)
                worker_ms += stopped["ms"][3:]
                extra = f"; {len(stopped['ms'])} frames, faces seen {sorted(set(stopped['faces']))}"
            print(
                f"run {i + 1} {mode:>3}: {len(lat)} keys in {time.perf_counter() - started:.0f} s, "
                f"p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms, "
                f"event timing >= 16 ms: {len(evt)}{extra}; load {loads[-1]:.1f}"
            )
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        browser.close()

    print(
        f"\nCPU throttling {args.throttle:g}x; {args.keys} keys per run, {args.runs} runs per mode, {args.delay} ms apart"
    )
    for mode in ("off", "on"):
        lat = results[mode]
        print(
            f"face analysis {mode:>3}: {len(lat)} keystrokes, p50 {pct(lat, 50):.1f} ms, "
            f"p95 {pct(lat, 95):.1f} ms, max {max(lat):.1f} ms; "
            f"keydown Event Timing entries >= 16 ms: {len(events[mode])}"
            + (f" (p95 of those {pct(events[mode], 95):.0f} ms)" if events[mode] else "")
        )
    diff = pct(results["on"], 95) - pct(results["off"], 95)
    p50diff = pct(results["on"], 50) - pct(results["off"], 50)
    paired = statistics.median(pair["on"] - pair["off"] for pair in pairs)
    print(
        f"p95 difference (on - off): {diff:+.1f} ms (target < 16 ms); p50 difference {p50diff:+.1f} ms"
    )
    print(f"median of the {len(pairs)} run pairs' p95 differences: {paired:+.1f} ms")
    print(
        f"load average (1 min) during the runs: {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"worker per frame: median {statistics.median(worker_ms):.0f} ms, p95 {pct(worker_ms, 95):.0f} ms "
        f"with the page throttled ({len(worker_ms)} frames); "
        f"{statistics.median(worker_ms_unthrottled):.0f} ms unthrottled ({len(worker_ms_unthrottled)} frames)"
    )
    if outside:
        print(f"requests outside the server (aborted): {outside}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "latency_ms": results,
                    "event_timing_ms": events,
                    "worker_ms": worker_ms,
                    "worker_ms_unthrottled": worker_ms_unthrottled,
                    "prefetch": prefetch,
                    "face_wire": face_wire,
                    "p95_difference_ms": diff,
                    "pairs": pairs,
                    "load": loads,
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
