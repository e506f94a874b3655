"""The sitting's requests' own Python CPU, in process: no server, no network, no generator.

Calls Django's WSGI handler (``emtihan.wsgi.application``, the whole middleware chain and
the view) directly with the requests the exam page sends, against the PostgreSQL database
of ``bench/load_sitting.py setup``, for each kind of ``--kinds``:

- ``draft``: ``PUT /api/v1/attempts/<id>/answers/<q>/draft`` with the sitting token
  (``--auth session`` leaves it out), each save on the version the last one returned;
- ``send``: ``POST .../answers/<q>/send`` the same way;
- ``heartbeat``: ``POST /api/v1/attempts/<id>/heartbeat`` with the token, keeping the
  token it answers with, as the page does (a token younger than
  ``ATTEMPT_TOKEN_RENEW_SECONDS`` authenticates it; an older one's heartbeat goes by the
  session and renews it, so here, with heartbeats far more often than every 30 s, nearly
  all go by the token; with ``--auth session`` all go by the session);
- ``snapshot``: ``POST /api/v1/proctoring/attempts/<id>/snapshots``, a ~40 KB JPEG of a
  real face in the multipart body the page posts (``bench/load_async.py``). The exam is
  set to proctoring "record" with the student's consent first (``load_async.prepare``);
  the snapshots go to a temporary ``MEDIA_ROOT``. Two checks are switched off in this
  process only, because requests come faster here than a sitting allows: the minimum
  gap between two snapshots and the allowance per sitting (two comparisons of values
  the request reads anyway).

All requests carry the session cookie and the CSRF header. After a warm-up it times
``--rounds`` rounds; each round times ``--requests`` requests of each kind in turn (the
kinds interleaved, so a busy moment of the machine falls on all of them) with
``time.process_time`` (this process's CPU: Python, psycopg, the JSON, the file writes'
system time; not PostgreSQL's) and prints the CPU per request of each kind and round, then
the medians; ``--profile KIND`` prints cProfile's most expensive functions of one more
round of that kind instead (``PROFILE_SORT``: pstats' order, default ``tottime``;
``PROFILE_LINES``: how many, default 40).

What it is for: comparing two versions of the code on the same machine, one run after
the other (``PYTHONPATH`` names the checkout to import), without the server's threads
and the load generator between them. It says nothing about latency under load; that is
bench/ratio.py's and bench/load_async.py's job.

    STUDENTS=4 ... python bench/load_sitting.py setup --students 4   # the database, once
    PYTHONPATH=/path/to/checkout python bench/request_cpu.py --exam 1
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ratio import content_json  # noqa: E402
from sitting_setup import SESSIONS_FILE  # noqa: E402

KINDS = ("draft", "send", "heartbeat", "snapshot")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--exam", type=int, required=True)
    parser.add_argument("--kinds", default="draft,heartbeat,snapshot", help=",".join(KINDS))
    parser.add_argument("--requests", type=int, default=300, help="requests of a kind a round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--auth", choices=["token", "session"], default="token")
    parser.add_argument("--profile", choices=KINDS)
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    if args.profile and args.profile not in kinds:
        kinds.append(args.profile)

    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="emtihan-request-cpu-")
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application

    import emtihan

    application = get_wsgi_application()
    session = next(iter(json.loads(SESSIONS_FILE.read_text()).values()))
    csrf = uuid.uuid4().hex

    def call(
        method: str, path: str, body: bytes, token: str = "", kind: str = "application/json"
    ) -> tuple[str, bytes]:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8077",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8077",
            "HTTP_COOKIE": f"sessionid={session}; csrftoken={csrf}",
            "HTTP_X_CSRFTOKEN": csrf,
            "HTTP_REFERER": "http://127.0.0.1:8077/",
            "HTTP_ACCEPT_LANGUAGE": "ru-RU,ru;q=0.9,en;q=0.8",
            "CONTENT_TYPE": kind,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
        }
        if token:
            environ["HTTP_X_ATTEMPT_TOKEN"] = token
        status: list[str] = []
        chunks = application(environ, lambda s, headers, exc_info=None: status.append(s))
        return status[0], b"".join(chunks)

    def expect(what: str, answer: tuple[str, bytes], code: str) -> bytes:
        status, data = answer
        if not status.startswith(code):
            raise SystemExit(f"{what}: {status} {data[:300]!r}")
        return data

    if "snapshot" in kinds:
        from load_async import multipart, prepare, snapshot_jpeg

        from emtihan.proctoring.services import uploads

        prepare(args.exam, 1)
        uploads._wait = lambda *a: None  # type: ignore[assignment]  # see the docstring
        uploads.snapshot_allowance = lambda *a: 10**9  # type: ignore[assignment]
        jpeg = snapshot_jpeg(40)

    state = json.loads(
        expect(
            "start",
            call("POST", "/api/v1/attempts/start", json.dumps({"exam_id": args.exam}).encode()),
            "200",
        )
    )
    attempt = state["id"]
    written = next(q for q in state["questions"] if q["kind"] == "written")
    answer = f"/api/v1/attempts/{attempt}/answers/{written['id']}"
    token = state["attempt_token"] if args.auth == "token" else ""
    content = content_json()
    version = written["answer"]["draft_version"]

    def write(kind: str) -> Callable[[], None]:
        def one() -> None:
            nonlocal version
            body = b'{"content":%s,"base_version":%d,"key":"%s"}' % (
                content,
                version,
                uuid.uuid4().hex.encode(),
            )
            method = "PUT" if kind == "draft" else "POST"
            data = json.loads(expect(kind, call(method, f"{answer}/{kind}", body, token), "200"))
            version = data["draft_version"]

        return one

    def heartbeat() -> None:
        nonlocal token
        path = f"/api/v1/attempts/{attempt}/heartbeat"
        data = json.loads(expect("heartbeat", call("POST", path, b"{}", token), "200"))
        if token:  # as the page does: the token to use from now on
            token = data["attempt_token"]

    def snapshot() -> None:
        taken_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        body, kind = multipart(jpeg, taken_at)
        path = f"/api/v1/proctoring/attempts/{attempt}/snapshots"
        expect("snapshot", call("POST", path, body, token, kind), "202")

    requests = {"draft": write("draft"), "send": write("send"), "heartbeat": heartbeat}
    if "snapshot" in kinds:
        requests["snapshot"] = snapshot

    for kind in kinds:  # warm-up: caches, prepared statements, the layout
        for _ in range(100):
            requests[kind]()
    print(f"{emtihan.__file__}: {args.auth}, {args.requests} requests of each kind a round")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            requests[args.profile]()
        profile.disable()
        pstats.Stats(profile).sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(
            int(os.environ.get("PROFILE_LINES", "40"))
        )
        return
    per_request: dict[str, list[float]] = {kind: [] for kind in kinds}
    for number in range(1, args.rounds + 1):
        for kind in kinds:
            started = time.process_time()
            for _ in range(args.requests):
                requests[kind]()
            per_request[kind].append((time.process_time() - started) / args.requests * 1000)
        print(
            f"round {number}: "
            + ", ".join(f"{kind} {per_request[kind][-1]:.3f}" for kind in kinds)
            + " ms CPU a request"
        )
    print(
        "median: "
        + ", ".join(
            f"{kind} {statistics.median(v):.3f} (min {min(v):.3f})"
            for kind, v in per_request.items()
        )
        + " ms CPU a request"
    )


if __name__ == "__main__":
    main()
