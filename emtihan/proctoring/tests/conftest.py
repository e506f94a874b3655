"""Fixtures of the proctoring tests: the exam-sitting fixtures (``exam``, ``live_exam``,
``other_student``, ``proctor``, ``grader``, ``make_exam``, ``NOW``) plus a proctored exam."""

from __future__ import annotations

import pytest

from emtihan.attempts.tests.conftest import (  # noqa: F401  (fixtures)
    NOW,
    exam,
    grader,
    live_exam,
    make_exam,
    other_student,
    proctor,
)
from emtihan.exams.models import Exam, ProctoringLevel


@pytest.fixture
def required_exam(world) -> Exam:
    """A published exam of IS-2301, open at NOW, that requires proctoring."""
    return make_exam(world, proctoring=ProctoringLevel.REQUIRED)
