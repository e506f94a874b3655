"""Hostile registry files are refused quickly, in the registrar's words, with nothing
written, and an honest file with a stray cell far to the right is read without cost.

The files are built the way an attacker (or a broken exporter) would: a few hundred KB
that unpack to millions of rows, a cell in Excel's last column (XFD) on every row, one
cell at the bottom of the sheet, a row wider than Excel allows.
"""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from emtihan.university import importing as imp
from emtihan.university.importing import read, records
from emtihan.university.models import Student

from .registry_files import (
    GOOD,
    row_xml,
    text_cell,
    write_csv,
    write_raw_xlsx,
    write_xlsx,
)
from .test_registry_import import snapshot

HEADER = row_xml(*(text_cell(c) for c in ("student_id", "email", "full_name", "group_code")))


def student_row(n: int, *extra: bytes) -> bytes:
    cells = (str(300000 + n), f"s{n}@uni.kz", f"Student {n}", "IS-2301")
    return row_xml(*(text_cell(c) for c in cells), *extra)


def run(path: Path, **kwargs) -> imp.ImportReport:
    return imp.registry_import(sources=[imp.Source.from_path(path)], actor=None, **kwargs)


def too_many_rows() -> str:
    return _(records.ERR_TOO_MANY_ROWS) % {"max": read._count(read.MAX_ROWS)}


def test_rows_with_a_cell_in_column_xfd_are_read_as_narrow_rows(world, tmp_path):
    """Read whole, each such row was a tuple of 16,384 values (~130 KB): 300 rows, 39 MB."""
    rows = [HEADER] + [student_row(n, text_cell("x", ref=f"XFD{n + 2}")) for n in range(300)]
    path = write_raw_xlsx(tmp_path / "students.xlsx", "students", b"".join(rows))

    tracemalloc.start()
    try:
        report = run(path, dry_run=True)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert not report.errors
    assert report.counts["students"].created == 300  # the stray cells are simply not read
    assert peak < 12 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_two_million_rows_in_a_small_file_are_refused_in_seconds(world, tmp_path):
    """About 300 KB on disk; read whole it held the worker for 77 s (issue 8)."""
    block = row_xml(b"<c><v>1</v></c>") * 10_000
    path = write_raw_xlsx(tmp_path / "students.xlsx", "students", [HEADER, *[block] * 200])
    assert path.stat().st_size < 400 * 1024

    before = snapshot()
    started = time.monotonic()
    report = run(path)
    elapsed = time.monotonic() - started

    assert [e.message for e in report.errors] == [too_many_rows()]
    assert report.errors[0].source == "students.xlsx"
    assert snapshot() == before
    assert elapsed < 30, f"{elapsed:.1f} s"


def test_one_cell_at_the_bottom_of_the_sheet_is_refused_not_a_million_empty_rows(world, tmp_path):
    rows = HEADER + student_row(1) + row_xml(text_cell("x", ref="A1048576"), number=1048576)
    path = write_raw_xlsx(tmp_path / "students.xlsx", "students", rows)

    before = snapshot()
    started = time.monotonic()
    report = run(path)

    assert [str(e) for e in report.errors] == [f"students.xlsx [students]: {too_many_rows()}"]
    assert snapshot() == before  # not even the one good row above it
    assert time.monotonic() - started < 30


def test_a_row_wider_than_excel_allows_is_refused(world, tmp_path):
    wide = row_xml(*[b"<c><v>1</v></c>"] * (read.MAX_ROW_CELLS + 1))
    path = write_raw_xlsx(tmp_path / "students.xlsx", "students", HEADER + wide)

    report = run(path)

    assert [e.message for e in report.errors] == [
        _(records.ERR_ROW_TOO_WIDE) % {"max": read._count(read.MAX_ROW_CELLS)}
    ]


