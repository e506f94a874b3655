"""The exam page on a slow link: Chromium with the network throttled through the DevTools
protocol, against a running server (bench/run_slow_link.sh starts one).

For one student of ``load_sitting.py setup`` it opens the exam's description page, presses
"Start", and measures:
  - bytes over the wire (compressed, as sent) and time until the written answer's editor is
    ready, on a first visit (empty cache) and on a reload (what a reconnecting student gets);
  - the time from the last keystroke until the page shows "All saved" (the autosave round
    trip), and from "Send" until the receipt shows.

    python bench/slow_link.py --url http://127.0.0.1:8077 --exam 1 [--kbps 1000 --rtt 150]

Needs Chromium (/usr/bin/chromium, or $CHROMIUM) and the dev requirements (playwright).
The figures are for one machine and one link profile; docs/BENCHMARKS.md has the results.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import uuid
from pathlib import Path

from playwright.sync_api import sync_playwright

SESSIONS_FILE = Path(__file__).resolve().parent / ".sessions.json"


class Wire:
    """Bytes received per page load, as the DevTools protocol reports them (the encoded,
    i.e. gzipped where the server compressed, length of each response with its headers)."""

    def __init__(self, cdp) -> None:
        self.bytes = 0
        self.requests = 0
        cdp.on("Network.loadingFinished", self._finished)

    def _finished(self, event: dict) -> None:
        self.bytes += int(event.get("encodedDataLength", 0))
        self.requests += 1

    def reset(self) -> None:
        self.bytes = 0
        self.requests = 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8077")
    parser.add_argument("--exam", type=int, required=True)
    parser.add_argument("--kbps", type=int, default=1000, help="download speed, kbit/s")
    parser.add_argument("--up-kbps", type=int, default=512, help="upload speed, kbit/s")
    parser.add_argument("--rtt", type=int, default=150, help="added round-trip latency, ms")
    args = parser.parse_args()

    email, session = next(iter(json.loads(SESSIONS_FILE.read_text()).items()))
    host = args.url.split("//", 1)[1].split("/", 1)[0].split(":")[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
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
        wire = Wire(cdp)
        print(
            f"link: {args.kbps} kbit/s down, {args.up_kbps} kbit/s up, +{args.rtt} ms round trip; student {email}"
        )

        page.goto(f"{args.url}/sitting/exams/{args.exam}/")
        page.click(".toolbar form button.primary")  # Start
        wire.reset()
        started = time.perf_counter()
        page.wait_for_url("**/sitting/*/")
        page.wait_for_selector(".kind-written .ProseMirror", timeout=120_000)
        first = time.perf_counter() - started
        page.wait_for_load_state("networkidle", timeout=120_000)
        print(
            f"first visit: editor ready after {first:.1f} s; "
            f"{wire.bytes / 1024:.0f} KB in {wire.requests} responses until the network is idle"
        )

        wire.reset()
        started = time.perf_counter()
        page.reload()
        page.wait_for_selector(".kind-written .ProseMirror", timeout=120_000)
        again = time.perf_counter() - started
        page.wait_for_load_state("networkidle", timeout=120_000)
        print(
            f"reload (reconnect): editor ready after {again:.1f} s; "
            f"{wire.bytes / 1024:.0f} KB in {wire.requests} responses"
        )

        section = page.locator(".kind-written").first
        section.locator(".ProseMirror").click()
        page.keyboard.type("Жауап: энергия сақталады. ", delay=20)
        typed = time.perf_counter()
        page.wait_for_function(
            "document.querySelector('.conn')?.dataset.state === 'saving'", timeout=30_000
        )
        page.wait_for_function(
            "document.querySelector('.conn')?.dataset.state === 'saved'", timeout=60_000
        )
        print(
            f"autosave: 'All saved' {time.perf_counter() - typed:.1f} s after the last key (includes the page's typing pause)"
        )
        started = time.perf_counter()
        section.locator("button.send").click()
        section.locator(".receipt-code").wait_for(timeout=60_000)
        print(f"send: receipt shown after {time.perf_counter() - started:.1f} s")
        browser.close()


if __name__ == "__main__":
    main()
