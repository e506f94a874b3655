"""Reading: each source (XLSX workbook or CSV file) becomes rows of text keyed by lower-case
column names, numbered as the person sees them in Excel (the header is line 1)."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .records import (
    COLUMN_ALIASES,
    ERR_CSV_BROKEN,
    ERR_DUPLICATE_COLUMN,
    ERR_EMPTY_FILE,
    ERR_MISSING_COLUMN,
    ERR_NO_SHEETS,
    ERR_NOT_UTF8,
    ERR_NOT_XLSX,
    ERR_OLD_XLS,
    ERR_UNKNOWN_FORMAT,
    ERR_UNKNOWN_KIND,
    KINDS,
    SPECS,
    STAGE_READING,
    WARN_UNKNOWN_COLUMN,
    WARN_UNKNOWN_SHEET,
    ImportFormatError,
    ImportReport,
    Progress,
    Row,
    RowError,
    Source,
)


def detect_format(name: str, head: bytes = b"") -> str:
    """``xlsx`` or ``csv`` from the file name, checked against the first bytes if given."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise ImportFormatError(_(ERR_OLD_XLS))
    if suffix in (".xlsx", ".xlsm"):
        if head and not head.startswith(b"PK\x03\x04"):
            raise ImportFormatError(_(ERR_NOT_XLSX))
        return "xlsx"
    if suffix in (".csv", ".txt"):
        if head and (b"\x00" in head or not _looks_like_utf8(head)):
            raise ImportFormatError(_(ERR_NOT_UTF8))
        return "csv"
    raise ImportFormatError(_(ERR_UNKNOWN_FORMAT) % {"name": name})


def _looks_like_utf8(head: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def read_sources(
    sources: Sequence[Source], report: ImportReport, progress: Progress
) -> dict[str, list[Row]]:
    """All rows of all sources by kind; whole-file problems go to ``report.errors``."""
    tables: dict[str, list[Row]] = {kind: [] for kind in KINDS}
    for done, source in enumerate(sources):
        progress(STAGE_READING, done, len(sources))
        try:
            for kind, label, grid in _grids(source, report):
                tables[kind].extend(_rows_of(grid, kind=kind, label=label, report=report))
        except ImportFormatError as exc:
            report.errors.append(RowError(source.name, None, exc.message))
    progress(STAGE_READING, len(sources), len(sources))
    return tables


def _grids(
    source: Source, report: ImportReport
) -> Iterator[tuple[str, str, Iterable[Sequence[Any]]]]:
    """(kind, label for messages, rows of cells) for each table in the source."""
    if detect_format(source.name, source.data[:4096]) == "xlsx":
        yield from _xlsx_grids(source, report)
        return
    kind = source.kind or Path(source.name).stem.strip().lower()
    if kind not in KINDS:
        raise ImportFormatError(_(ERR_UNKNOWN_KIND) % {"name": source.name})
    yield kind, source.name, _csv_grid(source.data)


def _xlsx_grids(
    source: Source, report: ImportReport
) -> Iterator[tuple[str, str, Iterable[Sequence[Any]]]]:
    import openpyxl  # imported here: only imports of workbooks pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise ImportFormatError(_(ERR_NOT_XLSX)) from exc
    try:
        found = False
        for sheet in workbook.worksheets:
            kind = sheet.title.strip().lower()
            if kind not in KINDS:
                report.warnings.append(
                    _(WARN_UNKNOWN_SHEET) % {"source": source.name, "sheet": sheet.title}
                )
                continue
            found = True
            # Some exporters write a wrong dimension; without it openpyxl reads every row.
            sheet.reset_dimensions()
            yield kind, f"{source.name} [{sheet.title}]", list(sheet.iter_rows(values_only=True))
        if not found:
            raise ImportFormatError(_(ERR_NO_SHEETS) % {"sheets": ", ".join(KINDS)})
    finally:
        workbook.close()


def _csv_grid(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(_(ERR_NOT_UTF8)) from exc
    first_line = text.split("\n", 1)[0]
    # Excel in Kazakhstan and Russia separates with ";" (the decimal comma takes ",").
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFormatError(_(ERR_CSV_BROKEN) % {"error": exc}) from exc


def _column_name(value: Any) -> str:
    """``Student ID`` and ``E-mail`` as well as ``student_id`` and ``email``."""
    name = _cell_text(value).lower().replace(" ", "_").replace("-", "_")
    return COLUMN_ALIASES.get(name, name)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps 100004 as 100004.0
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _rows_of(
    grid: Iterable[Sequence[Any]], *, kind: str, label: str, report: ImportReport
) -> list[Row]:
    lines = iter(grid)
    header = [_column_name(v) for v in next(lines, ())]
    if not any(header):
        report.errors.append(RowError(label, 1, _(ERR_EMPTY_FILE)))
        return []
    if not _header_ok(header, kind=kind, label=label, report=report):
        return []
    spec = SPECS[kind]
    positions = [(i, column) for i, column in enumerate(header) if column in spec.columns]
    rows = []
    for line, values in enumerate(lines, start=2):
        cells = {
            column: _cell_text(values[i]) if i < len(values) else "" for i, column in positions
        }
        if any(cells.values()):
            rows.append(Row(label, line, cells))
    return rows


def _header_ok(header: list[str], *, kind: str, label: str, report: ImportReport) -> bool:
    spec = SPECS[kind]
    ok = True
    seen: set[str] = set()
    for column in header:
        if not column:
            continue
        if column in seen:
            report.errors.append(RowError(label, 1, _(ERR_DUPLICATE_COLUMN) % {"column": column}))
            ok = False
        seen.add(column)
        if column not in spec.columns:
            report.warnings.append(_(WARN_UNKNOWN_COLUMN) % {"source": label, "column": column})
    found = ", ".join(c for c in header if c)
    for column in spec.required:
        if column not in seen:
            report.errors.append(
                RowError(label, 1, _(ERR_MISSING_COLUMN) % {"column": column, "found": found})
            )
            ok = False
    return ok
