"""Load generator for 5,000 students and the 9:00 spike (issue 12): asyncio, one HTTP/1.1
keep-alive connection per student (as a browser keeps one), standard library only.

Each student follows bench/load_sitting.py's model: start the exam, then autosave the
written answer every 10 s (8 more words each time; every ``--send-every``-th save is a
Send), a heartbeat every 30 s; with ``--snapshots on`` also a camera snapshot every 20 s
(multipart ``file`` + ``taken_at`` to ``/api/v1/proctoring/attempts/<id>/snapshots``,
what frontend/src/proctoring/uploader.ts posts; the JPEG is a real photo of
shared/testdata/faces resized to about ``--snapshot-kb`` KB). The first save, heartbeat and
snapshot of each student come at a random moment of their first period.

    # once, against the server's database (same settings/DATABASE_URL as the server):
    python bench/load_sitting.py setup --students 5000
    python bench/load_async.py prepare --exam 1 --students 5000   # proctoring + consent
    # with the server running:
    python bench/load_async.py run --url http://127.0.0.1:8077 --exam 1 --students 5000 \
        --ramp 60 --duration 120 --snapshots on [--logins-per-s 5.6] [--spike 1000]

``--spike N --spike-window 10``: the first students-N start over ``--ramp`` and type;
``--spike-after`` seconds after the ramp the other N start within the window (their
starts are reported as ``start_spike``; the requests of everyone else issued in the
window as ``<endpoint>@spike``).

``--logins-per-s R``: while the students type, other accounts (numbers after the
students', made by ``setup``) log in through the real login form at R a second: GET the
form (CSRF cookie and token), POST it, expect a 302. ``--login``: the students themselves
log in before they start instead of using the sessions ``setup`` made.

The report is load_sitting.py's (per endpoint: requests, req/s, p50/p95/p99 ms, errors;
unexpected statuses; p99 per 10 s) plus memory (peak RSS of the ``--server-pid`` and
``--worker-pid`` trees, sampled each second), CPU seconds of the server, the workers,
the PostgreSQL backends of ``--db`` and the generator itself (its share of the machine),
read from /proc at the start and the end. ``--processes P`` spreads the students over P
processes (student n in process n mod P).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import multiprocessing
import os
import random
import re
import resource
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from sitting_setup import EMAIL, PASSWORD, SESSIONS_FILE

ROOT = Path(__file__).resolve().parents[1]
PHOTO = Path("/work/shared/testdata/faces/obama_1.jpg")
WORDS = ["atom", "ядро", "энергия", "E=mc²", "және"]
TIMEOUT = 60.0


# --- setup of proctoring (Django) ------------------------------------------------------------


def prepare(exam_id: int, students: int) -> None:
    """Set the exam to proctoring "record" every 20 s and record the consent of students
    1..N in bulk (what each would do on the exam page before starting)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emtihan.settings")
    import django

    django.setup()
    from django.utils import timezone

    from emtihan.exams.models import Exam, ProctoringLevel
    from emtihan.proctoring import services
    from emtihan.proctoring.models import ProctoringSession
    from emtihan.university.models import Student

    Exam.objects.filter(pk=exam_id).update(
        proctoring=ProctoringLevel.RECORD, snapshot_interval_seconds=20
    )
    exam = Exam.objects.get(pk=exam_id)
    version = services.consent_version(services.consent_paragraphs(exam, "kk"))
    now = timezone.now()
    emails = [EMAIL.format(n) for n in range(1, students + 1)]
    have = set(ProctoringSession.objects.filter(exam=exam).values_list("student_id", flat=True))
    ProctoringSession.objects.bulk_create(
        [
            ProctoringSession(
                exam=exam,
                student=s,
                created_at=now,
                consent_at=now,
                consent_version=version,
                consent_language="kk",
            )
            for s in Student.objects.filter(user__email__in=emails)
            if s.pk not in have
        ],
        batch_size=1000,
    )
    print(f"exam {exam.pk}: proctoring record every 20 s; {students} students agreed")


