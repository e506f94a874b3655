"""The draft autosave's own Python CPU, in process: no server, no network, no generator.

Calls Django's WSGI handler (``emtihan.wsgi.application``, the whole middleware chain and
the view) directly with the request the exam page sends: ``PUT
/api/v1/attempts/<id>/answers/<q>/draft`` with the session cookie, the CSRF header and
the sitting token (``--auth session`` leaves the token out), each save on the version the
last one returned, against the PostgreSQL database of ``bench/load_sitting.py setup``.
After a warm-up it times ``--rounds`` rounds of ``--saves`` saves with
``time.process_time`` (this process's CPU: Python, psycopg, the JSON; not PostgreSQL's)
and prints the CPU per save of each round and the median; ``--profile`` prints cProfile's
40 most expensive functions of one more round instead.

What it is for: comparing two versions of the code on the same machine, one run after
the other (``PYTHONPATH`` names the checkout to import), without the server's threads
and the load generator between them. It says nothing about latency under load; that is
bench/ratio.py's and bench/load_async.py's job.

    STUDENTS=4 ... python bench/load_sitting.py setup --students 4   # the database, once
    PYTHONPATH=/path/to/checkout python bench/autosave_cpu.py --exam 1
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ratio import content_json  # noqa: E402
from sitting_setup import SESSIONS_FILE  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--exam", type=int, required=True)
    parser.add_argument("--saves", type=int, default=500, help="saves per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--auth", choices=["token", "session"], default="token")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application

    import emtihan

    application = get_wsgi_application()
    session = next(iter(json.loads(SESSIONS_FILE.read_text()).values()))
    csrf = uuid.uuid4().hex

    def call(method: str, path: str, body: bytes, token: str = "") -> tuple[str, bytes]:
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
            "CONTENT_TYPE": "application/json",
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

    status, data = call(
        "POST", "/api/v1/attempts/start", json.dumps({"exam_id": args.exam}).encode()
    )
    if not status.startswith("200"):
        raise SystemExit(f"start: {status} {data[:200]!r}")
    state = json.loads(data)
    written = next(q for q in state["questions"] if q["kind"] == "written")
    path = f"/api/v1/attempts/{state['id']}/answers/{written['id']}/draft"
    token = state["attempt_token"] if args.auth == "token" else ""
    content = content_json()
    version = written["answer"]["draft_version"]

    def save() -> None:
        nonlocal version
        body = b'{"content":%s,"base_version":%d,"key":"%s"}' % (
            content,
            version,
            uuid.uuid4().hex.encode(),
        )
        status, data = call("PUT", path, body, token)
        if not status.startswith("200"):
            raise SystemExit(f"save: {status} {data[:200]!r}")
        version = json.loads(data)["draft_version"]

    for _ in range(300):  # warm-up: caches, prepared statements, the layout
        save()
    print(f"{emtihan.__file__}: {args.auth}, {args.saves} saves a round")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.saves):
            save()
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(40)
        return
    per_save = []
    for number in range(1, args.rounds + 1):
        started = time.process_time()
        for _ in range(args.saves):
            save()
        per_save.append((time.process_time() - started) / args.saves * 1000)
        print(f"round {number}: {per_save[-1]:.3f} ms CPU a save")
    print(f"median {statistics.median(per_save):.3f} ms CPU a save (min {min(per_save):.3f})")


if __name__ == "__main__":
    main()
