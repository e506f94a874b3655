"""The live server's gate: no request of a browser test still running when its database
is flushed.

A browser test ends while its pages may still have requests in the live server's threads
(a heartbeat, a snapshot upload). pytest-django then flushes the database of the
transactional test; on PostgreSQL the flush's TRUNCATE and a request's transaction can
deadlock, the flush fails, and the next test starts on the rows this one left (seen in
CI under load as a "duplicate key" at the next test's set-up). So the test settings put
``LiveServerGate`` outermost in MIDDLEWARE: it counts the requests in flight, and from
the moment a test that uses the live server starts its teardown (``close_and_drain``,
called by emtihan/conftest.py's ``pytest_runtest_teardown``) it answers new ones 503
without touching the database and waits for those in flight to finish. The next test's
set-up opens it again.
"""

from __future__ import annotations

import threading
import time

from django.http import HttpResponse

_lock = threading.Condition()
_state = {"in_flight": 0, "open": True}


class LiveServerGate:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with _lock:
            if not _state["open"]:
                return HttpResponse("the test is over", status=503)
            _state["in_flight"] += 1
        try:
            return self.get_response(request)
        finally:
            with _lock:
                _state["in_flight"] -= 1
                _lock.notify_all()


def open_gate() -> None:
    with _lock:
        _state["open"] = True


def close_and_drain(timeout: float = 30.0) -> int:
    """Refuse new requests and wait (at most ``timeout`` seconds) for those in flight;
    returns how many were still running at the end (0 normally)."""
    deadline = time.monotonic() + timeout
    with _lock:
        _state["open"] = False
        while _state["in_flight"] and time.monotonic() < deadline:
            _lock.wait(timeout=max(0.0, deadline - time.monotonic()))
        return int(_state["in_flight"])
