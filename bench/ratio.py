"""Emtihan's draft autosave against the floor endpoint (issue 12's "Ratio"), interleaved.

C simulated students, one HTTP/1.1 keep-alive connection each, save their written answer
back to back (a closed loop: the next save goes as soon as the answer to the last is read)
for T seconds against one server, then against the other: a, b, a, b... for R rounds.
``a`` is emtihan's real autosave (``PUT /api/v1/attempts/<id>/answers/<q>/draft`` with
the student's session cookie, the CSRF header, the sitting token the exam page sends
(``X-Attempt-Token``, from the start's answer, fetched again before every phase of
emtihan so it never expires mid-run; ``--auth session`` leaves it out, as the page did
before it had one) and a correct ``base_version`` chain: the
version each answer returns is the base of the next save, so every save is a write that
must answer 200; a 409 is an error); ``b`` is bench/floor_app.py (one upsert of the same
body through a pool). Both get byte-for-byte the same request but for the path, from the
same client code, so the generator costs both the same.

Per phase it prints requests/s, p50/p99, errors, and CPU per request of the server's
processes, of the bench database's PostgreSQL backends and of this generator (read from
/proc and getrusage), the generator's share of the machine and how busy the machine was;
then the ratio a/b per round and its median.

Stdlib only: asyncio streams in one process (no thread per student). The students and
their sessions come from ``bench/load_sitting.py setup`` (bench/sitting_setup.py); the
attempts are started here, before the first round. See bench/run_ratio.sh.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sitting_setup import EMAIL, SESSIONS_FILE

WORDS = ["atom", "ядро", "энергия", "E=mc²", "және"]
BODY_BYTES = 800  # about what bench/load_sitting.py's saves weigh in the middle of a run
KEY_DIGITS = 32  # as long as a uuid4().hex, the exam page's and load_sitting.py's keys
NETWORK_ERRORS = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


def content_json() -> bytes:
    """The answer's content (a ProseMirror doc, as the exam page and load_sitting.py send
    it): as many words as make the whole body about BODY_BYTES."""
    words: list[str] = []
    while True:
        doc = {
            "type": "doc",
            "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": " ".join(words)}]}
            ],
        }
        encoded = json.dumps({"doc": doc}).encode()
        if len(encoded) + 80 >= BODY_BYTES:  # 80: base_version, key and the braces
            return encoded
        words.append(WORDS[len(words) % len(WORDS)])


@dataclass
class Student:
    number: int
    session: str
    csrf: str = field(default_factory=lambda: uuid.uuid4().hex)
    attempt: int = 0
    question: int = 0
    versions: dict[str, int] = field(default_factory=dict)  # per target
    saves: int = 0
    token: str = ""  # the sitting token (empty with --auth session)

    def headers(self, netloc: str) -> bytes:
        token = f"X-Attempt-Token: {self.token}\r\n" if self.token else ""
        return (
            f"Host: {netloc}\r\nCookie: sessionid={self.session}; csrftoken={self.csrf}\r\n"
            f"X-CSRFToken: {self.csrf}\r\n{token}Referer: http://{netloc}/\r\n"
        ).encode()


class Connection:
    """One keep-alive connection; ``exchange`` sends a request and reads its answer."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at >= 0:
            body = await self.reader.readexactly(int(head[at + 17 : head.index(b"\r\n", at + 2)]))
        elif b"\r\ntransfer-encoding: chunked" in lower:
            body = await self._chunked()
        else:
            body = await self.reader.read()
            self.close()
        if b"\r\nconnection: close" in lower:
            self.close()
        return status, body

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append((await self.reader.readexactly(size + 2))[:-2])
        while await self.reader.readuntil(b"\r\n") != b"\r\n":  # trailers
            pass
        return b"".join(parts)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Target:
    name: str
    url: str
    path: str  # format with the student's attempt and question
    server_pid: int | None

    @property
    def netloc(self) -> str:
        return urllib.parse.urlsplit(self.url).netloc


@dataclass
class Phase:
    target: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # seconds: server, postgres, generator
    machine_busy: float = 0.0  # share of all cores

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def line(self, cores: int) -> str:
        ordered = sorted(self.latencies) or [0.0]
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        done = max(len(self.latencies), 1)
        per = "  ".join(f"{k} {v / done * 1000:.2f}" for k, v in self.cpu.items())
        share = self.cpu["generator"] / (self.seconds * cores)
        codes = "".join(f" (HTTP {s or 'conn'} x{n})" for s, n in sorted(self.statuses.items()))
        return (
            f"{self.target:<8} {self.rate:8.1f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
            f"errors {self.errors}{codes}  CPU ms/req: {per}  generator {share:.1%} of the "
            f"machine  machine busy {self.machine_busy:.0%}"
        )


