"""parse_id, parse_whole and the ``id`` URL converter: only what fits a 64-bit key."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from emtihan.core.ids import MAX_ID, IdConverter, parse_id, parse_whole


@pytest.mark.parametrize("value", ["1", "42", str(MAX_ID), 7, "007", MAX_ID])
def test_ids_that_fit_are_read(value):
    assert parse_id(value) == int(value)


@pytest.mark.parametrize(
    "value",
    ["0", 0, str(MAX_ID + 1), 2**64, "-1", -1, "abc", "", " 1", "1 ", "１", "1e3", "0x1",
     "1.0", 1.0, True, None, [], "9" * 10_000],
)  # fmt: skip
def test_anything_else_is_none(value):
    assert parse_id(value) is None


def test_whole_numbers_include_zero():
    assert parse_whole("0") == 0
    assert parse_whole(str(MAX_ID + 1)) is None


def test_the_converter_matches_only_ids():
    converter = IdConverter()
    assert converter.to_python("12") == 12
    for value in ("0", str(MAX_ID + 1), str(2**64)):
        with pytest.raises(ValueError):
            converter.to_python(value)
    assert converter.to_url(12) == "12"


def test_routes_resolve_ids_and_refuse_the_rest():
    assert resolve("/exams/12/").kwargs == {"exam_id": 12}
    assert reverse("exams:detail", args=[12]) == "/exams/12/"
    for bad in (str(2**63), "0", "-1", "abc"):
        with pytest.raises(Resolver404):
            resolve(f"/exams/{bad}/")
    with pytest.raises(NoReverseMatch):
        reverse("exams:detail", args=["abc"])
