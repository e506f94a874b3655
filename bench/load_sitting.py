"""Load generator for the exam sitting: N simulated students against a running server.

Each student logs in, starts the exam, then until the run ends: autosaves its written
answer every 10 s (typing a little more each time), sends a heartbeat every 30 s, and
sends the answer every ``--send-every`` saves. Starts are spread over ``--ramp`` seconds
(the 9:00 spike is ``--ramp 60``). At the end it prints, per endpoint, the number of
requests, requests per second, p50/p99 latency and the errors, plus every unexpected
status seen.

Stdlib only (threads + http.client, one keep-alive connection per student; with
``--processes P`` the students are spread over P processes).

    # once, against the server's database (same settings/DATABASE_URL as the server;
    # the setup itself is bench/sitting_setup.py):
    python bench/load_sitting.py setup --students 500
    # then, with the server running:
    python bench/load_sitting.py run --url http://127.0.0.1:8000 --students 500 --duration 120

A 409 on a draft counts as an error: one simulated student has one tab, so it should
never see one. Keep runs short on shared machines; the numbers are for comparing
changes on one machine, not for capacity planning.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import random
import re
import statistics
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from sitting_setup import EMAIL, PASSWORD, SESSIONS_FILE, setup

# what bench/timed_wsgi.py stamps on the server, in order, and the steps of a request
SERVER_STAMPS = ("accepted", "queued", "picked", "received", "done")
STEPS = (
    ("kept-alive connection found closed", "start", "stale"),
    ("connect()", "connect", "connected"),
    ("connected -> the worker accepted it", "connected", "accepted"),
    ("request sent -> the worker queued it", "sent", "queued"),
    ("queued -> a thread picked it", "queued", "picked"),
    ("picked -> the application got it", "picked", "received"),
    ("in the application", "received", "done"),
    ("response -> the generator has read it", "done", "end"),
)
STALE_CONNECTION = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


# --- run: the simulated students ---------------------------------------------------------


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    statuses: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))

    reconnects: int = 0
    timeline: list[tuple[float, float]] = field(default_factory=list)
    # wall-clock times of each request's steps, where the server tells its own
    # (bench/timed_wsgi.py); see STEPS
    steps: list[dict[str, float]] = field(default_factory=list)

    def count_reconnect(self) -> None:
        with self.lock:
            self.reconnects += 1

    def parts(self) -> tuple:
        """What a child process sends back (plain values: a lock does not pickle)."""
        return (
            dict(self.latencies),
            dict(self.errors),
            dict(self.statuses),
            self.reconnects,
            self.timeline,
            self.steps,
        )

    def merge(self, parts: tuple) -> None:
        latencies, errors, statuses, reconnects, timeline, steps = parts
        for endpoint, values in latencies.items():
            self.latencies[endpoint].extend(values)
        for endpoint, count in errors.items():
            self.errors[endpoint] += count
        for key, count in statuses.items():
            self.statuses[key] += count
        self.reconnects += reconnects
        self.timeline.extend(timeline)
        self.steps.extend(steps)

    def record(self, endpoint: str, seconds: float, status: int, ok: bool) -> None:
        with self.lock:
            self.latencies[endpoint].append(seconds)
            self.timeline.append((time.monotonic(), seconds))
            if not ok:
                self.errors[endpoint] += 1
                self.statuses[(endpoint, status)] += 1


class Student:
    def __init__(self, base: urllib.parse.SplitResult, email: str, stats: Stats) -> None:
        self.base = base
        self.email = email
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        factory = (
            http.client.HTTPSConnection
            if self.base.scheme == "https"
            else http.client.HTTPConnection
        )
        return factory(self.base.hostname or "127.0.0.1", self.base.port, timeout=60)

    def request(
        self,
        endpoint: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers=None,
        ok=(200,),
    ) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        headers["Referer"] = f"{self.base.scheme}://{self.base.netloc}/"
        started = time.perf_counter()
        stamps: dict[str, float] = {"start": time.time()}
        status, data = 0, b""
        # A keep-alive connection the server closed while this student was idle (gunicorn
        # closes them after --keep-alive seconds) fails on the next request before any
        # answer: like a browser, open a new connection and send the request once more.
        # Any other failure, or a second one, counts as an error.
        for attempt in (1, 2):
            try:
                if self.conn.sock is None:
                    stamps["connect"] = time.time()
                    self.conn.connect()
                    stamps["connected"] = time.time()
                self.conn.request(method, path, body=body, headers=headers)
                stamps["sent"] = time.time()
                response = self.conn.getresponse()
                data = response.read()
                status = response.status
                for name in SERVER_STAMPS:
                    value = response.headers.get(f"X-Bench-{name.capitalize()}")
                    if value:
                        stamps[name] = float(value)
                for value in response.headers.get_all("Set-Cookie") or []:
                    cookie = SimpleCookie()
                    cookie.load(value)
                    self.cookies.update({k: m.value for k, m in cookie.items()})
                break
            except (OSError, http.client.HTTPException) as error:
                self.conn.close()
                self.conn = self._connect()
                if attempt == 1 and isinstance(error, STALE_CONNECTION):
                    self.stats.count_reconnect()
                    stamps["stale"] = time.time()
                    continue
                status, data = 0, b""
                break
        self.stats.record(endpoint, time.perf_counter() - started, status, status in ok)
        if "received" in stamps:
            stamps["end"] = time.time()
            self.stats.steps.append(stamps)
        return status, data

    def json(
        self, endpoint: str, method: str, path: str, payload: dict, ok=(200,)
    ) -> tuple[int, dict]:
        status, data = self.request(
            endpoint,
            method,
            path,
            json.dumps(payload).encode(),
            {"Content-Type": "application/json"},
            ok,
        )
        try:
            return status, json.loads(data) if data else {}
        except ValueError:
            return status, {}

    def use_session(self, session_key: str) -> bool:
        # Any 32-character secret works as a CSRF token when cookie and header agree.
        self.cookies.update({"sessionid": session_key, "csrftoken": uuid.uuid4().hex})
        return True

    def login(self) -> bool:
        _status, page = self.request("login_page", "GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        form = urllib.parse.urlencode(
            {
                "username": self.email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": match.group(1).decode() if match else "",
            }
        ).encode()
        status, _ = self.request(
            "login",
            "POST",
            "/accounts/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
            ok=(302,),
        )
        return status == 302 and "sessionid" in self.cookies


def simulate(
    student: Student, exam_id: int, until: float, send_every: int, session: str | None
) -> None:
    if not (student.use_session(session) if session else student.login()):
        return
    status, state = student.json("start", "POST", "/api/v1/attempts/start", {"exam_id": exam_id})
    if status != 200:
        return
    attempt = state["id"]
    written = next(q for q in state["questions"] if q["kind"] == "written")
    version = written["answer"]["draft_version"]
    words: list[str] = []
    next_save = time.monotonic() + random.uniform(0, 10)
    next_beat = time.monotonic() + random.uniform(0, 30)
    saves = 0
    while time.monotonic() < until:
        now = time.monotonic()
        if now >= next_beat:
            student.json("heartbeat", "POST", f"/api/v1/attempts/{attempt}/heartbeat", {})
            next_beat += 30
        if now >= next_save:
            words.extend(
                random.choice(["atom", "ядро", "энергия", "E=mc²", "және"]) for _ in range(8)
            )
            content = {
                "doc": {
                    "type": "doc",
                    "content": [
                        {
                            "type": "paragraph",
                            "content": [{"type": "text", "text": " ".join(words)}],
                        }
                    ],
                }
            }
            saves += 1
            kind = "send" if send_every and saves % send_every == 0 else "draft"
            method = "POST" if kind == "send" else "PUT"
            status, body = student.json(
                kind,
                method,
                f"/api/v1/attempts/{attempt}/answers/{written['id']}/{kind}",
                {"content": content, "base_version": version, "key": uuid.uuid4().hex},
            )
            if status == 200:
                version = body["draft_version"]
            elif status == 409:
                version = body.get("current", {}).get("draft_version", version)
            next_save += 10
        time.sleep(max(0.0, min(next_save, next_beat, until) - time.monotonic()))


def run(
    url: str,
    exam_id: int,
    students: int,
    duration: float,
    ramp: float,
    send_every: int,
    login: bool,
    server_pids: list[int],
    processes: int = 1,
) -> None:
    sessions = {} if login else json.loads(SESSIONS_FILE.read_text())
    memory = MemorySampler(server_pids)
    memory.start()
    started = time.monotonic() + 0.5 * processes  # time for the processes to start
    until = started + ramp + duration
    plan = (url, exam_id, students, started, ramp, until, send_every, sessions)
    if processes <= 1:
        stats = _simulate_students(range(1, students + 1), *plan)
    else:
        # Student n runs in process n mod P, so every process ramps up evenly. CLOCK_MONOTONIC
        # is the same in every process, so their times share one axis.
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        children = [
            context.Process(
                target=_simulate_in_child,
                args=(queue, range(k + 1, students + 1, processes), plan),
                daemon=True,
            )
            for k in range(processes)
        ]
        for child in children:
            child.start()
        stats = Stats()
        for _ in children:
            stats.merge(queue.get())
        for child in children:
            child.join()
    memory.stop()
    wall_started = time.time() - (time.monotonic() - started)
    print(f"run started {time.strftime('%H:%M:%S', time.localtime(wall_started))} (wall clock)")
    report(stats, time.monotonic() - started)
    report_timeline(stats, started)
    report_steps(stats)
    if server_pids:
        print(
            f"server memory (RSS of pids {server_pids} and their children): peak {memory.peak_mb:.0f} MB"
        )


def _simulate_students(
    numbers: range,
    url: str,
    exam_id: int,
    students: int,
    started: float,
    ramp: float,
    until: float,
    send_every: int,
    sessions: dict[str, str],
) -> Stats:
    """Students ``numbers`` (of ``students``), one thread each; student n starts at
    ``started + ramp * (n - 1) / students``."""
    base = urllib.parse.urlsplit(url)
    stats = Stats()
    threading.stack_size(512 * 1024)
    threads = []
    for n in numbers:
        student = Student(base, EMAIL.format(n), stats)

        def go(
            student: Student = student,
            at: float = started + ramp * (n - 1) / max(students, 1),
        ) -> None:
            time.sleep(max(0.0, at - time.monotonic()))
            simulate(student, exam_id, until, send_every, sessions.get(student.email))

        thread = threading.Thread(target=go, daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(max(0.0, until - time.monotonic()) + 60)
    return stats


def _simulate_in_child(queue, numbers: range, plan: tuple) -> None:
    stats = _simulate_students(numbers, *plan)
    queue.put(stats.parts())


class MemorySampler(threading.Thread):
    """Samples the resident memory of the server's processes (and their children) each second."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak_mb = 0.0
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        while self.pids and not self._stop_event.wait(1.0):
            self.peak_mb = max(
                self.peak_mb, sum(_rss_kb(p) for p in _with_children(self.pids)) / 1024
            )


