"""Audit appends from concurrent writers: all on one exam's chain (one head row, as the
whole log was before it had a chain per exam) against spread over several exams' chains.

Each writer appends in its own transaction, as a send or a start does at its end (the
audit entry is their last write): lock the head, insert the entry, move the head, commit.
Rounds of the two layouts alternate, so the machine's other work falls on both alike.
Runs against the database of DATABASE_URL (migrated here; the log is appended to):

    createdb -h 127.0.0.1 -U postgres emtihan_bench_audit
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/emtihan_bench_audit \
      flock /tmp/emtihan-bench.lock .venv/bin/python bench/audit_chains.py
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emtihan.settings")
# emtihan refuses to start with DEBUG off and no key of its own: a fresh one per run.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--appends", type=int, default=100, help="per writer and round")
    parser.add_argument("--rounds", type=int, default=3, help="of each layout")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from emtihan.audit.services import audit_record, audit_verify
    from emtihan.exams.models import Exam

    call_command("migrate", verbosity=0)
    # Exams far from any real one; the log needs only their pk to name their chains.
    exams = [Exam(pk=900_000 + n) for n in range(args.writers)]
    for exam in exams:
        audit_record(actor=None, action="bench.open", obj=exam)

    def round_of(layout: str) -> tuple[float, list[float]]:
        latencies: list[float] = []
        lock = threading.Lock()
        start = threading.Barrier(args.writers)

        def writer(n: int) -> None:
            exam = exams[0] if layout == "one chain" else exams[n]
            mine = []
            start.wait()
            for i in range(args.appends):
                began = time.perf_counter()
                with transaction.atomic():
                    audit_record(actor=None, action="bench.append", obj=exam, data={"i": i})
                mine.append(time.perf_counter() - began)
            connection.close()
            with lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(args.writers)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - began, latencies

    results: dict[str, list[tuple[float, list[float]]]] = {"one chain": [], "a chain each": []}
    for _ in range(args.rounds):
        for layout in results:
            results[layout].append(round_of(layout))
    total = args.writers * args.appends
    print(f"{args.writers} writers x {args.appends} appends, {args.rounds} rounds of each")
    for layout, rounds in results.items():
        rates = [total / wall for wall, _l in rounds]
        lat = sorted(x for _w, ls in rounds for x in ls)
        p50, p95 = lat[len(lat) // 2], lat[int(len(lat) * 0.95)]
        print(
            f"{layout:13} appends/s per round {', '.join(f'{r:.0f}' for r in rates)}"
            f" (median {statistics.median(rates):.0f}); per append p50 {p50 * 1000:.2f} ms,"
            f" p95 {p95 * 1000:.2f} ms"
        )
    report = audit_verify()
    print(
        f"the log verifies: {report.ok} ({report.checked} entries in {len(report.chains)} chains)"
    )


if __name__ == "__main__":
    main()
