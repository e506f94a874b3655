"""Where gunicorn's threads spent their time: reads the traces of bench/timed_wsgi.py.

    TIMED=1 BENCH_TRACE=/tmp/trace bench/run_sitting.sh 1000 60 30
    python bench/trace_report.py /tmp/trace

For every request a thread held longer than ``--slow`` seconds it splits the time into
reading the request from the socket, the application, and writing the response, and it
names the request handled just before on the same connection. A thread that waits long
in "reading" was given a connection whose next request had not been sent yet.
"""

from __future__ import annotations

import argparse
import glob
import statistics
from collections import Counter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prefix", help="BENCH_TRACE's value: reads PREFIX.<pid>")
    parser.add_argument("--slow", type=float, default=0.5, help="seconds (default 0.5)")
    args = parser.parse_args()

    rows = []
    for path in glob.glob(f"{args.prefix}.*"):
        pid = path.rsplit(".", 1)[1]
        with open(path) as lines:
            for line in lines:
                _queued, picked, received, done, ended, fd, _number, url = line.split()
                rows.append(
                    {
                        "conn": (pid, fd),
                        "picked": float(picked),
                        "received": float(received),
                        "done": float(done),
                        "ended": float(ended),
                        "kind": url.rstrip("/").rsplit("/", 1)[-1],
                    }
                )
    rows.sort(key=lambda row: row["picked"])
    if not rows:
        raise SystemExit(f"no traces at {args.prefix}.*")

    previous: dict[tuple[str, str], dict] = {}
    slow, before = [], Counter()
    for row in rows:
        if not row["received"]:
            # the thread read until the client closed (or sent garbage): no request came
            row["received"] = row["done"] = row["ended"]
            row["kind"] = "(no request)"
        if row["ended"] - row["picked"] > args.slow:
            slow.append(row)
            last = previous.get(row["conn"])
            before[last["kind"] if last else "(first on its connection)"] += 1
        previous[row["conn"]] = row

    print(f"{len(rows)} requests handled; {len(slow)} held a thread over {args.slow:.1f} s")
    if not slow:
        return
    for label, since, until in (
        ("reading the request", "picked", "received"),
        ("in the application", "received", "done"),
        ("writing the response", "done", "ended"),
    ):
        part = sorted(row[until] - row[since] for row in slow)
        print(f"  {label:<22} median {statistics.median(part):7.3f} s, max {part[-1]:7.3f} s")
    unanswered = sum(row["kind"] == "(no request)" for row in slow)
    if unanswered:
        print(f"  of these, {unanswered} read until the connection closed: no request came")
    print(
        "  the request before on the same connection: "
        + ", ".join(f"{kind} {count}" for kind, count in before.most_common())
    )


if __name__ == "__main__":
    main()