# --- CPU accounting from /proc -------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float]:
    """(parent pid, CPU seconds) of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def process_cpu(root: int | None, database: str) -> tuple[float, float]:
    """CPU seconds of the process tree under ``root`` and of PostgreSQL's backends serving
    ``database`` (their title is "postgres: [cluster:] user database host ...")."""
    stats: dict[int, tuple[int, float]] = {}
    postgres = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            pid = int(entry.name)
            stats[pid] = _stat(pid)
            if database:
                title = (entry / "cmdline").read_bytes().split(b"\0")[0].split()
                if title[:1] == [b"postgres:"] and database.encode() in title[1:4]:
                    postgres += stats[pid][1]
        except (OSError, IndexError, ValueError):
            continue
    tree = {root} if root else set()
    grew = True
    while grew:
        grew = False
        for pid, (ppid, _) in stats.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(stats[p][1] for p in tree if p in stats), postgres


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the run -------------------------------------------------------------------------------


class Generator:
    def __init__(self, students: list[Student], content: bytes, database: str) -> None:
        self.students = students
        self.content = content
        self.database = database

    def request(self, student: Student, target: Target, headers: bytes) -> bytes:
        student.saves += 1
        key = f"{student.number:04d}{student.saves:0{KEY_DIGITS - 4}d}"
        body = b'{"content":%s,"base_version":%d,"key":"%s"}' % (
            self.content,
            student.versions.get(target.name, 0),
            key.encode(),
        )
        path = target.path.format(attempt=student.attempt, question=student.question)
        return (
            b"PUT %s HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n"
            % (path.encode(), len(body), headers)
        ) + body

    async def start_attempts(self, target: Target, exam: int, *, token: bool = True) -> None:
        """Each student starts (or resumes) the exam: its attempt, written question,
        that answer's draft version and (with ``token``) a fresh sitting token."""
        host, port = _host_port(target.url)

        async def start(student: Student) -> None:
            body = json.dumps({"exam_id": exam}).encode()
            connection = Connection(host, port)
            status, data = await connection.exchange(
                b"POST /api/v1/attempts/start HTTP/1.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n%s\r\n%s"
                % (len(body), student.headers(target.netloc), body)
            )
            connection.close()
            if status != 200:
                raise SystemExit(f"start of student {student.number}: HTTP {status} {data[:200]!r}")
            state = json.loads(data)
            written = next(q for q in state["questions"] if q["kind"] == "written")
            student.attempt, student.question = state["id"], written["id"]
            student.versions[target.name] = written["answer"]["draft_version"]
            student.token = state["attempt_token"] if token else ""

        await asyncio.gather(*(start(s) for s in self.students))

    async def phase(self, target: Target, seconds: float, warmup: float) -> Phase:
        """Every student saves back to back for ``warmup + seconds``; the answers that
        arrive within the last ``seconds`` count."""
        result = Phase(target.name, seconds)
        host, port = _host_port(target.url)
        window = [float("inf"), float("inf")]
        stop = asyncio.Event()

        async def student_loop(student: Student) -> None:
            connection = Connection(host, port)
            headers = student.headers(target.netloc)
            try:
                while not stop.is_set():
                    request = self.request(student, target, headers)
                    began = time.perf_counter()
                    try:
                        status, data = await connection.exchange(request)
                    except NETWORK_ERRORS:
                        connection.close()
                        status, data = 0, b""
                        await asyncio.sleep(0.05)  # a server that is down: do not spin
                    ended = time.perf_counter()
                    counted = window[0] <= ended <= window[1]
                    if status == 200:
                        student.versions[target.name] = _version(data)
                        if counted:
                            result.latencies.append(ended - began)
                        continue
                    if status == 409:  # resume from the stored version, as the page does
                        student.versions[target.name] = _version(data, "current")
                    if counted:
                        result.errors += 1
                        result.statuses[status] = result.statuses.get(status, 0) + 1
            finally:
                connection.close()

        tasks = [asyncio.create_task(student_loop(s)) for s in self.students]
        await asyncio.sleep(warmup)
        before = self._cpu(target)
        window[0] = time.perf_counter()
        window[1] = window[0] + seconds
        await asyncio.sleep(seconds)
        after = self._cpu(target)
        stop.set()
        await asyncio.gather(*tasks)
        result.cpu = {k: after[k] - before[k] for k in ("server", "postgres", "generator")}
        result.machine_busy = (after["busy"] - before["busy"]) / max(
            after["total"] - before["total"], 1
        )
        return result

    def _cpu(self, target: Target) -> dict[str, float]:
        server, postgres = process_cpu(target.server_pid, self.database)
        busy, total = machine_ticks()
        return {
            "server": server,
            "postgres": postgres,
            "generator": own_cpu(),
            "busy": busy,
            "total": total,
        }


