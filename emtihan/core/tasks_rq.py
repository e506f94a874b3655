"""The Redis-backed tasks backend (``TASKS_BACKEND=rq``): django-tasks-rq, made to keep the
database backend's promise that a task enqueued in a transaction exists only if it commits,
and the worker that runs its jobs (``manage.py rqworker default``).

The services enqueue inside their transactions (a snapshot's analysis with the snapshot,
a decision's mail with the decision): with ``django_tasks_db`` the task row commits with
them or not at all. RQ's queue is in Redis, outside the transaction, so django-tasks-rq
pushes the job at once: a worker on another machine could pick it up before the rows it
reads are committed, or run it for rows that were rolled back. This backend holds the job
until the transaction commits (``transaction.on_commit``) and drops it on a rollback; the
result it returns carries the id the job will have. Outside a transaction it pushes at
once. What it cannot keep: a web process killed between the commit and the push loses
that task (docs/OPERATIONS.md, "More than one machine").

The worker runs each job in its own process, as ``db_worker`` does, rather than in a child
forked per job (RQ's default): a fresh child imports the analysis and loads the face models
again for every snapshot (about 140 ms a job against the 25 ms of the analysis itself,
BENCHMARKS.md, "Two web nodes and two workers (issue 12)"). RQ still ends a job that runs
past its timeout (SIGALRM). The database connection is treated as a request's is: closed
before and after a job when it is broken or past ``CONN_MAX_AGE``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import django_rq
from django.db import close_old_connections, transaction
from django_rq.queues import get_result_ttl
from django_tasks.base import TASK_MAX_PRIORITY, Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq import Job, RQBackend
from django_tasks_rq.backend import failed_callback, success_callback
from rq.job import Callback, JobStatus
from rq.job import Job as RQJob
from rq.queue import Queue
from rq.worker import SimpleWorker


class CommitRQBackend(RQBackend):
    """django-tasks-rq's backend that pushes a job enqueued in a transaction on commit."""

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        result: TaskResult = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        # on_commit runs it at once outside a transaction.
        transaction.on_commit(partial(self._push, result))
        return result

    def _push(self, result: TaskResult) -> None:
        """What ``RQBackend.enqueue`` does once it has its result (same job, same id),
        keeping the result for the queue's DEFAULT_RESULT_TTL."""
        task = result.task
        queue = django_rq.get_queue(task.queue_name, job_class=Job)
        job = queue.create_job(
            task.module_path,
            args=result.args,
            kwargs=result.kwargs,
            job_id=result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(failed_callback),
            on_success=Callback(success_callback),
            meta={"backend_name": self.alias},
            result_ttl=get_result_ttl(task.queue_name),
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=result)


class Worker(SimpleWorker):
    """RQ's worker that runs each job in its own process, the models staying loaded."""

    def execute_job(self, job: RQJob, queue: Queue) -> None:
        close_old_connections()
        try:
            super().execute_job(job, queue)
        finally:
            close_old_connections()
