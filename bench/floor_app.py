"""The floor of the autosave (issue 12's "Ratio"): the least a Python endpoint can do for
one draft save, to measure emtihan's own cost against (bench/ratio.py, bench/run_ratio.sh).

``PUT /floor/<attempt>/<question>`` with the body of emtihan's draft autosave
(``{"content": ..., "base_version": n, "key": "..."}``): parse the JSON, then one
``INSERT ... ON CONFLICT (attempt, question) DO UPDATE`` of the content into its own table
through a psycopg connection pool (autocommit: one round trip), and answer a small JSON
with the new version, as emtihan's autosave does. No framework, no session, no checks:
what is left is the HTTP server, the JSON and one write, served by the same server with
the same workers and threads as emtihan (``serve_wsgi`` in bench/_server.sh).

    python bench/floor_app.py create     # its table, in DATABASE_URL's database
    serve_wsgi 8078 floor_app:application   # (bench/_server.sh)

Environment: DATABASE_URL (postgres://...), FLOOR_POOL (connections per process; default
THREADS, else 8: one per thread, as emtihan's persistent connections).
"""

from __future__ import annotations

import json
import os
import sys
import threading

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

TABLE = """
CREATE TABLE IF NOT EXISTS floor_draft (
    attempt bigint NOT NULL,
    question bigint NOT NULL,
    content jsonb NOT NULL,
    version integer NOT NULL,
    request_key varchar(64) NOT NULL,
    saved_at timestamptz NOT NULL,
    PRIMARY KEY (attempt, question)
)
"""
UPSERT = """
INSERT INTO floor_draft AS d (attempt, question, content, version, request_key, saved_at)
VALUES (%s, %s, %s, 1, %s, now())
ON CONFLICT (attempt, question) DO UPDATE
SET content = EXCLUDED.content, version = d.version + 1,
    request_key = EXCLUDED.request_key, saved_at = EXCLUDED.saved_at
RETURNING version, saved_at
"""

_pool: ConnectionPool | None = None
_pool_lock = threading.Lock()


def _conninfo() -> str:
    return os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)


def pool() -> ConnectionPool:
    """The process's pool, opened on first use (after the server has forked its workers)."""
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                size = int(os.environ.get("FLOOR_POOL") or os.environ.get("THREADS") or 8)
                _pool = ConnectionPool(
                    _conninfo(),
                    min_size=size,
                    max_size=size,
                    kwargs={"autocommit": True},
                    open=True,
                )
    return _pool


def _answer(start_response, status: str, payload: dict) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def application(environ, start_response):
    parts = environ.get("PATH_INFO", "").split("/")  # "", "floor", attempt, question
    if environ["REQUEST_METHOD"] != "PUT" or len(parts) != 4 or parts[1] != "floor":
        return _answer(start_response, "404 Not Found", {"detail": "not found"})
    try:
        attempt, question = int(parts[2]), int(parts[3])
        length = int(environ.get("CONTENT_LENGTH") or 0)
        data = json.loads(environ["wsgi.input"].read(length))
        content, key = data["content"], str(data["key"])
        int(data["base_version"])
    except (ValueError, KeyError, TypeError):
        return _answer(start_response, "400 Bad Request", {"detail": "bad request"})
    with pool().connection() as conn:
        version, saved_at = conn.execute(
            UPSERT, (attempt, question, Jsonb(content), key)
        ).fetchone()
    saved = saved_at.isoformat()
    return _answer(
        start_response,
        "200 OK",
        {"draft_version": version, "saved_at": saved, "server_time": saved},
    )


def create_table() -> None:
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        conn.execute(TABLE)
        conn.execute("TRUNCATE floor_draft")


if __name__ == "__main__":
    if sys.argv[1:] != ["create"]:
        sys.exit(__doc__)
    create_table()
