"""The proctoring side of bench/run_two_nodes.sh: snapshots posted through the proxy while
bench/load_sitting.py drives the sitting, and what the run left behind (requests per web
node from the proxy's log, jobs per RQ worker, the snapshots' analysis).

    python bench/two_nodes.py prepare --exam 1 --students 40     # the server's settings
    python bench/two_nodes.py snapshots --url http://127.0.0.1:8180 --exam 1 --students 40 \
        --every 20 --until 1733100000
    python bench/two_nodes.py report --access-log /tmp/.../access.log
    python bench/two_nodes.py memory --out peaks.txt web-a=PID web-b=PID ...

``prepare`` sets the exam to proctoring "record" (no gate at the start, so every simulated
student still starts) and records the consent of the first ``--students`` bench students.
``snapshots`` waits until each of them has started (load_sitting does that), then posts one
JPEG of a face (the real photos: shared/testdata/faces) every ``--every`` seconds, as the
exam page does, until ``--until`` (a Unix time); the web node that takes it stores it in
the shared media folder and enqueues its analysis in Redis. ``report`` reads the proxy's
access log (``$upstream_addr $status $request_time $request``), RQ's registry of workers
(while they run: a worker forgets its counts when it stops) and the database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import signal
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SESSIONS_FILE = Path(__file__).resolve().parent / ".sessions.json"


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emtihan.settings")
    import django

    django.setup()


def _emails(students: int) -> list[str]:
    return list(json.loads(SESSIONS_FILE.read_text()))[:students]


def prepare(exam_id: int, students: int) -> None:
    _django()
    from emtihan.accounts.models import User
    from emtihan.exams.models import Exam, ProctoringLevel
    from emtihan.proctoring import services

    Exam.objects.filter(pk=exam_id).update(
        proctoring=ProctoringLevel.RECORD, snapshot_interval_seconds=20
    )
    exam = Exam.objects.get(pk=exam_id)
    version = services.consent_version(services.consent_paragraphs(exam, "kk"))
    for user in User.objects.filter(email__in=_emails(students)):
        services.consent_give(student_user=user, exam_id=exam.pk, version=version, language="kk")
    print(f"exam {exam.pk}: proctoring record; {students} students agreed")


def _multipart(fields: dict[str, str], jpeg: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + jpeg
        + b"\r\n"
    )
    return f"multipart/form-data; boundary={boundary}", b"".join(
        parts
    ) + f"--{boundary}--\r\n".encode()


def snapshots(url: str, exam_id: int, students: int, every: float, until: float) -> None:
    _django()
    from django.db import connection as db

    from emtihan.attempts.models import Attempt
    from emtihan.proctoring.tests.media import frame
    from emtihan.vision.tests.photos import jpeg

    picture = jpeg(frame("obama_1"), 75)
    sessions = json.loads(SESSIONS_FILE.read_text())
    emails = _emails(students)
    base = urllib.parse.urlsplit(url)
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()

    def student(n: int, email: str) -> None:
        attempt = None
        while attempt is None and time.time() < until:
            attempt = (
                Attempt.objects.filter(exam_id=exam_id, student__user__email=email)
                .values_list("pk", flat=True)
                .first()
            )
            if attempt is None:
                time.sleep(2)
        db.close()  # this thread's database connection: not needed from here on
        if attempt is None:
            return
        csrf = uuid.uuid4().hex
        cookies = f"sessionid={sessions[email]}; csrftoken={csrf}"
        connection = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
        # spread the students over the interval, as real sittings start at different times
        time.sleep(every * n / max(1, len(emails)))
        while time.time() < until:
            taken = dt.datetime.now(dt.UTC).isoformat()
            kind, body = _multipart({"taken_at": taken}, picture)
            started = time.perf_counter()
            try:
                connection.request(
                    "POST",
                    f"/api/v1/proctoring/attempts/{attempt}/snapshots",
                    body,
                    {"Content-Type": kind, "Cookie": cookies, "X-CSRFToken": csrf},
                )
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
                status = 0
            with lock:
                statuses[status] += 1
                latencies.append(time.perf_counter() - started)
            time.sleep(every)

    threads = [threading.Thread(target=student, args=(n, e)) for n, e in enumerate(emails)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    p99 = (
        statistics.quantiles(latencies, n=100, method="inclusive")[98] * 1000
        if len(latencies) > 1
        else 0
    )
    print(
        f"snapshots posted: {sum(statuses.values())} by {students} students, statuses "
        f"{dict(sorted(statuses.items()))}, p99 {p99:.0f} ms"
    )


def report(access_log: Path) -> None:
    per_node: Counter[str] = Counter()
    snapshots_per_node: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for line in access_log.read_text().splitlines():
        # "$upstream_addr" lists every node tried, "a, b" when nginx retried on b
        upstream, status, _time, request = line.replace(", ", ",").split(" ", 3)
        per_node[upstream] += 1
        if "/snapshots" in request:
            snapshots_per_node[upstream] += 1
        if status.startswith("5") or upstream == "-":
            errors[f"{upstream} {status}"] += 1
    total = sum(per_node.values())
    for node, count in sorted(per_node.items()):
        print(
            f"web node {node}: {count} requests ({count / total:.1%}), "
            f"of them {snapshots_per_node[node]} snapshots"
        )
    print(f"proxy: {total} requests, 5xx or no upstream: {dict(errors) or 0}")

    _django()
    import django_rq
    from django.db.models import Count, F, Q
    from rq.worker import Worker

    from emtihan.proctoring.models import Snapshot

    connection = django_rq.get_connection("default")
    for worker in sorted(Worker.all(connection=connection), key=lambda w: w.name):
        print(
            f"rq worker {worker.name}: {worker.successful_job_count} jobs done, "
            f"{worker.failed_job_count} failed, {worker.total_working_time:.1f} s working"
        )
    queue = django_rq.get_queue("default")
    print(f"rq queue left: {queue.count} waiting, {queue.failed_job_registry.count} failed")
    counts = Snapshot.objects.aggregate(
        received=Count("pk"),
        analysed=Count("pk", filter=Q(analysed_at__isnull=False)),
        faces=Count("pk", filter=Q(faces=1)),
    )
    delays = sorted(
        (analysed - received).total_seconds()
        for received, analysed in Snapshot.objects.filter(analysed_at__isnull=False)
        .annotate(r=F("received_at"), a=F("analysed_at"))
        .values_list("r", "a")
    )
    delay = (
        f"received -> analysed p50 {statistics.median(delays):.2f} s, "
        f"p99 {statistics.quantiles(delays, n=100, method='inclusive')[98]:.2f} s, max {delays[-1]:.2f} s"
        if len(delays) > 1
        else "no delays"
    )
    print(
        f"snapshots: {counts['received']} received, {counts['analysed']} analysed "
        f"({counts['faces']} with one face); {delay}"
    )


def memory(out: Path, groups: list[str]) -> None:
    """Peak resident memory of each named process tree, sampled each second until SIGTERM."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from load_sitting import _rss_kb, _with_children

    pids = {name: int(pid) for name, pid in (g.split("=") for g in groups)}
    peaks = dict.fromkeys(pids, 0.0)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.wait(1.0):
        for name, pid in pids.items():
            rss = sum(_rss_kb(p) for p in _with_children([pid])) / 1024
            peaks[name] = max(peaks[name], rss)
    out.write_text(
        "peak RSS (MB, each process tree): "
        + ", ".join(f"{name} {mb:.0f}" for name, mb in peaks.items())
        + f"; all {sum(peaks.values()):.0f}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--exam", type=int, required=True)
    p.add_argument("--students", type=int, default=40)
    s = sub.add_parser("snapshots")
    s.add_argument("--url", required=True)
    s.add_argument("--exam", type=int, required=True)
    s.add_argument("--students", type=int, default=40)
    s.add_argument("--every", type=float, default=20)
    s.add_argument("--until", type=float, required=True, help="a Unix time")
    r = sub.add_parser("report")
    r.add_argument("--access-log", type=Path, required=True)
    m = sub.add_parser("memory")
    m.add_argument("--out", type=Path, required=True)
    m.add_argument("groups", nargs="+", help="NAME=PID")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.exam, args.students)
    elif args.command == "snapshots":
        snapshots(args.url, args.exam, args.students, args.every, args.until)
    elif args.command == "report":
        report(args.access_log)
    else:
        memory(args.out, args.groups)


if __name__ == "__main__":
    main()
