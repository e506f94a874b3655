"""Points to a grade under the scale stored as data (docs/GRADING.md, "The scale").

The rounding rule: the percentage is ``points / maximum x 100`` rounded **half up to a
whole number** before the band is looked up, so 94.5 % is 95 % (A) and 94.49 % is 94 %
(A-). Bands hold whole percentages, inclusive at both ends, and cover 0..100 with no gap
or overlap (``check_bands``), so every whole percentage has exactly one band.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .models import Band, GradeBand, GradeScale

HUNDRED = Decimal(100)


def percent_of(points: Decimal, maximum: Decimal) -> int | None:
    """The whole percentage (half up); None when the maximum is 0 (nothing to grade)."""
    if maximum <= 0:
        return None
    exact = Decimal(points) * HUNDRED / Decimal(maximum)
    return int(max(Decimal(0), min(HUNDRED, exact)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def default_scale() -> GradeScale | None:
    return GradeScale.objects.filter(is_default=True).first()


def bands_of(scale: GradeScale | None) -> list[Band]:
    """The scale's bands, highest first (one query); none when there is no scale."""
    if scale is None:
        return []
    return [
        Band(b.letter, b.min_percent, b.max_percent, b.gpa, b.traditional)
        for b in GradeBand.objects.filter(scale=scale).order_by("-max_percent")
    ]


def band_for(percent: int | None, bands: list[Band]) -> Band | None:
    if percent is None:
        return None
    return next((b for b in bands if b.min_percent <= percent <= b.max_percent), None)


def grade_for(
    percent: Decimal | float | int,
    *,
    scale: GradeScale | None = None,
    bands: list[Band] | None = None,
) -> Band | None:
    """The band of ``percent`` (any number: it is rounded half up to a whole percentage
    first) under ``bands`` (read once by the caller) or ``scale`` (the default scale
    when neither is given)."""
    whole = percent_of(Decimal(str(percent)), HUNDRED)
    return band_for(whole, bands if bands is not None else bands_of(scale or default_scale()))


def check_bands(bands: list[tuple[int, int]]) -> list[str]:
    """Problems with a scale's bands ``(min, max)``: they must cover 0..100, each whole
    percentage once. Empty when the scale is sound."""
    covered: dict[int, int] = {}
    problems = []
    for low, high in bands:
        if low > high:
            problems.append(f"{low}-{high}: empty band")
        for value in range(low, high + 1):
            covered[value] = covered.get(value, 0) + 1
    for value in range(0, 101):
        if covered.get(value, 0) != 1:
            problems.append(f"{value}%: covered {covered.get(value, 0)} times")
    return problems
