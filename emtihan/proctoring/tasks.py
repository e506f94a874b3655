"""Background tasks of proctoring (django_tasks; ``manage.py db_worker`` runs them, on
this machine or on others sharing the database: the tasks backend is the scaling point).

Every model runs here, never in the web process: the analysis module, which imports
``emtihan.vision`` (and with it OpenCV, dlib and the detector), is imported inside the
task functions, so importing this module to enqueue costs nothing.
"""

from __future__ import annotations

from django_tasks import task


@task()
def analyse_identity_check(check_id: int) -> str:
    """Decide an identity check from its frames; returns its status."""
    from .analysis import identity_check_analyse

    return identity_check_analyse(check_id)


@task()
def analyse_snapshot(snapshot_id: int) -> int:
    """Analyse one snapshot and raise or extend its flags; returns the faces found."""
    from .analysis import snapshot_analyse

    return snapshot_analyse(snapshot_id)


@task()
def analyse_clip(clip_id: int) -> float:
    """Find the speech in one voice clip; returns its seconds of speech."""
    from .analysis import clip_analyse

    return clip_analyse(clip_id)


@task()
def flag_events(event_ids: list[int]) -> int:
    """Turn browser events into flags by the documented rules; returns the flags touched."""
    from .flagging import flags_from_events

    return flags_from_events(event_ids)


@task()
def purge_expired() -> int:
    """Delete the recordings whose retention has run out; returns the sessions purged."""
    from .retention import proctoring_purge

    return proctoring_purge()
