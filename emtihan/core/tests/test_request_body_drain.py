"""RequestBodyDrainMiddleware: a body the view did not read is read before the response.

The unit tests check the middleware on a WSGI request; the last tests run the production
servers and show why it matters. Gunicorn's threaded worker with one thread: after a
request whose body arrived late and went unread, it must still answer others. Granian
(its HTTP layer in Rust never gives a Python thread an idle connection): after such a
request the connection must stay open for the next one, as a browser keeps it.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.test import RequestFactory

from emtihan.core.middleware import DRAIN_CHUNK_BYTES, RequestBodyDrainMiddleware

REPO = Path(__file__).resolve().parents[3]


def _request(body: bytes) -> tuple[WSGIRequest, io.BytesIO]:
    environ = RequestFactory()._base_environ(
        REQUEST_METHOD="POST",
        PATH_INFO="/api/v1/attempts/1/heartbeat",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(len(body)),
    )
    wsgi_input = io.BytesIO(body + b"GET /next HTTP/1.1\r\n")  # the next request's bytes
    environ["wsgi.input"] = wsgi_input
    return WSGIRequest(environ), wsgi_input


def test_it_reads_the_body_the_view_left():
    request, wsgi_input = _request(b"{}")
    response = RequestBodyDrainMiddleware(lambda request: HttpResponse("ok"))(request)
    assert response.content == b"ok"
    assert wsgi_input.tell() == 2


def test_it_reads_a_large_body_to_its_end_and_no_further():
    body = b"x" * (3 * DRAIN_CHUNK_BYTES + 5)
    request, wsgi_input = _request(body)
    RequestBodyDrainMiddleware(lambda request: HttpResponse(status=403))(request)
    assert wsgi_input.tell() == len(body)


def test_it_leaves_a_body_the_view_read_alone():
    request, wsgi_input = _request(b'{"a": 1}')

    def view(request):
        return HttpResponse(request.body)

    response = RequestBodyDrainMiddleware(view)(request)
    assert response.content == b'{"a": 1}'
    assert wsgi_input.tell() == len(b'{"a": 1}')


def test_it_reads_what_a_view_left_after_reading_part():
    request, wsgi_input = _request(b"0123456789")

    def view(request):
        assert request.read(4) == b"0123"
        return HttpResponse("ok")

    RequestBodyDrainMiddleware(view)(request)
    assert wsgi_input.tell() == 10


def test_it_is_the_outermost_middleware():
    from emtihan import settings as production  # the tests put their live-server gate first

    assert production.MIDDLEWARE[0] == "emtihan.core.middleware.RequestBodyDrainMiddleware"


# --- the production server shape -----------------------------------------------------------


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head


def _post_headers(length: int) -> bytes:
    return (
        "POST /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


@pytest.fixture
def gunicorn_one_thread(tmp_path):
    """gunicorn -k gthread with one worker of one thread, on a Unix socket."""
    address = tmp_path / "gunicorn.sock"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "emtihan.settings_test"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "emtihan.wsgi",
            "--bind",
            f"unix:{address}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "1",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "gunicorn exited"
            assert time.monotonic() < deadline, "gunicorn did not start within 60 s"
            try:
                probe = socket.socket(socket.AF_UNIX)
                probe.connect(str(address))
                # the worker answers only once Django is loaded
                probe.sendall(_post_headers(0))
                probe.settimeout(60)
                assert _read_response(probe).startswith(b"HTTP/1.1 403")
                probe.close()
                break
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.1)
        yield address
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_gunicorn_answers_others_after_an_unread_late_body(gunicorn_one_thread):
    # A: the headers, then the body in a later packet; the view (here the CSRF check,
    # which refuses the POST) never reads it. A stays open, as a browser keeps it.
    first = socket.socket(socket.AF_UNIX)
    first.connect(str(gunicorn_one_thread))
    first.settimeout(10)
    first.sendall(_post_headers(2))
    time.sleep(0.2)
    first.sendall(b"{}")
    assert _read_response(first).startswith(b"HTTP/1.1 403")
    time.sleep(0.3)

    # B: another student's request must be answered at once, not wait for A's next one.
    second = socket.socket(socket.AF_UNIX)
    second.connect(str(gunicorn_one_thread))
    second.settimeout(5)
    started = time.monotonic()
    second.sendall(_post_headers(2) + b"{}")
    try:
        head = _read_response(second)
    except TimeoutError:
        pytest.fail("the only thread was left blocked on the first connection")
    finally:
        first.close()
        second.close()
    assert head.startswith(b"HTTP/1.1 403")
    assert time.monotonic() - started < 5


@pytest.fixture
def granian_one_thread(tmp_path):
    """granian's WSGI interface with one worker of one blocking thread, on a Unix socket."""
    address = tmp_path / "granian.sock"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "emtihan.settings_test"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "emtihan.wsgi:application",
            "--uds",
            str(address),
            "--workers",
            "1",
            "--blocking-threads",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "granian exited"
            assert time.monotonic() < deadline, "granian did not start within 60 s"
            try:
                probe = socket.socket(socket.AF_UNIX)
                probe.connect(str(address))
                probe.sendall(_post_headers(0))
                probe.settimeout(60)
                assert _read_response(probe).startswith(b"HTTP/1.1 403")
                probe.close()
                break
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.1)
        yield address
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_granian_keeps_the_connection_after_an_unread_late_body(granian_one_thread):
    # The headers, then the body in a later packet; the CSRF check refuses the POST and
    # never reads it. Without the middleware granian answers at once and closes the
    # connection when the body comes: the page's next request would find it closed.
    conn = socket.socket(socket.AF_UNIX)
    conn.connect(str(granian_one_thread))
    conn.settimeout(10)
    try:
        conn.sendall(_post_headers(2))
        time.sleep(0.2)
        conn.sendall(b"{}")
        assert _read_response(conn).startswith(b"HTTP/1.1 403")
        time.sleep(0.3)
        conn.sendall(_post_headers(2) + b"{}")
        assert _read_response(conn).startswith(b"HTTP/1.1 403")
    finally:
        conn.close()
