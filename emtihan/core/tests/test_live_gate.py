"""The live server's gate (live_gate.py): requests in flight finish before a browser
test's teardown goes on, and new ones are refused meanwhile."""

from __future__ import annotations

import threading
import time

from django.http import HttpResponse
from django.test import RequestFactory

from emtihan.core.tests import live_gate


def test_the_gate_waits_for_a_request_in_flight_and_refuses_new_ones():
    started, release = threading.Event(), threading.Event()

    def slow_view(request):
        started.set()
        release.wait(5)
        return HttpResponse("done")

    gate = live_gate.LiveServerGate(slow_view)
    answers: list[int] = []
    worker = threading.Thread(
        target=lambda: answers.append(gate(RequestFactory().get("/")).status_code)
    )
    worker.start()
    assert started.wait(5)

    threading.Timer(0.3, release.set).start()
    began = time.monotonic()
    left = live_gate.close_and_drain(timeout=5)
    waited = time.monotonic() - began
    try:
        refused = gate(RequestFactory().get("/")).status_code
    finally:
        live_gate.open_gate()
    worker.join(5)

    assert (left, answers, refused) == (0, [200], 503)
    assert waited >= 0.2  # it waited for the slow request to finish
    assert gate(RequestFactory().get("/")).status_code == 200  # open again


def test_a_drain_gives_up_after_its_timeout():
    release = threading.Event()
    gate = live_gate.LiveServerGate(lambda request: release.wait(5) and HttpResponse("late"))
    worker = threading.Thread(target=lambda: gate(RequestFactory().get("/")))
    worker.start()
    time.sleep(0.1)
    try:
        assert live_gate.close_and_drain(timeout=0.2) == 1
    finally:
        release.set()
        worker.join(5)
        live_gate.open_gate()
