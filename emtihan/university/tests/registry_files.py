"""Small registry files for the import tests, written with openpyxl or csv into tmp_path.

``GOOD`` is a consistent registry on top of the ``world`` fixture: a new faculty with a
department whose head is a teacher of the same file, a discipline, a group, two students
and one assignment in the world's current period (``2026-2027-1``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
from PIL import Image

Sheet = list[list[Any]]

GOOD: dict[str, Sheet] = {
    "faculties": [
        ["code", "name_kk", "name_ru", "name_en", "is_medical"],
        ["ENG", "Инженерия", "Инженерия", "Engineering", "no"],
    ],
    "departments": [
        ["code", "faculty_code", "name_kk", "name_ru", "name_en", "head_email"],
        ["SE", "ENG", "Бағдарламалық инженерия", "", "Software engineering", "boss@uni.kz"],
    ],
    "disciplines": [
        ["code", "department_code", "name_kk", "name_ru", "name_en", "credits"],
        ["SE101", "SE", "Бағдарламалау", "Программирование", "Programming", 6],
    ],
    "groups": [
        ["code", "faculty_code", "study_form", "language", "year"],
        ["SE-2401", "ENG", "күндізгі", "kk", 1],
    ],
    "students": [
        ["student_id", "email", "full_name", "group_code"],
        [200001, " Asel@Uni.KZ ", "Asel Nur", "SE-2401"],
        ["200002", "bolat@uni.kz", "Bolat Ser", "SE-2401"],
    ],
    "teachers": [
        ["staff_id", "email", "full_name", "department_code"],
        ["T100", "boss@uni.kz", "Boss Head", "SE"],
    ],
    "assignments": [
        ["staff_id", "discipline_code", "group_code", "period_code"],
        ["T100", "SE101", "SE-2401", "2026-2027-1"],
    ],
}


def write_xlsx(path: Path, sheets: dict[str, Sheet]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: Sheet, *, delimiter: str = ";", bom: bool = True) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), encoding="utf-8")
    return path


def with_rows(sheets: dict[str, Sheet], kind: str, *rows: list[Any]) -> dict[str, Sheet]:
    """A copy of ``sheets`` with rows added to one kind."""
    copy = {k: [list(r) for r in v] for k, v in sheets.items()}
    copy[kind].extend(list(r) for r in rows)
    return copy


def jpeg_bytes(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "JPEG")
    return buffer.getvalue()
