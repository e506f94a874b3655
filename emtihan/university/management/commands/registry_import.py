"""``manage.py registry_import FILE [FILE...]``: import registry XLSX/CSV files.

All-or-nothing unless ``--partial``; prints progress while it reads, checks and writes,
then the counts per kind and every bad row. Exits with an error when nothing was written
because of bad rows, so scripts and cron notice.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from emtihan.university.importing import (
    KINDS,
    ImportReport,
    PhotoSource,
    Source,
    open_photos,
    registry_import,
)


class Command(BaseCommand):
    help = (
        "Import faculties, departments, disciplines, groups, students, teachers and teaching "
        "assignments from the registry's XLSX workbook or CSV files (see docs/REGISTRY-IMPORT.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="XLSX workbooks and/or CSV files")
        parser.add_argument(
            "--kind", choices=KINDS, help="the kind of every CSV file (default: from its name)"
        )
        parser.add_argument(
            "--partial", action="store_true", help="import the good rows even if some rows are bad"
        )
        parser.add_argument(
            "--photos", type=Path, help="folder (or ZIP file) with the students' photos"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sources = [self._source(path, options["kind"]) for path in options["files"]]
        photos = self._photos(options["photos"])
        report = registry_import(
            sources=sources,
            actor=f"cli:{_os_user()}",
            partial=options["partial"],
            photos=photos,
            progress=self._progress if options["verbosity"] > 0 else None,
            dry_run=options["dry_run"],
        )
        self._print(report)
        if report.errors and not report.applied:
            raise CommandError(
                _("Nothing was written. Problems found: %(count)s (listed above).")
                % {"count": len(report.errors)}
            )

    def _source(self, path: Path, kind: str | None) -> Source:
        try:
            return Source.from_path(path, kind=kind)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from exc

    def _photos(self, path: Path | None) -> PhotoSource | None:
        if path is None:
            return None
        if not path.exists():
            raise CommandError(_("%(path)s: no such folder or ZIP file") % {"path": path})
        try:
            return open_photos(path)
        except Exception as exc:  # a damaged ZIP raises zipfile's own errors
            raise CommandError(
                _("%(path)s: not a folder or a readable ZIP file (%(error)s)")
                % {"path": path, "error": exc}
            ) from exc

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.stdout.write(f"{stage}: {done}/{total}")

    def _print(self, report: ImportReport) -> None:
        self.stdout.write("")
        heads = (_("kind"), _("created"), _("updated"), _("unchanged"), _("bad"))
        self.stdout.write("{:<12} {:>8} {:>8} {:>10} {:>6}".format(*heads))
        for kind, c in report.counts.items():
            self.stdout.write(
                f"{kind:<12} {c.created:>8} {c.updated:>8} {c.unchanged:>10} {c.invalid:>6}"
            )
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(warning))
        for error in report.errors:
            self.stdout.write(self.style.ERROR(str(error)))
        if report.applied:
            self.stdout.write(self.style.SUCCESS(_("The import was written.")))
        elif report.dry_run:
            self.stdout.write(
                _("Dry run: the counts above say what an import would do; nothing was written.")
            )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown"
