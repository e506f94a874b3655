"""``manage.py examforms_copy_rules`` starts a new year's Table 1 from an existing year."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from emtihan.audit.models import AuditEntry
from emtihan.audit.services import audit_verify
from emtihan.examforms.models import ExamRule

SOURCE = "2026-2027"  # loaded by migration 0002
TARGET = "2027-2028"
FIELDS = (
    "number",
    "platform",
    "form",
    "exam_type",
    "label_kk",
    "label_ru",
    "label_en",
    "additional_info",
    "medical_only",
    "is_active",
)


def rows(year: str) -> list[tuple]:
    return list(ExamRule.objects.filter(academic_year=year).order_by("number").values_list(*FIELDS))


def copy_rules(*args: str) -> str:
    out = StringIO()
    call_command("examforms_copy_rules", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def source_rows(db) -> list[tuple]:
    found = rows(SOURCE)
    assert found, "migration 0002 should have loaded Table 1"
    return found


def test_it_copies_every_row_of_the_year(source_rows):
    out = copy_rules("--from", SOURCE, "--to", TARGET)

    assert rows(TARGET) == source_rows
    assert rows(SOURCE) == source_rows
    assert f"Rules copied from {SOURCE} to {TARGET}: {len(source_rows)}." in out


def test_it_records_the_copy_in_the_audit_log(source_rows):
    copy_rules("--from", SOURCE, "--to", TARGET)

    entry = AuditEntry.objects.get(action="examforms.rules_copy")
    assert entry.object_id == TARGET
    assert entry.data == {"from": SOURCE, "to": TARGET, "copied": len(source_rows), "replaced": 0}
    assert audit_verify().ok


def test_it_refuses_a_year_that_already_has_rows(source_rows):
    ExamRule.objects.create(
        academic_year=TARGET, number=1, platform="UNIVER", form="ORAL", label_kk="x",
        label_ru="x", label_en="x",
    )  # fmt: skip

    with pytest.raises(CommandError, match=r"already has rules \(1\)\. Use --replace"):
        copy_rules("--from", SOURCE, "--to", TARGET)

    assert len(rows(TARGET)) == 1
    assert not AuditEntry.objects.exists()


def test_replace_swaps_the_target_rows(source_rows):
    ExamRule.objects.create(
        academic_year=TARGET, number=99, platform="UNIVER", form="ORAL", label_kk="old",
        label_ru="old", label_en="old",
    )  # fmt: skip

    out = copy_rules("--from", SOURCE, "--to", TARGET, "--replace")

    assert rows(TARGET) == source_rows
    assert "Rules of 2027-2028 deleted before copying: 1." in out


def test_it_refuses_an_empty_source_year(db):
    with pytest.raises(CommandError, match="Academic year 2030-2031 has no rules to copy."):
        copy_rules("--from", "2030-2031", "--to", TARGET)
    assert rows(TARGET) == []


@pytest.mark.parametrize("year", ["2027", "2027-2029", "27-28", "2027/2028"])
def test_it_validates_the_year_format(db, year):
    with pytest.raises(CommandError, match="is not an academic year"):
        copy_rules("--from", SOURCE, "--to", year)


def test_it_refuses_to_copy_a_year_onto_itself(source_rows):
    with pytest.raises(CommandError, match="are the same"):
        copy_rules("--from", SOURCE, "--to", SOURCE, "--replace")
    assert rows(SOURCE) == source_rows


def test_both_years_are_required(db):
    with pytest.raises(CommandError, match="--to"):
        copy_rules("--from", SOURCE)
