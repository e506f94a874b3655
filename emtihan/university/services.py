"""Services of the university app: registry import jobs.

The upload page stores the files and queues a job here; the worker runs it (``tasks``),
which calls the import itself (``importing.run.registry_import``). This module imports
``tasks`` and ``tasks`` never imports it, so there is no import circle.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import partial as bind
from pathlib import Path

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from emtihan.accounts.models import User
from emtihan.core.errors import PermissionDeniedError
from emtihan.policy import university as policy

from .models import ImportJob
from .tasks import registry_import_job

ERR_NOT_REGISTRAR = gettext_noop("Only the registrar's office can import registry files.")


def import_job_create(
    *,
    actor: User,
    files: Sequence[File],
    photos: File | None = None,
    partial: bool = False,
    kind: str = "",
    language: str = "",
) -> ImportJob:
    """Store the uploaded files and queue the import; it runs after the commit."""
    if not policy.may_import_registry(actor):
        raise PermissionDeniedError(_(ERR_NOT_REGISTRAR))
    folder = f"registry/imports/{uuid.uuid4().hex}"
    stored = [
        {
            "name": f.name,
            "path": default_storage.save(
                f"{folder}/{get_valid_filename(Path(f.name or 'file').name)}", f
            ),
        }
        for f in files
    ]
    job = ImportJob(created_by=actor, files=stored, partial=partial, kind=kind, language=language)
    if photos is not None:
        job.photos.save(f"{uuid.uuid4().hex}.zip", photos, save=False)
    with transaction.atomic():
        job.save()
        _enqueue_after_commit(job)
    return job


def import_job_rerun(*, job: ImportJob, actor: User) -> ImportJob:
    """A new job with the same files and options, e.g. after a period was created."""
    if not policy.may_import_registry(actor):
        raise PermissionDeniedError(_(ERR_NOT_REGISTRAR))
    new = ImportJob(
        created_by=actor,
        files=job.files,
        photos=job.photos.name,
        partial=job.partial,
        kind=job.kind,
        language=job.language,
    )
    with transaction.atomic():
        new.save()
        _enqueue_after_commit(new)
    return new


def _enqueue_after_commit(job: ImportJob) -> None:
    transaction.on_commit(bind(registry_import_job.enqueue, job.pk))
