"""Background tasks of the university app (django_tasks; `manage.py db_worker` runs them).

The worker's side of a registry import job: ``services.import_job_create`` stores the files
and queues ``registry_import_job``; this module runs the import (``importing.run``) and
records its report. It imports nothing from ``services``, so the two never form a circle.
"""

from __future__ import annotations

import logging
from functools import partial as bind

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from .importing.photos import PhotoZip
from .importing.records import ERR_JOB_CRASHED, ImportReport, Source
from .importing.run import registry_import
from .models import ImportJob

logger = logging.getLogger(__name__)


@task()
def registry_import_job(job_id: int) -> None:
    """Run one queued registry import (``ImportJob``) and record its report."""
    import_job_run(job_id=job_id)


def import_job_run(*, job_id: int) -> None:
    """Run a queued job (the task calls this). Progress is written while the files are
    read and checked, outside any transaction, so the page can show it; the writing phase
    is one transaction, so the page sees it start and finish."""
    if not ImportJob.claim(job_id):
        return  # another worker took it, or it already ran
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with override(job.language or None):
        try:
            report = _run_job(job)
        except BaseException:
            logger.exception("registry import job %s crashed", job_id)
            job.fail(_(ERR_JOB_CRASHED))
            raise
    job.finish(report.to_dict())


def _run_job(job: ImportJob) -> ImportReport:
    sources = [
        Source(name=f["name"], data=_stored_bytes(f["path"]), kind=job.kind or None)
        for f in job.files
    ]
    callback = bind(ImportJob.set_progress, job.pk)
    if not job.photos:
        return registry_import(
            sources=sources,
            actor=job.created_by,
            partial=job.partial,
            progress=callback,
            job_id=job.pk,
        )
    with job.photos.open("rb") as fh:
        return registry_import(
            sources=sources,
            actor=job.created_by,
            partial=job.partial,
            photos=PhotoZip(fh),
            progress=callback,
            job_id=job.pk,
        )


def _stored_bytes(path: str) -> bytes:
    with default_storage.open(path, "rb") as fh:
        return fh.read()
