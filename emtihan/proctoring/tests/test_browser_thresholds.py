"""The browser's face-analysis thresholds that the server also has are the server's
figures (frontend/src/proctoring/face/thresholds.ts against rules.py)."""

from __future__ import annotations

import re
from pathlib import Path

from emtihan.proctoring import rules

THRESHOLDS_TS = Path(__file__).resolve().parents[3] / "frontend/src/proctoring/face/thresholds.ts"
SHARED = (
    "ABSENT_MIN_SECONDS",
    "LOOKING_AWAY_MIN_SECONDS",
    "LOOKING_AWAY_YAW_DEGREES",
    "LOOKING_AWAY_PITCH_DEGREES",
    "MULTIPLE_FACES_MIN",
)


def browser_constants() -> dict[str, float]:
    text = THRESHOLDS_TS.read_text()
    found = re.findall(r"^export const ([A-Z_]+) = ([0-9_.]+);", text, re.MULTILINE)
    return {name: float(value.replace("_", "")) for name, value in found}


def test_shared_thresholds_are_the_servers():
    browser = browser_constants()
    for name in SHARED:
        assert name in browser, f"{name} is missing from {THRESHOLDS_TS.name}"
        assert browser[name] == float(getattr(rules, name)), name
