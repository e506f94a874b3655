"""Background tasks of the university app (django_tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from .importing import import_job_run


@task()
def registry_import_job(job_id: int) -> None:
    """Run one queued registry import (``ImportJob``) and record its report."""
    import_job_run(job_id=job_id)
