"""TASKS_BACKEND=rq: a snapshot's analysis goes through Redis to an RQ worker in another
process (``rqworker --burst``, the command of docs/OPERATIONS.md), which reads the same
database and media, analyses it and keeps the result where ``get_result`` reads it.

These run against a real Redis (``TEST_REDIS_URL``, default database 15 on 127.0.0.1),
on queue keys of their own (a prefix per test), so nothing another run left in Redis is
picked up. Without Redis they are skipped here; with CI=true they fail instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django_rq.queues import DjangoRQ
from django_tasks.base import TaskResultStatus

from emtihan.conftest import TEST_REDIS_URL, require_redis
from emtihan.proctoring.models import Snapshot
from emtihan.proctoring.tasks import analyse_snapshot, purge_expired

from .conftest import NOW
from .media import frame, upload

REPO = Path(__file__).resolve().parents[3]
BACKEND = "emtihan.core.tasks_rq.CommitRQBackend"

# The worker: the real command, on the test's own queue keys.
WORKER = """
import os, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django_rq.queues import DjangoRQ
from django_tasks.base import TaskResultStatus

class TestQueue(DjangoRQ):
    redis_queue_namespace_prefix = os.environ["TEST_RQ_PREFIX"]

settings.RQ = {**settings.RQ, "QUEUE_CLASS": TestQueue}
call_command("rqworker", "default", "--burst", verbosity=0)
"""


@pytest.fixture
def rq_queue(settings):
    """The rq backend on this test's own queue keys; returns the queue."""
    import django_rq

    require_redis()
    prefix = f"rq:queue:emtihan-test-{uuid.uuid4().hex}:"
    queue_class = type("TestQueue", (DjangoRQ,), {"redis_queue_namespace_prefix": prefix})
    settings.TASKS = {"default": {"BACKEND": BACKEND}}
    settings.RQ_QUEUES = {"default": {"URL": TEST_REDIS_URL, "DEFAULT_RESULT_TTL": 300}}
    settings.RQ = {"JOB_CLASS": "django_tasks_rq.Job", "QUEUE_CLASS": queue_class}
    queue = django_rq.get_queue("default")
    yield queue
    queue.empty()


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _burst_worker(queue) -> None:
    """Run ``rqworker default --burst`` in another process on this database and media."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_KEY_PREFIX"}},
        "DJANGO_SETTINGS_MODULE": "emtihan.settings",
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "TASKS_BACKEND": "rq",
        "TASKS_REDIS_URL": TEST_REDIS_URL,
        "TEST_RQ_PREFIX": queue.redis_queue_namespace_prefix,
    }
    done = subprocess.run(
        [sys.executable, "-c", WORKER], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.django_db(transaction=True)
def test_a_worker_in_another_process_analyses_an_uploaded_snapshot(
    world, recorded_sitting, rq_queue
):
    from emtihan.proctoring import services

    _exam, attempt = recorded_sitting
    with transaction.atomic():
        shot = services.snapshot_upload(
            student_user=world.student,
            attempt_id=attempt.pk,
            file=upload(frame("obama_1")),
            taken_at=NOW,
            now=NOW,
        )
        # Held until the snapshot commits: a worker must not look for it before.
        assert rq_queue.count == 0
    (job_id,) = rq_queue.job_ids
    assert analyse_snapshot.get_result(job_id).status == TaskResultStatus.READY

    _burst_worker(rq_queue)

    shot = Snapshot.objects.get(pk=shot.pk)
    assert shot.analysed_at is not None and shot.faces == 1 and shot.error == ""
    result = analyse_snapshot.get_result(job_id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1  # the faces found
    assert len(result.worker_ids) == 1 and rq_queue.count == 0


@pytest.mark.django_db
def test_a_task_enqueued_in_a_rolled_back_transaction_never_reaches_redis(
    rq_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            purge_expired.enqueue()
            raise RuntimeError("rolled back")
        purge_expired.enqueue()
    assert len(callbacks) == 1 and rq_queue.count == 1


def test_tasks_backend_rq_configures_django_rq_from_redis_url():
    environ = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TASKS_REDIS_URL"}}
    code = (
        "from django.conf import settings as s\n"
        "print(s.TASKS['default']['BACKEND'], s.RQ_QUEUES['default']['URL'],"
        " s.RQ['JOB_CLASS'], s.RQ['WORKER_CLASS'], 'django_rq' in s.INSTALLED_APPS)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **environ,
            "DJANGO_SETTINGS_MODULE": "emtihan.settings",
            "TASKS_BACKEND": "rq",
            "REDIS_URL": "redis://queue.example:6379/3",
        },
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.split() == [
        BACKEND,
        "redis://queue.example:6379/3",
        "django_tasks_rq.Job",
        "emtihan.core.tasks_rq.Worker",
        "True",
    ]
