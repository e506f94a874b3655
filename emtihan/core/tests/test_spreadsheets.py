"""append_row: text stays text in every export, whatever it starts with."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook, load_workbook

from emtihan.core.spreadsheets import MAX_CELL_CHARS, append_row


def _round_trip(values):
    workbook = Workbook()
    append_row(workbook.active, values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return list(load_workbook(buffer).active.iter_rows())[0]


def test_formulas_and_error_codes_are_written_as_text():
    cells = _round_trip(["=1+1", "+1", "-1", "@A1", "#N/A", "=", "plain"])
    assert [c.data_type for c in cells] == ["s"] * 7
    assert [c.value for c in cells] == ["=1+1", "+1", "-1", "@A1", "#N/A", "=", "plain"]
    assert [bool(c.quotePrefix) for c in cells] == [True, True, True, True, False, True, False]


def test_numbers_dates_and_empty_cells_are_kept():
    cells = _round_trip([3, 2.5, dt.datetime(2026, 12, 21, 9, 0), None])
    assert [c.value for c in cells[:3]] == [3, 2.5, dt.datetime(2026, 12, 21, 9, 0)]
    assert cells[0].data_type == "n" and cells[2].is_date


def test_characters_a_worksheet_cannot_hold_are_dropped_not_fatal():
    cells = _round_trip(["a\x00b\x01c\x0bd", "x" * (MAX_CELL_CHARS + 10)])
    assert cells[0].value == "abcd"
    assert len(cells[1].value) == MAX_CELL_CHARS
