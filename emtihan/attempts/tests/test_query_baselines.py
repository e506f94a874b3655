"""Query-count baselines of the exam page's hot paths, through the API with a logged-in
session (the session and user reads count). A path that starts making more queries than
``query_baselines.json`` allows fails here; a path that makes fewer should lower it.

Transactional tests, so that ``atomic()`` costs what it costs in production (BEGIN and
COMMIT, which Django logs as queries on SQLite and PostgreSQL alike, instead of the
savepoints of a test-case transaction). The counts are the same on both databases.

What the counts are made of (docs/EXAM-SITTING.md, "Hot paths"): every request that the
session authenticates reads the session and the user (2); the answer writes the exam page
makes with its sitting token (the ``*_token`` entries) read neither (a send still reads
the user's e-mail, for its audit entry's actor label). A draft save then makes one conditional UPDATE that checks the
attempt in the same statement (3; the first save of an attempt in a process reads the
attempt and its layout instead), plus the attempt's read and the presence write at most
every 20 s (5). A send locks the answer,
inserts the version, updates the answer and appends the audit entry (the audit's own
savepoint and head-row lock) in one transaction. The exam's audit chain is opened before
measuring, as creating the exam through ``exams.services`` does in production, so
``start_first`` appends to its exam's chain like every other start (the head-row lock,
the entry, the head's move); opening a chain costs 5 more queries, once per exam.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from emtihan.attempts.models import Attempt
from emtihan.attempts.tests.conftest import doc
from emtihan.audit.services import audit_record
from emtihan.exams.models import QuestionKind

API = "/api/v1/attempts"
BASELINES = json.loads((Path(__file__).parent / "query_baselines.json").read_text())

pytestmark = pytest.mark.django_db(transaction=True)


class Meter:
    def __init__(self, client):
        self.client = client

    def __call__(self, name: str, method: str, path: str, data=None, **headers):
        with CaptureQueriesContext(connection) as queries:
            response = getattr(self.client, method)(
                path, data or {}, content_type="application/json", **headers
            )
        assert response.status_code == 200, response.content
        count = len(queries)
        sql = "\n".join(q["sql"] for q in queries.captured_queries)
        assert count <= BASELINES[name], f"{name}: {count} queries\n{sql}"
        return response, count


@pytest.fixture
def meter(client, world):
    client.force_login(world.student)
    return Meter(client)


def seen_ago(attempt_id: int, seconds: int) -> None:
    Attempt.objects.filter(pk=attempt_id).update(
        last_seen_at=timezone.now() - dt.timedelta(seconds=seconds)
    )


def test_hot_paths_stay_within_their_baselines(meter, live_exam):
    audit_record(actor=None, action="exams.create", obj=live_exam)
    response, _count = meter("start_first", "post", f"{API}/start", {"exam_id": live_exam.pk})
    state = response.json()
    meter("start_repeat", "post", f"{API}/start", {"exam_id": live_exam.pk})
    meter("state", "get", f"{API}/{state['id']}")

    written = next(q["id"] for q in state["questions"] if q["kind"] == QuestionKind.WRITTEN)
    url = f"{API}/{state['id']}/answers/{written}"

    def body(version, key):
        return {"content": doc(f"v{version}"), "base_version": version, "key": key}

    meter("draft_save_first", "put", f"{url}/draft", body(0, "k0"))
    meter("draft_save", "put", f"{url}/draft", body(1, "k1"))
    seen_ago(state["id"], 25)
    meter("draft_save_with_presence", "put", f"{url}/draft", body(2, "k2"))
    meter("draft_save_retry", "put", f"{url}/draft", body(2, "k2"))
    meter("send", "post", f"{url}/send", body(3, "s3"))
    seen_ago(state["id"], 30)
    meter("heartbeat", "post", f"{API}/{state['id']}/heartbeat")
    meter("heartbeat_recent", "post", f"{API}/{state['id']}/heartbeat")

    # The same writes as the exam page makes them: with the sitting token, which stands
    # in for the session's two reads (attempts/tokens.py).
    token = {"HTTP_X_ATTEMPT_TOKEN": state["attempt_token"]}
    meter("draft_save_token", "put", f"{url}/draft", body(4, "k4"), **token)
    seen_ago(state["id"], 25)
    meter("draft_save_token_with_presence", "put", f"{url}/draft", body(5, "k5"), **token)
    meter("send_token", "post", f"{url}/send", body(6, "s6"), **token)
    # the heartbeat with a young token: the attempt's read, and its presence write when due
    seen_ago(state["id"], 30)
    meter("heartbeat_token_with_presence", "post", f"{API}/{state['id']}/heartbeat", **token)
    meter("heartbeat_token", "post", f"{API}/{state['id']}/heartbeat", **token)