def snapshot_jpeg(kb: float) -> bytes:
    """A 640x480 JPEG of a real face of about ``kb`` KB (the quality chosen to fit)."""
    from PIL import Image

    source = PHOTO if PHOTO.exists() else ROOT / "emtihan/demo/photos/obama_1.jpg"
    image = Image.open(source).convert("RGB")
    image.thumbnail((640, 480))
    canvas = Image.new("RGB", (640, 480), (90, 90, 90))
    canvas.paste(image, ((640 - image.width) // 2, (480 - image.height) // 2))
    best = b""
    for quality in range(95, 10, -5):
        out = io.BytesIO()
        canvas.save(out, "JPEG", quality=quality)
        best = out.getvalue()
        if len(best) <= kb * 1024:
            break
    return best


# --- the HTTP client ---------------------------------------------------------------------------


class Stale(Exception):
    """The kept-alive connection was closed by the server before it answered."""


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    statuses: dict[tuple[str, int | str], int] = field(default_factory=lambda: defaultdict(int))
    reconnects: int = 0
    connects: int = 0
    # (when it started, latency) of every request, for the timeline
    timeline: list[tuple[float, float]] = field(default_factory=list)
    cpu: float = 0.0

    def record(self, endpoint: str, at: float, seconds: float, status: int | str, ok: bool) -> None:
        self.latencies[endpoint].append(seconds)
        self.timeline.append((at, seconds))
        if not ok:
            self.errors[endpoint] += 1
            self.statuses[(endpoint, status)] += 1

    def parts(self) -> tuple:
        return (
            dict(self.latencies),
            dict(self.errors),
            dict(self.statuses),
            self.reconnects,
            self.connects,
            self.timeline,
        )

    def merge(self, parts: tuple) -> None:
        latencies, errors, statuses, reconnects, connects, timeline = parts
        for endpoint, values in latencies.items():
            self.latencies[endpoint].extend(values)
        for endpoint, count in errors.items():
            self.errors[endpoint] += count
        for key, count in statuses.items():
            self.statuses[key] += count
        self.reconnects += reconnects
        self.connects += connects
        self.timeline.extend(timeline)


class Client:
    """One browser: a cookie jar and one HTTP/1.1 keep-alive connection, reopened (and
    the request sent once more) when the server closed it while idle."""

    def __init__(self, host: str, port: int, stats: Stats) -> None:
        self.host, self.port, self.stats = host, port, stats
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.spike: tuple[float, float] | None = None  # requests in it get "@spike"
        # The sitting token, sent on every request and replaced by any answer that carries
        # a fresh one (the start, each heartbeat), as the exam page does (frontend/src/api.ts).
        self.attempt_token = ""

    async def _connect(self) -> None:
        self.close()
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.stats.connects += 1

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    def _head(self, method: str, path: str, headers: dict[str, str], length: int) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if "csrftoken" in self.cookies:
            lines.append(f"X-CSRFToken: {self.cookies['csrftoken']}")
        if self.attempt_token:
            lines.append(f"X-Attempt-Token: {self.attempt_token}")
        lines.append(f"Referer: http://{self.host}:{self.port}/")
        lines.extend(f"{k}: {v}" for k, v in headers.items())
        if method != "GET":
            lines.append(f"Content-Length: {length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def _exchange(self, request: bytes) -> tuple[int, bytes, bool]:
        reader, writer = self.reader, self.writer
        assert reader is not None and writer is not None
        writer.write(request)
        await writer.drain()
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as error:
            if not error.partial:
                raise Stale from error
            raise
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, chunked, close = None, False, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            value = value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.lower() == "close":
                close = True
            elif name == "set-cookie":
                cookie = SimpleCookie()
                cookie.load(value)
                self.cookies.update({k: m.value for k, m in cookie.items()})
        if chunked:
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")  # no trailers expected
                    break
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
            body = b"".join(parts)
        elif length is not None:
            body = await reader.readexactly(length)
        else:
            body = await reader.read()
            close = True
        return status, body, close

    async def request(
        self,
        endpoint: str,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> tuple[int, bytes]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        status, data, failure = 0, b"", ""
        for attempt in (1, 2):
            try:
                async with asyncio.timeout(TIMEOUT):
                    if self.reader is None or self.reader.at_eof():
                        if self.reader is not None:
                            self.stats.reconnects += 1
                        await self._connect()
                    request = self._head(method, path, headers or {}, len(body)) + body
                    status, data, close = await self._exchange(request)
                if close:
                    self.close()
                break
            except Stale:
                self.close()
                if attempt == 1:
                    self.stats.reconnects += 1
                    continue
                status, failure = 0, "closed by the server twice"
            except TimeoutError:
                self.close()
                status, failure = 0, f"no answer in {TIMEOUT:.0f} s"
                break
            except (
                OSError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                ValueError,
            ) as error:
                self.close()
                status, failure = 0, type(error).__name__
                break
        if self.spike and self.spike[0] <= started < self.spike[1]:
            endpoint += "@spike"
        self.stats.record(endpoint, started, loop.time() - started, failure or status, status in ok)
        return status, data

    async def json(
        self, endpoint: str, method: str, path: str, payload: dict, ok=(200,)
    ) -> tuple[int, dict]:
        status, data = await self.request(
            endpoint, method, path, json.dumps(payload).encode(),
            {"Content-Type": "application/json"}, ok,
        )  # fmt: skip
        try:
            answer = json.loads(data) if data else {}
        except ValueError:
            return status, {}
        if status == 200 and isinstance(answer, dict) and answer.get("attempt_token"):
            self.attempt_token = answer["attempt_token"]
        return status, answer

    async def login(self, email: str) -> bool:
        status, page = await self.request("login_page", "GET", "/accounts/login/")
        if status != 200:  # no form, no CSRF cookie: a browser shows the error, posts nothing
            return False
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        form = urllib.parse.urlencode(
            {
                "username": email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": match.group(1).decode() if match else "",
            }
        ).encode()
        status, _ = await self.request(
            "login", "POST", "/accounts/login/", form,
            {"Content-Type": "application/x-www-form-urlencoded"}, ok=(302,),
        )  # fmt: skip
        return status == 302 and "sessionid" in self.cookies


# --- the simulated students ------------------------------------------------------------------


@dataclass
class Plan:
    host: str
    port: int
    exam: int
    students: int
    start_at: float  # loop time of the first start
    ramp: float
    until: float
    send_every: int
    snapshots: bool
    snapshot_every: float
    login: bool
    spike: int
    spike_at: float
    spike_window: float
    logins_per_s: float
    sessions: dict[str, str]
    jpeg: bytes


def start_time(plan: Plan, n: int) -> tuple[float, bool]:
    """When student n starts, and whether it is one of the spike's."""
    typists = plan.students - plan.spike
    if n <= typists:
        return plan.start_at + plan.ramp * (n - 1) / max(typists, 1), False
    return plan.spike_at + plan.spike_window * (n - typists - 1) / max(plan.spike, 1), True


def multipart(jpeg: bytes, taken_at: str) -> tuple[bytes, str]:
    boundary = "----emtihan" + uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="taken_at"\r\n\r\n{taken_at}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="frame.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + jpeg
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


async def student(plan: Plan, n: int, stats: Stats) -> None:
    loop = asyncio.get_running_loop()
    at, in_spike = start_time(plan, n)
    client = Client(plan.host, plan.port, stats)
    if plan.spike and not in_spike:
        client.spike = (plan.spike_at, plan.spike_at + plan.spike_window + 5)
    email = EMAIL.format(n)
    await asyncio.sleep(max(0.0, at - loop.time()))
    if plan.login:
        if not await client.login(email):
            return
    else:
        client.cookies.update({"sessionid": plan.sessions[email], "csrftoken": uuid.uuid4().hex})
    status, state = await client.json(
        "start_spike" if in_spike else "start", "POST", "/api/v1/attempts/start",
        {"exam_id": plan.exam},
    )  # fmt: skip
    if status != 200:
        client.close()
        return
    attempt = state["id"]
    written = next(q for q in state["questions"] if q["kind"] == "written")
    version = written["answer"]["draft_version"]
    words: list[str] = []
    now = loop.time()
    next_save = now + random.uniform(0, 10)
    next_beat = now + random.uniform(0, 30)
    next_snap = now + random.uniform(0, plan.snapshot_every) if plan.snapshots else float("inf")
    saves = 0
    while (now := loop.time()) < plan.until:
        if now >= next_beat:
            await client.json("heartbeat", "POST", f"/api/v1/attempts/{attempt}/heartbeat", {})
            next_beat += 30
        if now >= next_snap:
            body, kind = multipart(plan.jpeg, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            await client.request(
                "snapshot", "POST", f"/api/v1/proctoring/attempts/{attempt}/snapshots", body,
                {"Content-Type": kind, "Accept": "application/json"}, ok=(202,),
            )  # fmt: skip
            next_snap += plan.snapshot_every
        if now >= next_save:
            words.extend(random.choice(WORDS) for _ in range(8))
            text = {"type": "text", "text": " ".join(words)}
            content = {
                "doc": {"type": "doc", "content": [{"type": "paragraph", "content": [text]}]}
            }
            saves += 1
            kind = "send" if plan.send_every and saves % plan.send_every == 0 else "draft"
            status, answer = await client.json(
                kind, "POST" if kind == "send" else "PUT",
                f"/api/v1/attempts/{attempt}/answers/{written['id']}/{kind}",
                {"content": content, "base_version": version, "key": uuid.uuid4().hex},
            )  # fmt: skip
            if status == 200:
                version = answer["draft_version"]
            elif status == 409:
                version = answer.get("current", {}).get("draft_version", version)
            next_save += 10
        await asyncio.sleep(
            max(0.0, min(next_save, next_beat, next_snap, plan.until) - loop.time())
        )
    client.close()


async def logins(plan: Plan, numbers: range, every: float, first: float, stats: Stats) -> None:
    """Accounts ``numbers`` log in one after the other, one every ``every`` seconds from
    ``first``, each in a browser of its own (each login its own task: a slow one does
    not hold the next back)."""
    loop = asyncio.get_running_loop()
    tasks = []

    async def one(email: str) -> None:
        client = Client(plan.host, plan.port, stats)
        await client.login(email)
        client.close()

    for k, n in enumerate(numbers):
        at = first + k * every
        if at >= plan.until:
            break
        await asyncio.sleep(max(0.0, at - loop.time()))
        tasks.append(asyncio.create_task(one(EMAIL.format(n))))
    await asyncio.gather(*tasks)


async def _simulate(
    plan: Plan, numbers: range, login_numbers: range, login_every: float, login_first: float
) -> Stats:
    stats = Stats()
    loop = asyncio.get_running_loop()
    # plan times are time.monotonic() values; asyncio's default clock is the same one
    assert abs(loop.time() - time.monotonic()) < 0.1
    jobs = [student(plan, n, stats) for n in numbers]
    if plan.logins_per_s and len(login_numbers):
        jobs.append(logins(plan, login_numbers, login_every, login_first, stats))
    await asyncio.gather(*jobs)
    return stats


def simulate(
    plan: Plan, numbers: range, login_numbers: range, login_every: float, login_first: float
) -> Stats:
    return asyncio.run(_simulate(plan, numbers, login_numbers, login_every, login_first))


def _in_child(queue, plan: Plan, numbers: range, logins: range, every: float, first: float) -> None:
    stats = simulate(plan, numbers, logins, every, first)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    queue.put((stats.parts(), usage.ru_utime + usage.ru_stime))


# --- what the machine did: memory and CPU from /proc -----------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    return children


def tree(pids: list[int], children: dict[int, list[int]] | None = None) -> set[int]:
    children = _children_map() if children is None else children
    found, todo = set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, []))
    return found


def rss_mb(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_ticks(pids: set[int]) -> dict[int, int]:
    """utime+stime of each process, and of its children that exited (cutime+cstime)."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = sum(int(v) for v in fields[11:15])
    return ticks


def postgres_backends(database: str) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if command.startswith("postgres:") and f" {database} " in command:
                found.add(int(entry.name))
    return found


class Machine(threading.Thread):
    """Each second: the resident memory of the server's and the workers' process trees
    (peaks of each and of their sum) and the CPU ticks of every process seen in them and
    of the database's backends (the last reading of each pid counts: a process that
    exited keeps its last one)."""

    def __init__(self, server: list[int], workers: list[int], database: str) -> None:
        super().__init__(daemon=True)
        self.server, self.workers, self.database = server, workers, database
        self.peak = {"server": 0.0, "workers": 0.0, "total": 0.0}
        self.first: dict[str, dict[int, int]] = {"server": {}, "workers": {}, "postgres": {}}
        self.last: dict[str, dict[int, int]] = {"server": {}, "workers": {}, "postgres": {}}
        self._stop_event = threading.Event()
        self.machine0 = machine_cpu()
        self.sample()

    def sample(self) -> None:
        children = _children_map()
        groups = {
            "server": tree(self.server, children),
            "workers": tree(self.workers, children),
            "postgres": postgres_backends(self.database) if self.database else set(),
        }
        memory = {k: rss_mb(groups[k]) for k in ("server", "workers")}
        self.peak["server"] = max(self.peak["server"], memory["server"])
        self.peak["workers"] = max(self.peak["workers"], memory["workers"])
        self.peak["total"] = max(self.peak["total"], memory["server"] + memory["workers"])
        for name, pids in groups.items():
            for pid, ticks in cpu_ticks(pids).items():
                self.first[name].setdefault(pid, ticks)
                self.last[name][pid] = ticks

    def cpu_seconds(self, name: str) -> float:
        hz = os.sysconf("SC_CLK_TCK")
        return sum(t - self.first[name][p] for p, t in self.last[name].items()) / hz

    def run(self) -> None:
        while not self._stop_event.wait(1.0):
            self.sample()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()
        self.sample()
        self.machine1 = machine_cpu()

    def machine_seconds(self) -> tuple[float, float]:
        """CPU seconds the whole machine was busy and idle since the start."""
        hz = os.sysconf("SC_CLK_TCK")
        busy = (self.machine1[0] - self.machine0[0]) / hz
        return busy, (self.machine1[1] - self.machine0[1]) / hz


def machine_cpu() -> tuple[int, int]:
    """Busy and idle ticks of all cores together (/proc/stat)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, idle


# --- the run and its report ------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    url = urllib.parse.urlsplit(args.url)
    sessions = {} if args.login else json.loads(SESSIONS_FILE.read_text())
    jpeg = snapshot_jpeg(args.snapshot_kb) if args.snapshots == "on" else b""
    processes = max(1, args.processes)
    machine = Machine(args.server_pid, args.worker_pid, args.db)
    machine.start()
    wall0, cpu0 = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
    start_at = time.monotonic() + 0.5 + 0.3 * processes  # time for the processes to start
    spike = min(args.spike, args.students)
    spike_at = start_at + args.ramp + args.spike_after
    until = start_at + args.ramp + args.duration
    if spike:
        until = max(until, spike_at + args.spike_window + 10)
    plan = Plan(
        url.hostname or "127.0.0.1", url.port or 80, args.exam, args.students, start_at,
        args.ramp, until, args.send_every, args.snapshots == "on", args.snapshot_every,
        args.login, spike, spike_at, args.spike_window, args.logins_per_s, sessions, jpeg,
    )  # fmt: skip
    logins_total = int(args.logins_per_s * (until - start_at)) + 1 if args.logins_per_s else 0
    login_first = args.students + 1
    every = processes / args.logins_per_s if args.logins_per_s else 0.0
    print(
        f"{args.students} students ({spike} of them in a spike of {args.spike_window:.0f} s), "
        f"ramp {args.ramp:.0f} s + {args.duration:.0f} s, snapshots {args.snapshots}"
        + (f" ({len(jpeg) / 1024:.1f} KB every {args.snapshot_every:.0f} s)" if jpeg else "")
        + (f", {args.logins_per_s}/s logins (accounts {login_first}..)" if logins_total else "")
        + f"; generator: {processes} process(es)",
        flush=True,
    )
    if processes == 1:
        stats = simulate(
            plan, range(1, args.students + 1),
            range(login_first, login_first + logins_total), every, start_at,
        )  # fmt: skip
        child_cpu = 0.0
    else:
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        children = []
        for k in range(processes):
            # process k: students k+1, k+1+P, ...; every P-th login account, its first
            # login k/R seconds in, so the logins of all processes interleave evenly
            first = start_at + (k / args.logins_per_s if args.logins_per_s else 0)
            numbers = range(k + 1, args.students + 1, processes)
            accounts = range(login_first + k, login_first + logins_total, processes)
            children.append(
                context.Process(
                    target=_in_child,
                    args=(queue, plan, numbers, accounts, every, first),
                    daemon=True,
                )
            )
        for child in children:
            child.start()
        stats, child_cpu = Stats(), 0.0
        for _ in children:
            parts, cpu = queue.get()
            stats.merge(parts)
            child_cpu += cpu
        for child in children:
            child.join()
    machine.stop()
    elapsed = time.monotonic() - wall0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    own = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime + child_cpu
    wall_started = time.time() - (time.monotonic() - start_at)
    print(f"run started {time.strftime('%H:%M:%S', time.localtime(wall_started))} (wall clock)")
    report(stats, until - start_at)
    report_timeline(stats, start_at)
    if spike:
        print(
            f"spike: {spike} starts from {spike_at - start_at:.0f} s to "
            f"{spike_at - start_at + args.spike_window:.0f} s; '@spike': the other students' "
            f"requests begun from then until 5 s after"
        )
    requests = sum(len(v) for v in stats.latencies.values())
    cores = os.cpu_count() or 1
    if args.server_pid or args.worker_pid:
        print(
            f"memory (peak RSS): server {machine.peak['server']:.0f} MB, workers "
            f"{machine.peak['workers']:.0f} MB, server + workers {machine.peak['total']:.0f} MB"
        )
    parts = [f"server {machine.cpu_seconds('server'):.1f}"]
    if args.worker_pid:
        parts.append(f"workers {machine.cpu_seconds('workers'):.1f}")
    if args.db:
        parts.append(f"PostgreSQL {machine.cpu_seconds('postgres'):.1f}")
    parts.append(f"generator {own:.1f}")
    print(
        f"CPU seconds over {elapsed:.0f} s on {cores} cores: " + ", ".join(parts)
        + f"; {requests} requests, generator {own / max(requests, 1) * 1000:.2f} ms per request, "
        f"{own / elapsed * 100:.0f} % of one core = {own / elapsed / cores * 100:.0f} % of the machine"
    )  # fmt: skip
    busy, idle = machine.machine_seconds()
    mine = (
        machine.cpu_seconds("server") + machine.cpu_seconds("workers")
        + machine.cpu_seconds("postgres") + own
    )  # fmt: skip
    print(
        f"the machine: busy {busy:.1f} CPU seconds, idle {idle:.1f}; other processes than the "
        f"above (other work on the machine, PostgreSQL's own background) {max(0.0, busy - mine):.1f}"
    )
    if machine.cpu_seconds("server"):
        print(
            f"per request: server {machine.cpu_seconds('server') / requests * 1000:.2f} ms, "
            f"PostgreSQL {machine.cpu_seconds('postgres') / requests * 1000:.2f} ms"
        )


def _p(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def report(stats: Stats, elapsed: float) -> None:
    print(
        f"{'endpoint':<18} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>7}"
    )
    for endpoint, values in sorted(stats.latencies.items()):
        ordered = sorted(values)
        print(
            f"{endpoint:<18} {len(values):>9} {len(values) / elapsed:>7.1f} "
            f"{statistics.median(ordered) * 1000:>8.1f} {_p(ordered, 0.95):>8.1f} "
            f"{_p(ordered, 0.99):>8.1f} {stats.errors[endpoint]:>7}"
        )
    for (endpoint, status), count in sorted(stats.statuses.items(), key=str):
        print(f"  {endpoint}: {f'HTTP {status}' if isinstance(status, int) else status} x{count}")
    print(
        f"errors: {sum(stats.errors.values())}; connections opened: {stats.connects}, of which "
        f"reopened after the server closed a kept-alive one: {stats.reconnects}"
    )


def report_timeline(stats: Stats, started: float, window: float = 10.0) -> None:
    windows: dict[int, list[float]] = defaultdict(list)
    for at, seconds in stats.timeline:
        windows[int((at - started) // window)].append(seconds)
    cells = []
    for n in sorted(windows):
        ordered = sorted(windows[n])
        cells.append(f"{n * window:.0f}s:{len(ordered)}/{_p(ordered, 0.99):.0f}")
    print(f"per {window:.0f} s (requests/p99 ms): " + " ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare", help="proctoring 'record' on the exam, students' consent")
    prep.add_argument("--exam", type=int, required=True)
    prep.add_argument("--students", type=int, required=True)
    go = sub.add_parser("run", help="simulate the students against a running server")
    go.add_argument("--url", default="http://127.0.0.1:8077")
    go.add_argument("--exam", type=int, required=True)
    go.add_argument("--students", type=int, default=1000)
    go.add_argument("--duration", type=float, default=60, help="seconds after the ramp")
    go.add_argument("--ramp", type=float, default=60, help="seconds over which students start")
    go.add_argument("--send-every", type=int, default=6, help="every Nth save is a send (0: never)")
    go.add_argument("--snapshots", choices=["on", "off"], default="off")
    go.add_argument("--snapshot-every", type=float, default=20)
    go.add_argument("--snapshot-kb", type=float, default=40)
    go.add_argument("--login", action="store_true", help="students log in with the password")
    go.add_argument(
        "--logins-per-s", type=float, default=0, help="other accounts log in at this rate"
    )
    go.add_argument("--spike", type=int, default=0, help="this many students start in a spike")
    go.add_argument("--spike-window", type=float, default=10)
    go.add_argument("--spike-after", type=float, default=20, help="seconds after the ramp")
    go.add_argument("--processes", type=int, default=1)
    go.add_argument("--server-pid", type=int, action="append", default=[])
    go.add_argument("--worker-pid", type=int, action="append", default=[])
    go.add_argument("--db", default="", help="count the CPU of this database's backends")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.exam, args.students)
    else:
        run(args)


if __name__ == "__main__":
    main()
