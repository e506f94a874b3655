"""grade_closed: automatic grading of every kind, with edge cases. No database needed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from emtihan.exams.grading import parse_number
from emtihan.exams.models import Question, QuestionKind
from emtihan.exams.services import grade_closed

from .conftest import MULTI, OPTIONS


def q(kind: str, spec: dict, points: str = "2") -> Question:
    return Question(kind=kind, spec=spec, points=Decimal(points), body="<p>Q</p>")


SINGLE = q(
    QuestionKind.SINGLE,
    {"options": [*OPTIONS[:2], {"id": "c", "html": "C", "fraction": 0.5}, {"id": "d", "html": "D", "fraction": -0.5}]},
)  # fmt: skip
MULTIPLE = q(QuestionKind.MULTIPLE, {"options": MULTI})
THIRDS = q(
    QuestionKind.MULTIPLE,
    {"options": [{"id": c, "html": c, "fraction": 0.3333333} for c in "abc"]},
    points="3",
)
TRUE = q(QuestionKind.TRUE_FALSE, {"correct": True})
FALSE = q(QuestionKind.TRUE_FALSE, {"correct": False})
SHORT = q(
    QuestionKind.SHORT,
    {
        "answers": [
            {"text": "Astana", "fraction": 1.0},
            {"text": "Nur-Sultan", "fraction": 0.5},
            {"text": "*stan*", "fraction": 0.25},
        ],
        "case_sensitive": False,
    },
)
CASED = q(
    QuestionKind.SHORT, {"answers": [{"text": "NaCl", "fraction": 1.0}], "case_sensitive": True}
)
NUMERIC = q(
    QuestionKind.NUMERIC,
    {
        "answers": [
            {"value": 3.14, "tolerance": 0.01, "fraction": 1.0},
            {"value": 3, "tolerance": 0.5, "fraction": 0.5},
        ]
    },
)


@pytest.mark.parametrize(
    ("question", "content", "expected"),
    [
        (SINGLE, {"choice": "a"}, "2.00"),
        (SINGLE, {"choice": "b"}, "0.00"),
        (SINGLE, {"choice": "c"}, "1.00"),  # partial credit
        (SINGLE, {"choice": "d"}, "0.00"),  # a negative fraction never goes below 0
        (SINGLE, {"choice": "zz"}, "0.00"),  # not an option
        (SINGLE, {"choice": None}, "0.00"),
        (SINGLE, {}, "0.00"),
        (SINGLE, None, "0.00"),
        (SINGLE, "a", "0.00"),
        (TRUE, {"choice": "true"}, "2.00"),
        (TRUE, {"choice": "false"}, "0.00"),
        (FALSE, {"choice": "false"}, "2.00"),
        (FALSE, {"choice": "true"}, "0.00"),
        (TRUE, {"choice": None}, "0.00"),
        (TRUE, {"choice": True}, "0.00"),  # the contract's ids are strings
        (MULTIPLE, {"choices": ["a", "b"]}, "2.00"),
        (MULTIPLE, {"choices": ["a"]}, "1.00"),
        (MULTIPLE, {"choices": ["a", "b", "c"]}, "0.00"),  # 0.5 + 0.5 - 1
        (MULTIPLE, {"choices": ["a", "c"]}, "0.00"),  # clamped at 0
        (MULTIPLE, {"choices": ["a", "a", "a"]}, "1.00"),  # duplicates count once
        (MULTIPLE, {"choices": []}, "0.00"),
        (MULTIPLE, {"choices": "ab"}, "0.00"),
        (THIRDS, {"choices": ["a", "b", "c"]}, "3.00"),  # 0.9999999 x 3 rounds to 3.00
        (THIRDS, {"choices": ["a"]}, "1.00"),
        (SHORT, {"text": "Astana"}, "2.00"),
        (SHORT, {"text": "  astana "}, "2.00"),
        (SHORT, {"text": "ASTANA"}, "2.00"),
        (SHORT, {"text": "Nur-Sultan"}, "1.00"),
        (SHORT, {"text": "Nur - Sultan"}, "0.00"),
        (SHORT, {"text": "Kazakhstan"}, "0.50"),  # the wildcard answer
        (SHORT, {"text": "stan"}, "0.50"),  # "*" matches nothing, too
        (SHORT, {"text": "Almaty"}, "0.00"),
        (SHORT, {"text": ""}, "0.00"),
        (SHORT, {"text": 5}, "0.00"),
        (CASED, {"text": "NaCl"}, "2.00"),
        (CASED, {"text": "nacl"}, "0.00"),
        (NUMERIC, {"text": "3.14"}, "2.00"),
        (NUMERIC, {"text": "3,14"}, "2.00"),
        (NUMERIC, {"text": "3.15"}, "2.00"),  # the tolerance is inclusive
        (NUMERIC, {"text": "3.13"}, "2.00"),
        (NUMERIC, {"text": "3.151"}, "1.00"),  # only the second answer's range
        (NUMERIC, {"text": " 3.0 "}, "1.00"),
        (NUMERIC, {"text": "2.4"}, "0.00"),
        (NUMERIC, {"text": "314e-2"}, "2.00"),
        (NUMERIC, {"text": "pi"}, "0.00"),
        (NUMERIC, {"text": "3.1.4"}, "0.00"),
        (NUMERIC, {"text": ""}, "0.00"),
        (NUMERIC, {}, "0.00"),
    ],
)
def test_closed_questions_are_graded(question, content, expected):
    assert grade_closed(question, content) == Decimal(expected)


def test_written_questions_are_left_to_a_person():
    assert grade_closed(q(QuestionKind.WRITTEN, {}), {"doc": {}}) is None


def test_the_first_matching_short_answer_counts_as_in_moodle():
    question = q(
        QuestionKind.SHORT,
        {"answers": [{"text": "*", "fraction": 0.0}, {"text": "Astana", "fraction": 1.0}]},
    )
    assert grade_closed(question, {"text": "Astana"}) == Decimal("0.00")


def test_wildcards_are_the_only_special_characters():
    question = q(QuestionKind.SHORT, {"answers": [{"text": "a.c (x)", "fraction": 1.0}]})
    assert grade_closed(question, {"text": "a.c (x)"}) == Decimal("2.00")
    assert grade_closed(question, {"text": "abc (x)"}) == Decimal("0.00")


def test_points_with_fractions_round_half_up():
    question = q(QuestionKind.SINGLE, {"options": [
        {"id": "a", "html": "A", "fraction": 1.0},
        {"id": "b", "html": "B", "fraction": 0.3333333},
    ]}, points="1")  # fmt: skip
    assert grade_closed(question, {"choice": "b"}) == Decimal("0.33")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.14", "3.14"),
        ("3,14", "3.14"),
        ("-0,5", "-0.5"),
        ("+2", "2"),
        (".5", "0.5"),
        ("1 000", "1000"),
        ("1\u00a0000,5", "1000.5"),
        ("1e3", "1E+3"),
        ("1,000.5", None),  # ambiguous: refused
        ("1,2,3", None),
        ("", None),
        ("abc", None),
        ("3..4", None),
        (None, None),
    ],
)
def test_numbers_as_students_type_them(text, expected):
    parsed = parse_number(text)
    assert (str(parsed) if parsed is not None else None) == expected
