"""Numbers as people read them, in their language."""

from __future__ import annotations

import math

from django.utils.translation import ngettext


def minutes(n: int) -> str:
    """ "1 minute", "42 minutes" ("42 минуты", "42 минут"): how a page says a duration."""
    return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}


def minutes_of_seconds(seconds: float) -> int:
    """Whole minutes, rounded up: 1 s of absence past a 20-minute cap reads "21 minutes",
    never "20 minutes of 20" (the cap is checked in seconds; a person must not read less
    than was counted)."""
    return max(0, math.ceil(seconds / 60))
