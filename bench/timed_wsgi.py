"""emtihan's WSGI application with timing headers for the load benchmark.

Each response says, in wall-clock seconds of the server's machine:
``X-Bench-Accepted`` (gunicorn's worker accepted the connection; only on a connection's
first request), ``X-Bench-Queued`` (the worker saw the request arrive and queued it for
its threads), ``X-Bench-Picked`` (a thread took it), ``X-Bench-Received`` (the
application got it) and ``X-Bench-Done`` (the application produced the response headers).
The load generator, on the same machine and clock, then splits each request's time into
its steps (bench/load_sitting.py prints them for the slow requests).

With ``BENCH_TRACE=/tmp/trace`` each worker process also writes one line per request a
thread handled to ``/tmp/trace.<pid>``, including the time the thread spent before the
application got the request (reading it from the socket); bench/trace_report.py reads
them. That is what found the stalls of docs/BENCHMARKS.md ("Where the stalls came from").

    gunicorn -k gthread --pythonpath bench timed_wsgi:application ...   (bench/_server.sh: TIMED=1)

The first three come from wrapping three methods of gunicorn's threaded worker (gunicorn
23); with another worker class only the last two appear. For benchmarks only: it tells
anybody who asks the server's clock.
"""

from __future__ import annotations

import os
import threading
import time

from gunicorn.workers import gthread

from emtihan.wsgi import application as emtihan_application

TRACE = os.environ.get("BENCH_TRACE")

_current = threading.local()
_trace_file = None
_trace_lock = threading.Lock()
_tconn_init = gthread.TConn.__init__
_readable = gthread.ThreadWorker.on_client_socket_readable
_handle = gthread.ThreadWorker.handle


def _timed_tconn_init(self, *args, **kwargs):
    # the worker makes a TConn right after accept() returned the connection
    self.bench_accepted = time.time()
    _tconn_init(self, *args, **kwargs)


def _timed_readable(self, conn, client):
    conn.bench_queued = time.time()
    return _readable(self, conn, client)


def _timed_handle(self, conn):
    _current.conn = conn
    conn.bench_picked = time.time()
    try:
        return _handle(self, conn)
    finally:
        _current.conn = None
        if TRACE:
            _trace(conn)


def _trace(conn) -> None:
    """queued picked received done ended (wall clock), fd, request number, path."""
    global _trace_file
    with _trace_lock:
        if _trace_file is None:
            _trace_file = open(f"{TRACE}.{os.getpid()}", "a", buffering=1)  # noqa: SIM115
        stamps = (
            getattr(conn, "bench_queued", 0.0),
            conn.bench_picked,
            conn.__dict__.pop("bench_received", 0.0),
            conn.__dict__.pop("bench_done", 0.0),
            time.time(),
        )
        _trace_file.write(
            " ".join(f"{s:.6f}" for s in stamps)
            + f" {conn.sock.fileno()} {getattr(conn, 'bench_requests', 0)}"
            + f" {conn.__dict__.pop('bench_path', '-')}\n"
        )


gthread.TConn.__init__ = _timed_tconn_init
gthread.ThreadWorker.on_client_socket_readable = _timed_readable
gthread.ThreadWorker.handle = _timed_handle


def application(environ, start_response):
    received = time.time()
    conn = getattr(_current, "conn", None)
    if conn is not None:
        conn.bench_received = received
        conn.bench_requests = getattr(conn, "bench_requests", 0) + 1
        conn.bench_path = environ.get("PATH_INFO", "-")

    def timed_start_response(status, headers, exc_info=None):
        done = time.time()
        if conn is not None:
            conn.bench_done = done
            accepted = conn.__dict__.pop("bench_accepted", None)
            if accepted is not None:
                headers.append(("X-Bench-Accepted", f"{accepted:.6f}"))
            headers.append(("X-Bench-Queued", f"{conn.bench_queued:.6f}"))
            headers.append(("X-Bench-Picked", f"{conn.bench_picked:.6f}"))
        headers.append(("X-Bench-Received", f"{received:.6f}"))
        headers.append(("X-Bench-Done", f"{done:.6f}"))
        return start_response(status, headers, exc_info)

    return emtihan_application(environ, timed_start_response)