def _with_children(pids: list[int]) -> set[int]:
    found = set(pids)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid in found:
                found.add(int(entry.name))
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def report_timeline(stats: Stats, started: float, window: float = 10.0) -> None:
    """Requests and p99 per window of the run (all endpoints): shows whether a high p99
    comes from the start spike, from steady load or from a single stall."""
    windows: dict[int, list[float]] = defaultdict(list)
    for at, seconds in stats.timeline:
        windows[int((at - started) // window)].append(seconds)
    cells = []
    for n in sorted(windows):
        ordered = sorted(windows[n])
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        cells.append(f"{n * window:.0f}s:{len(ordered)}/{p99:.0f}")
    print(f"per {window:.0f} s (requests/p99 ms): " + " ".join(cells))


def report_steps(stats: Stats, slow: float = 0.150) -> None:
    """Where the time of the slow requests went (only against bench/timed_wsgi.py)."""
    slow_ones = [t for t in stats.steps if t["end"] - t["start"] > slow]
    if not stats.steps:
        return
    print(
        f"requests over {slow * 1000:.0f} ms: {len(slow_ones)} of {len(stats.steps)}"
        f" ({sum('stale' in t for t in slow_ones)} on a reopened connection); their steps:"
    )
    for label, since, until in STEPS:
        part = sorted((t[until] - t[since]) * 1000 for t in slow_ones if since in t and until in t)
        if part:
            print(
                f"  {label:<44} n={len(part):<5} median {statistics.median(part):7.1f} ms,"
                f" p90 {part[int(len(part) * 0.9)]:7.1f} ms, max {part[-1]:7.1f} ms"
            )


def report(stats: Stats, elapsed: float) -> None:
    print(
        f"{'endpoint':<12} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    for endpoint, values in sorted(stats.latencies.items()):
        ordered = sorted(values)
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        print(
            f"{endpoint:<12} {len(values):>9} {len(values) / elapsed:>8.1f} "
            f"{p50:>8.1f} {p99:>8.1f} {stats.errors[endpoint]:>7}"
        )
    for (endpoint, status), count in sorted(stats.statuses.items()):
        print(f"  {endpoint}: HTTP {status or 'connection error'} x{count}")
    print(f"keep-alive connections closed by the server and reopened: {stats.reconnects}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    prepare = sub.add_parser("setup", help="create the students and an open exam in the database")
    prepare.add_argument("--students", type=int, default=100)
    load = sub.add_parser("run", help="simulate the students against a running server")
    load.add_argument("--url", default="http://127.0.0.1:8000")
    load.add_argument("--exam", type=int, required=True, help="the exam id printed by setup")
    load.add_argument("--students", type=int, default=100)
    load.add_argument("--duration", type=float, default=60, help="seconds after the ramp")
    load.add_argument("--ramp", type=float, default=10, help="seconds over which students start")
    load.add_argument(
        "--send-every", type=int, default=6, help="every Nth save is a send (0: never)"
    )
    load.add_argument(
        "--login", action="store_true", help="log in with the password instead of setup's sessions"
    )
    load.add_argument(
        "--processes",
        type=int,
        default=1,
        help="spread the students over this many processes (one Python process's threads "
        "share one interpreter lock)",
    )
    load.add_argument(
        "--server-pid",
        type=int,
        action="append",
        default=[],
        help="sample this process tree's memory",
    )
    args = parser.parse_args()
    if args.command == "setup":
        setup(args.students)
    else:
        run(
            args.url,
            args.exam,
            args.students,
            args.duration,
            args.ramp,
            args.send_every,
            args.login,
            args.server_pid,
            args.processes,
        )


if __name__ == "__main__":
    main()
