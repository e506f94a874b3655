"""Recordings in Django's default storage (a directory in the embedded setup, object
storage in production): write one, read one, delete some. Nothing here is served as it
is: ``views.media`` asks the policy first."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models


def store(instance: models.Model, field: str, data: bytes) -> str:
    """Write ``data`` under the name the field's ``upload_to`` gives ``instance``; the
    stored name is set on the instance and returned. Call it before the row's
    transaction (slow I/O outside it) and ``discard`` the name if the row is not saved."""
    file_field = instance._meta.get_field(field)
    if not isinstance(file_field, models.FileField):
        raise TypeError(f"{field} is not a file field")
    name = file_field.generate_filename(instance, "upload")
    stored = default_storage.save(name, ContentFile(data))
    setattr(instance, field, stored)
    return stored


def read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def discard(names: Iterable[str]) -> None:
    """Delete stored files; a file already gone is not an error (a retried purge)."""
    for name in names:
        if name:
            default_storage.delete(name)
