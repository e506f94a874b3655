"""Time on the server per request, from gunicorn's access log (bench/_server.sh with
ACCESS_LOG=file): p50/p99 per endpoint, and p99 per 10-second window. Set beside the load
generator's own figures, it tells the server's share of a latency from the client's
(connection set-up, queueing in the listen backlog, the generator's own threads).

    python bench/server_latency.py /tmp/access.log
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

LINE = re.compile(r"^\[([^\]]+)\] (\w+) (\S+) (\d{3}) (\d+)$")
ENDPOINT = re.compile(r"/api/v1/attempts/(?:start|\d+/(heartbeat|answers/\d+/(draft|send)))$")


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main(path: str) -> None:
    per_endpoint: dict[str, list[float]] = defaultdict(list)
    windows: dict[int, list[float]] = defaultdict(list)
    first = None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        e = ENDPOINT.search(m.group(3))
        if not e:
            continue
        name = e.group(2) or e.group(1) or "start"
        at = datetime.strptime(m.group(1), "%d/%b/%Y:%H:%M:%S %z").timestamp()
        first = first if first is not None else at
        ms = int(m.group(5)) / 1000
        per_endpoint[name].append(ms)
        windows[int((at - first) // 10)].append(ms)
    print(f"{'endpoint':<12} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}  (time on the server)")
    for name, values in sorted(per_endpoint.items()):
        print(f"{name:<12} {len(values):>9} {p(values, 0.5):>8.1f} {p(values, 0.99):>8.1f}")
    cells = " ".join(f"{n * 10}s:{len(v)}/{p(v, 0.99):.0f}" for n, v in sorted(windows.items()))
    print(f"per 10 s on the server (requests/p99 ms): {cells}")


if __name__ == "__main__":
    main(sys.argv[1])
