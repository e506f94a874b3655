"""The scale: the Kazakh credit system from the data migration, and the rounding rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from emtihan.grading.models import GradeBand, GradeScale
from emtihan.grading.scale import check_bands, grade_for, percent_of

pytestmark = pytest.mark.django_db

# letter, from, to, GPA points, traditional mark (the table)
KAZAKH = [
    ("A", 95, 100, "4.00", "excellent"),
    ("A-", 90, 94, "3.67", "excellent"),
    ("B+", 85, 89, "3.33", "good"),
    ("B", 80, 84, "3.00", "good"),
    ("B-", 75, 79, "2.67", "good"),
    ("C+", 70, 74, "2.33", "satisfactory"),
    ("C", 65, 69, "2.00", "satisfactory"),
    ("C-", 60, 64, "1.67", "satisfactory"),
    ("D+", 55, 59, "1.33", "satisfactory"),
    ("D", 50, 54, "1.00", "satisfactory"),
    ("FX", 25, 49, "0.00", "unsatisfactory"),
    ("F", 0, 24, "0.00", "unsatisfactory"),
]


def test_the_default_scale_is_the_kazakh_credit_system_stored_as_data():
    scale = GradeScale.objects.get(is_default=True)
    rows = [
        (b.letter, b.min_percent, b.max_percent, str(b.gpa), b.traditional)
        for b in GradeBand.objects.filter(scale=scale)
    ]
    assert rows == KAZAKH
    assert check_bands([(low, high) for _l, low, high, _g, _t in KAZAKH]) == []


@pytest.mark.parametrize(("letter", "low", "high", "gpa", "traditional"), KAZAKH)
def test_every_boundary(letter, low, high, gpa, traditional):
    for percent in (low, high):
        band = grade_for(percent)
        assert band is not None
        assert (band.letter, band.gpa, band.traditional) == (letter, Decimal(gpa), traditional)
    if low > 0:
        # just below the band: rounds down to low - 1, the next band below
        below = grade_for(Decimal(low) - Decimal("0.51"))
        assert below is not None and below.letter != letter
        assert below.max_percent == low - 1
        # half a point below rounds half up into the band
        assert grade_for(Decimal(low) - Decimal("0.5")).letter == letter


def test_the_rounding_rule_half_up_to_a_whole_percent():
    assert percent_of(Decimal("47.25"), Decimal("50")) == 95  # 94.5 %
    assert grade_for(Decimal("94.5")).letter == "A"
    assert grade_for(Decimal("94.49")).letter == "A-"
    assert grade_for(Decimal("89.5")).letter == "A-"  # 90 %
    assert grade_for(Decimal("89.49")).letter == "B+"
    assert grade_for(Decimal("49.4")).letter == "FX"
    assert grade_for(Decimal("49.5")).letter == "D"
    assert grade_for(Decimal("24.5")).letter == "FX"
    assert grade_for(0).letter == "F"
    assert grade_for(100).letter == "A"
    assert percent_of(Decimal("2"), Decimal("3")) == 67  # 66.67 %
    assert percent_of(Decimal("1"), Decimal("0")) is None  # nothing to grade


def test_check_bands_finds_gaps_and_overlaps():
    assert check_bands([(0, 49), (51, 100)]) == ["50%: covered 0 times"]
    assert "50%: covered 2 times" in check_bands([(0, 50), (50, 100)])
