"""Writes of the grading app: the pile's works and codes, marks, release."""

from .appeals import NewMark, appeal_deadline, appeal_decide, appeal_file, may_still_appeal
from .identifying import DISMISS, REFER, flags_decide
from .marking import MarkInput, parse_points, work_mark, work_state
from .release import ReleaseSummary, releasable, release_summary, results_release
from .rubrics import RUBRIC_MAX_CRITERIA, CriterionInput, rubric_set
from .second import (
    independent_mark,
    marking_for,
    marking_settings_set,
    marking_started,
    settings_of,
    work_settle,
)
from .works import final_contents, new_code, works_ensure

__all__ = [
    "DISMISS",
    "REFER",
    "flags_decide",
    "independent_mark",
    "marking_for",
    "marking_settings_set",
    "marking_started",
    "settings_of",
    "work_settle",
    "RUBRIC_MAX_CRITERIA",
    "CriterionInput",
    "rubric_set",
    "NewMark",
    "appeal_deadline",
    "appeal_decide",
    "appeal_file",
    "may_still_appeal",
    "MarkInput",
    "ReleaseSummary",
    "final_contents",
    "new_code",
    "parse_points",
    "releasable",
    "release_summary",
    "results_release",
    "work_mark",
    "work_state",
    "works_ensure",
]
