"""The default scale as data: the Kazakh credit (ECTS-style) system. Loaded by migration
0002 (with the historical models) and put back by the tests' ``world`` fixture after a
transactional test has flushed the tables (as ``examforms.rules_table.load_table_1``)."""

from __future__ import annotations

from typing import Any

# letter, from %, to %, GPA points, traditional mark
KAZAKH_CREDIT = [
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
NAME = "Kazakh credit system"


def load_kazakh_credit(grade_scale: Any, grade_band: Any) -> None:
    """The Kazakh credit scale (the default one if no other is); a no-op when it exists.
    Takes the model classes so that a migration can pass its historical ones."""
    scale, created = grade_scale.objects.get_or_create(
        name=NAME, defaults={"is_default": not grade_scale.objects.filter(is_default=True).exists()}
    )
    if created:
        grade_band.objects.bulk_create(
            grade_band(
                scale=scale,
                letter=letter,
                min_percent=low,
                max_percent=high,
                gpa=gpa,
                traditional=traditional,
            )
            for letter, low, high, gpa, traditional in KAZAKH_CREDIT
        )