def test_a_sheet_with_too_many_filled_cells_is_refused(world, tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_CELLS", 40)
    path = write_raw_xlsx(tmp_path / "students.xlsx", "students", HEADER + student_row(1) * 10)

    report = run(path)

    assert [e.message for e in report.errors] == [
        _(records.ERR_TOO_MANY_CELLS) % {"max": read._count(40)}
    ]


def test_a_workbook_with_too_many_different_texts_is_refused(world, tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_TEXTS", 5)
    texts = [f"text {n}" for n in range(6)]
    path = write_raw_xlsx(tmp_path / "students.xlsx", "students", HEADER, texts=texts)

    report = run(path)

    assert [e.message for e in report.errors] == [
        _(records.ERR_TOO_MANY_TEXTS) % {"max": read._count(5)}
    ]


def test_a_workbook_that_unpacks_too_big_is_refused_before_it_is_unpacked(
    world, tmp_path, monkeypatch
):
    monkeypatch.setattr(read, "MAX_UNPACKED_BYTES", 1024 * 1024)
    padding = b" " * (2 * 1024 * 1024)  # whitespace between rows: 2 MB that zip to 2 KB
    path = write_raw_xlsx(tmp_path / "students.xlsx", "students", [HEADER, padding])

    report = run(path)

    assert [e.message for e in report.errors] == [_(records.ERR_UNPACKS_TOO_BIG) % {"mb": 1}]


def test_the_limit_is_on_the_data_rows_below_the_header(world, tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_ROWS", 3)
    rows = [HEADER] + [student_row(n) for n in range(3)]
    path = write_raw_xlsx(tmp_path / "students.xlsx", "students", b"".join(rows))
    assert not run(path, dry_run=True).errors

    longer = write_raw_xlsx(tmp_path / "longer.xlsx", "students", b"".join([*rows, student_row(3)]))
    assert [e.message for e in run(longer, dry_run=True).errors] == [too_many_rows()]


def test_a_csv_file_over_the_row_limit_is_refused_and_nothing_written(world, tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_ROWS", 2)
    header = ["student_id", "email", "full_name", "group_code"]
    rows = [[f"30000{n}", f"s{n}@uni.kz", f"S {n}", "IS-2301"] for n in range(3)]
    path = write_csv(tmp_path / "students.csv", [header, *rows])

    before = snapshot()
    report = run(path)

    assert [str(e) for e in report.errors] == [f"students.csv: {too_many_rows()}"]
    assert snapshot() == before


def test_a_csv_row_of_ten_thousand_columns_is_read_from_the_left(world, tmp_path):
    header = ["student_id", "email", "full_name", "group_code"]
    row = ["300001", "s1@uni.kz", "S 1", "IS-2301", *["x"] * 10_000]
    path = write_csv(tmp_path / "students.csv", [header, row])

    report = run(path)

    assert not report.errors
    assert Student.objects.get(student_id="300001").user.email == "s1@uni.kz"


def test_with_partial_a_refused_workbook_adds_nothing_while_the_other_files_import(
    world, tmp_path, monkeypatch
):
    monkeypatch.setattr(read, "MAX_ROWS", 1)  # GOOD has two students, one of everything else
    workbook = write_xlsx(tmp_path / "registry.xlsx", GOOD)
    groups = write_csv(
        tmp_path / "groups.csv",
        [
            ["code", "faculty_code", "study_form", "language", "year"],
            ["IT-2401", "IT", "full_time", "kk", 1],
        ],
    )

    report = imp.registry_import(
        sources=[imp.Source.from_path(workbook), imp.Source.from_path(groups)],
        actor=None,
        partial=True,
    )

    assert [str(e) for e in report.errors] == [f"registry.xlsx: {too_many_rows()}"]
    assert report.applied
    assert list(report.counts) == ["groups"]  # nothing at all from the workbook
    assert not Student.objects.filter(student_id__in=["200001", "200002"]).exists()


def test_a_damaged_part_is_an_unreadable_workbook_not_a_crash(world, tmp_path):
    path = tmp_path / "students.xlsx"
    write_raw_xlsx(path, "students", HEADER + student_row(1))
    with zipfile.ZipFile(path) as original:
        parts = {info.filename: original.read(info) for info in original.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as stored:  # bytes as they are
        for name, data in parts.items():
            stored.writestr(name, data)
    damaged = path.read_bytes().replace(b"Student 1", b"Student 2")  # the checksum no longer fits
    path.write_bytes(damaged)

    report = run(path)

    assert [e.message for e in report.errors] == [_(records.ERR_NOT_XLSX)]
