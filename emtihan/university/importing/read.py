"""Reading: each source (XLSX workbook or CSV file) becomes rows of text keyed by lower-case
column names, numbered as the person sees them in Excel (the header is line 1).

A registry file comes from a person's computer, so a hostile one must not hold the worker
or its memory. A 300 KB workbook can hold two million rows, or rows whose one cell sits in
Excel's last column (XFD: 16,384 cells each when read as a row), or parts that unpack to
gigabytes. Before openpyxl reads anything, the archive's declared sizes are checked (zipfile
never unpacks more than a part declares) and each part is scanned with expat, counting
rows and cells without keeping them; then the rows are streamed, at most MAX_COLUMNS wide
and MAX_ROWS long. Anything over a limit refuses the whole file with a message that says
what to change; nothing of it is imported.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from django.utils.formats import number_format
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
    ERR_ROW_TOO_WIDE,
    ERR_TOO_MANY_CELLS,
    ERR_TOO_MANY_ROWS,
    ERR_TOO_MANY_TEXTS,
    ERR_UNKNOWN_FORMAT,
    ERR_UNKNOWN_KIND,
    ERR_UNPACKS_TOO_BIG,
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

# Limits of one source (docs/REGISTRY-IMPORT.md, "Limits"). A university's largest table,
# its students, is some tens of thousands of rows of a few columns.
MAX_ROWS = 100_000  # data rows of one sheet or CSV file, below its header
MAX_COLUMNS = 64  # columns read from the left; cells further right are not read
MAX_CELLS = 2_000_000  # filled cells of one sheet
MAX_ROW_CELLS = 16_384  # cells of one row: Excel's own number of columns
MAX_TEXTS = 2_000_000  # different texts of a workbook (its shared strings)
MAX_UNPACKED_BYTES = 128 * 1024 * 1024  # a workbook unpacked: its sheets, texts and styles


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
    _check_workbook(source.data)
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
            # Some exporters write a wrong dimension; without it openpyxl reads every row,
            # and max_col keeps a row with a cell in column XFD 64 values wide.
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
            yield kind, f"{source.name} [{sheet.title}]", rows
        if not found:
            raise ImportFormatError(_(ERR_NO_SHEETS) % {"sheets": ", ".join(KINDS)})
    finally:
        workbook.close()


def _check_workbook(data: bytes) -> None:
    """Refuse a workbook over the limits before openpyxl reads it (see the module)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFormatError(_(ERR_NOT_XLSX)) from exc
    with archive:
        parts = archive.infolist()
        if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
            raise ImportFormatError(
                _(ERR_UNPACKS_TOO_BIG) % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)}
            )
        try:
            for part in parts:
                with archive.open(part) as stream:
                    _scan_part(stream)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            # a damaged part (its checksum), an unknown compression, a password
            raise ImportFormatError(_(ERR_NOT_XLSX)) from exc


def _scan_part(stream: IO[bytes]) -> None:
    """Count one part's rows, cells and shared texts (``<si>``) as expat streams it,
    keeping nothing; raise at the first limit passed.

    Every part is scanned, not only those named like sheets: openpyxl finds sheets through
    the workbook's relationships, whatever their names. A part that is not XML (a picture)
    stops the scan where expat fails; openpyxl cannot read further than that either.
    """
    rows = cells = row_cells = texts = 0

    def start(name: str, _attributes: object) -> None:
        nonlocal rows, cells, row_cells, texts
        tag = name.rpartition(" ")[2]
        if tag == "c":
            cells += 1
            row_cells += 1
            if row_cells > MAX_ROW_CELLS:
                raise ImportFormatError(_(ERR_ROW_TOO_WIDE) % {"max": _count(MAX_ROW_CELLS)})
            if cells > MAX_CELLS:
                raise ImportFormatError(_(ERR_TOO_MANY_CELLS) % {"max": _count(MAX_CELLS)})
        elif tag == "row":
            rows += 1
            row_cells = 0
            if rows > MAX_ROWS + 1:
                raise ImportFormatError(_(ERR_TOO_MANY_ROWS) % {"max": _count(MAX_ROWS)})
        elif tag == "si":
            texts += 1
            if texts > MAX_TEXTS:
                raise ImportFormatError(_(ERR_TOO_MANY_TEXTS) % {"max": _count(MAX_TEXTS)})

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    with contextlib.suppress(expat.ExpatError):
        parser.ParseFile(stream)


def _count(number: int) -> str:
    """A limit as the person's language writes big numbers (100 000, 100,000)."""
    return number_format(number, force_grouping=True)


def _csv_grid(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(_(ERR_NOT_UTF8)) from exc
    first_line = text.split("\n", 1)[0]
    # Excel in Kazakhstan and Russia separates with ";" (the decimal comma takes ",").
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield row[:MAX_COLUMNS]
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
    # Rows are read one by one and never more than the limit: openpyxl also makes up the
    # empty rows of a gap, so one cell in row 1,048,576 would be a million rows.
    lines = islice(grid, MAX_ROWS + 2)
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
        if line > MAX_ROWS + 1:  # the whole sheet is refused, not its first rows imported
            report.errors.append(
                RowError(label, None, _(ERR_TOO_MANY_ROWS) % {"max": _count(MAX_ROWS)})
            )
            return []
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
