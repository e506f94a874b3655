"""Background tasks of the exam sitting (django_tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from .services import attempts_lock_expired


@task()
def lock_expired() -> int:
    """Lock every sitting past its deadline (see ``attempts_lock_expired``)."""
    return attempts_lock_expired()
