"""Query-count baselines of the sitting's proctoring hot paths, through the API with a
logged-in session (the session and user reads count), with the database task backend
(the task row is part of the cost). A path that starts making more queries than
``query_baselines.json`` allows fails here; one that makes fewer should lower it.

What the counts are made of (docs/PROCTORING.md): every request the session
authenticates reads the session and the user (2; the ``*_token`` entries, authenticated by
the sitting token as the exam page sends them, read neither) and the proctoring session with its sitting and exam (1), then one
transaction (BEGIN, the conditional UPDATE of the session's counter, the row, the task
row, COMMIT: 5). The first upload of a sitting also links the session to it
(``*_first``). Transactional tests, so that ``atomic()`` costs what it costs in
production.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from emtihan.attempts import services as attempts
from emtihan.attempts.tokens import token_issue
from emtihan.exams.models import ProctoringLevel
from emtihan.proctoring import services
from emtihan.proctoring.models import ProctoringSession

from .conftest import make_exam
from .media import frame, upload, wav

API = "/api/v1/proctoring"
BASELINES = json.loads((Path(__file__).parent / "query_baselines.json").read_text())

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def measure(client, name: str, path: str, data, *, json_body: bool = False, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        if json_body:
            response = client.post(path, data, content_type="application/json", **headers)
        else:
            response = client.post(path, data, **headers)
    assert response.status_code == 202, response.content
    count = len(queries)
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    assert count <= BASELINES[name], f"{name}: {count} queries\n{sql}"
    return count


@override_settings(TASKS=DATABASE_TASKS)
def test_hot_paths_stay_within_their_baselines(client, world):
    exam = make_exam(
        world,
        proctoring=ProctoringLevel.RECORD,
        opens_at=timezone.now() - dt.timedelta(minutes=30),
    )
    paragraphs = services.consent_paragraphs(exam, "en")
    services.consent_give(
        student_user=world.student,
        exam_id=exam.pk,
        version=services.consent_version(paragraphs),
        language="en",
    )
    attempt = attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    client.force_login(world.student)
    image = upload(frame("obama_1"))
    now = timezone.now()

    def shot():
        image.seek(0)
        return {"taken_at": timezone.now().isoformat(), "file": image}

    snapshots = f"{API}/attempts/{attempt.pk}/snapshots"
    measure(client, "snapshot_first", snapshots, shot())
    ProctoringSession.objects.filter(exam=exam).update(
        last_snapshot_at=now - dt.timedelta(seconds=20)
    )
    measure(client, "snapshot", snapshots, shot())
    event = {"events": [{"kind": "offline", "at": now.isoformat(), "duration_ms": 40000}]}
    measure(client, "events", f"{API}/attempts/{attempt.pk}/events", event, json_body=True)
    clip = {"started_at": now.isoformat(), "file": SimpleUploadedFile("c.wav", wav())}
    measure(client, "clip", f"{API}/attempts/{attempt.pk}/clips", clip)

    # The same uploads as the exam page makes them: with the sitting token, which stands
    # in for the session's two reads (emtihan/attempts/tokens.py).
    token = {"HTTP_X_ATTEMPT_TOKEN": token_issue(attempt_id=attempt.pk, user=world.student)}
    ProctoringSession.objects.filter(exam=exam).update(
        last_snapshot_at=now - dt.timedelta(seconds=40)
    )
    measure(client, "snapshot_token", snapshots, shot(), **token)
    events_path = f"{API}/attempts/{attempt.pk}/events"
    measure(client, "events_token", events_path, event, json_body=True, **token)
