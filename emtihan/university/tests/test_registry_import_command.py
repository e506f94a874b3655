"""``manage.py registry_import``: progress, report, exit status."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import gettext as _

from emtihan.university.importing import records
from emtihan.university.models import Department, Student, StudyGroup

from .registry_files import GOOD, jpeg_bytes, with_rows, write_csv, write_xlsx


def call(*args: str) -> str:
    out = StringIO()
    call_command("registry_import", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_imports_and_prints_progress_and_counts(world, tmp_path):
    path = write_xlsx(tmp_path / "registry.xlsx", GOOD)

    out = call(str(path))

    assert "students: 0/2" in out and "students: 2/2" in out
    assert "passwords: 2/2" in out
    assert "saving: 8/8" in out
    assert "students            2        0          0      0" in out
    assert Student.objects.filter(student_id="200001").exists()


def test_a_second_run_reports_everything_unchanged(world, tmp_path):
    path = write_xlsx(tmp_path / "registry.xlsx", GOOD)
    call(str(path))

    out = call(str(path))

    assert "students            0        0          2      0" in out
    assert "passwords: 0/0" in out


def test_bad_rows_are_listed_and_the_command_fails(world, tmp_path):
    sheets = with_rows(
        GOOD, "students", ["200003", "x@", "Bad", "SE-2401"], ["200004", "y@uni.kz", "Y", "IS-9999"]
    )
    path = write_xlsx(tmp_path / "registry.xlsx", sheets)
    out = StringIO()

    with pytest.raises(CommandError, match=r"Nothing was written\. Problems found: 2 "):
        call_command("registry_import", str(path), stdout=out)

    text = out.getvalue()
    assert "registry.xlsx [students], line 4: " + _(records.ERR_BAD_EMAIL) % {"value": "x@"} in text
    assert "line 5: group 'IS-9999' does not exist in this file or the database" in text
    assert not StudyGroup.objects.filter(code="SE-2401").exists()


def test_partial_writes_the_good_rows_and_succeeds(world, tmp_path):
    sheets = with_rows(GOOD, "students", ["200003", "x@", "Bad", "SE-2401"])
    path = write_xlsx(tmp_path / "registry.xlsx", sheets)

    out = call(str(path), "--partial")

    assert "line 4: " + _(records.ERR_BAD_EMAIL) % {"value": "x@"} in out
    assert Student.objects.filter(student_id__in=["200001", "200002"]).count() == 2


def test_dry_run_writes_nothing(world, tmp_path):
    path = write_xlsx(tmp_path / "registry.xlsx", GOOD)

    out = call(str(path), "--dry-run")

    assert "students            2        0          0      0" in out
    assert not Department.objects.filter(code="SE").exists()


def test_csv_kind_option_and_photos_folder(world, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "p.jpg").write_bytes(jpeg_bytes())
    path = write_csv(
        tmp_path / "export.csv",
        [
            ["student_id", "email", "full_name", "group_code", "photo"],
            ["400001", "p@uni.kz", "P", "IS-2301", "p.jpg"],
        ],
    )

    call(str(path), "--kind", "students", "--photos", str(photos))

    assert Student.objects.get(student_id="400001").photo


def test_a_missing_file_is_an_error(world, tmp_path):
    with pytest.raises(CommandError, match="nope.xlsx"):
        call(str(tmp_path / "nope.xlsx"))