def _version(data: bytes, under: str = "") -> int:
    answer = json.loads(data)
    return int((answer[under] if under else answer)["draft_version"])


def _host_port(url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


async def main_async(args: argparse.Namespace) -> None:
    sessions = json.loads(SESSIONS_FILE.read_text())
    students = [
        Student(number=n, session=sessions[EMAIL.format(n)]) for n in range(1, args.concurrency + 1)
    ]
    content = content_json()
    emtihan = Target(
        "emtihan",
        args.emtihan,
        "/api/v1/attempts/{attempt}/answers/{question}/draft",
        args.emtihan_pid,
    )
    floor = Target("floor", args.floor, "/floor/{attempt}/{question}", args.floor_pid)
    generator = Generator(students, content, args.database)
    token = args.auth == "token"
    await generator.start_attempts(emtihan, args.exam, token=token)
    sample = generator.request(students[0], emtihan, students[0].headers(emtihan.netloc))
    students[0].saves = 0
    body = len(sample.split(b"\r\n\r\n", 1)[1])
    cores = os.cpu_count() or 1
    targets = {"emtihan": emtihan, "floor": floor}
    order = [targets[name] for name in args.only] if args.only else [emtihan, floor]
    print(
        f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}: "
        f"{len(students)} connections, closed loop, {args.seconds:g} s per phase after "
        f"{args.warmup:g} s of warm-up, {args.rounds} round(s) of {'/'.join(t.name for t in order)}; "
        f"body {body} bytes, request {len(sample)} bytes; emtihan authenticated by {args.auth}; "
        f"{cores} cores"
    )
    rounds: list[dict[str, Phase]] = []
    for number in range(1, args.rounds + 1):
        phases = {}
        for target in order:
            if target is emtihan and number > 1:  # fresh tokens (they live 5 minutes)
                await generator.start_attempts(emtihan, args.exam, token=token)
            phases[target.name] = await generator.phase(target, args.seconds, args.warmup)
            print(f"round {number}  {phases[target.name].line(cores)}", flush=True)
        rounds.append(phases)
    if args.only:
        return
    ratios = [r["emtihan"].rate / r["floor"].rate for r in rounds if r["floor"].rate]
    for number, (phases, ratio) in enumerate(zip(rounds, ratios, strict=False), 1):
        print(
            f"round {number}: emtihan {phases['emtihan'].rate:.1f} req/s, floor "
            f"{phases['floor'].rate:.1f} req/s, ratio {ratio:.3f}"
        )
    shares = [
        p.cpu["generator"] / (p.seconds * cores) for phases in rounds for p in phases.values()
    ]
    print(
        f"median ratio (emtihan / floor) of {len(ratios)} rounds: {statistics.median(ratios):.3f}; "
        f"generator CPU {min(shares):.1%}-{max(shares):.1%} of the machine"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--emtihan", default="http://127.0.0.1:8077", help="emtihan's URL")
    parser.add_argument("--floor", default="http://127.0.0.1:8078", help="floor_app's URL")
    parser.add_argument("--exam", type=int, required=True, help="the exam id printed by setup")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=3, help="uncounted seconds per phase")
    parser.add_argument("--concurrency", type=int, default=32, help="connections (students)")
    parser.add_argument("--emtihan-pid", type=int, help="emtihan's server (for its CPU)")
    parser.add_argument("--floor-pid", type=int, help="the floor's server (for its CPU)")
    parser.add_argument(
        "--database", default="", help="the bench database (its PostgreSQL backends' CPU)"
    )
    parser.add_argument(
        "--auth",
        choices=["token", "session"],
        default="token",
        help="emtihan's autosave with the sitting token (as the exam page) or the session only",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["emtihan", "floor"],
        help="load only these (e.g. to profile one); no ratio",
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
