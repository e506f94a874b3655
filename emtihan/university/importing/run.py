"""The import itself (``registry_import``): read, plan, and, when nothing is bad (or with
``partial``), write everything in one transaction with its audit entry."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from emtihan.audit.services import audit_record

from .photos import PhotoSource
from .plan import Plan, Planner
from .read import read_sources
from .records import (
    ERR_CONCURRENT,
    KINDS,
    STAGE_SAVING,
    ImportReport,
    KindCounts,
    Progress,
    ProgressCallback,
    RowError,
    Source,
)
from .write import Writer, delete_files, hash_passwords

logger = logging.getLogger(__name__)


def registry_import(
    *,
    sources: Sequence[Source],
    actor: Any,
    partial: bool = False,
    photos: PhotoSource | None = None,
    progress: ProgressCallback | None = None,
    dry_run: bool = False,
    job_id: int | None = None,
) -> ImportReport:
    """Import registry files; see the module docstring for the phases.

    All-or-nothing unless ``partial``: with any bad row nothing is written. ``dry_run``
    plans and reports without writing. ``progress(stage, done, total)`` is called every
    PROGRESS_EVERY rows of each stage.
    """
    tick = Progress(progress)
    report = ImportReport(sources=[s.name for s in sources], partial=partial, dry_run=dry_run)
    plan = Planner(read_sources(sources, report, tick), photos, tick).plan()
    _count(plan, report)
    if dry_run:
        return report
    if report.errors and not partial:
        _forget_counts(report)
        return report
    passwords = hash_passwords(plan.new_student_ids(), tick)
    writer = Writer(plan, passwords, photos, tick)
    try:
        with transaction.atomic():
            writer.run()
            audit_record(
                actor=actor,
                action="registry.import",
                object_type="registry_import",
                object_id=str(job_id) if job_id else "cli",
                data=_audit_data(report),
            )
    except IntegrityError as exc:
        logger.exception("registry import: integrity error while writing")
        delete_files(writer.new_photos)
        report.errors.append(RowError("", None, _(ERR_CONCURRENT) % {"error": exc}))
        _forget_counts(report)
        return report
    except BaseException:
        delete_files(writer.new_photos)
        raise
    report.applied = True
    tick(STAGE_SAVING, writer.total, writer.total)
    return report


def _count(plan: Plan, report: ImportReport) -> None:
    for kind in KINDS:
        entries = plan.entries[kind]
        if not entries:
            continue
        counts = report.counts.setdefault(kind, KindCounts())
        for entry in entries:
            if entry.bad:
                counts.invalid += 1
                report.errors.extend(
                    RowError(entry.row.source, entry.row.line, m) for m in entry.errors
                )
            else:
                setattr(counts, entry.status, getattr(counts, entry.status) + 1)


def _forget_counts(report: ImportReport) -> None:
    """Nothing was written: only the bad rows are left to count."""
    for counts in report.counts.values():
        counts.created = counts.updated = counts.unchanged = 0


def _audit_data(report: ImportReport) -> dict[str, Any]:
    return {
        "sources": report.sources,
        "partial": report.partial,
        "counts": {kind: asdict(c) for kind, c in report.counts.items()},
        "errors": len(report.errors),
    }
