"""Small registry files for the import tests, written with openpyxl or csv into tmp_path.

``GOOD`` is a consistent registry on top of the ``world`` fixture: a new faculty with a
department whose head is a teacher of the same file, a discipline, a group, two students
and one assignment in the world's current period (``2026-2027-1``).
"""

from __future__ import annotations

import csv
import io
import zipfile
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


# --- hand-made workbooks: the shapes a hostile file takes, built in seconds ---------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}


def text_cell(text: str, ref: str = "") -> bytes:
    """An inline-string cell (``ref`` like "XFD1"; without one it follows the previous)."""
    where = f' r="{ref}"' if ref else ""
    return f'<c{where} t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def row_xml(*cells: bytes, number: int | None = None) -> bytes:
    where = f' r="{number}"' if number else ""
    return f"<row{where}>".encode() + b"".join(cells) + b"</row>"


def write_raw_xlsx(path: Path, title: str, rows: Any, *, texts: list[str] = ()) -> Path:
    """A one-sheet workbook whose sheet XML is ``rows`` (bytes, or an iterable of chunks of
    bytes written as they come), zipped the way Excel does: small however long it is.
    ``texts`` become its shared strings (cells ``<c t="s"><v>N</v></c>`` name them)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            if texts and name == "xl/_rels/workbook.xml.rels":
                text = text.replace(
                    "</Relationships>",
                    f'<Relationship Id="rId2" Type="{_DOC_RELS}/sharedStrings" '
                    'Target="sharedStrings.xml"/></Relationships>',
                )
            archive.writestr(name, text)
        if texts:
            items = "".join(f"<si><t>{text}</t></si>" for text in texts)
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{_MAIN}">{items}</sst>')
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_DOC_RELS}"><sheets><sheet name="{title}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'.encode()
            )
            sheet.write(b"<sheetData>")
            for chunk in [rows] if isinstance(rows, bytes) else rows:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return path
