"""Fixtures of the proctoring tests: the exam-sitting fixtures
``other_student``, ``proctor``, ``grader``, ``make_exam``, ``NOW``) plus a proctored exam."""

from __future__ import annotations

import pytest

from emtihan.attempts.tests.conftest import (  # noqa: F401  (fixtures)
    NOW,
    grader,
    make_exam,
    other_student,
    proctor,
)
from emtihan.exams.models import Exam, ProctoringLevel


@pytest.fixture
def required_exam(world) -> Exam:
    """A published exam of IS-2301, open at NOW, that requires proctoring."""
    return make_exam(world, proctoring=ProctoringLevel.REQUIRED)


@pytest.fixture
def photo_on_file(world):
    """Put a photo on file for the world's student (``name`` from shared/testdata/faces)."""
    from django.core.files.base import ContentFile

    from emtihan.vision.tests.photos import photo_bytes

    def put(name: str) -> None:
        student = world.student.student
        student.photo.save(f"{student.student_id}.jpg", ContentFile(photo_bytes(name)))

    return put


@pytest.fixture
def proctor_in_scope(world, required_exam, proctor):  # noqa: F811  (the fixture)
    """The proctor, assigned to ``required_exam``."""
    from emtihan.exams.models import ExamProctor

    ExamProctor.objects.create(exam=required_exam, user=proctor)
    return proctor


@pytest.fixture
def consented(world):
    """Record the world student's consent to an exam's text (English)."""
    from emtihan.proctoring import services

    def agree(exam, *, at=NOW):
        paragraphs = services.consent_paragraphs(exam, "en")
        return services.consent_give(
            student_user=world.student,
            exam_id=exam.pk,
            version=services.consent_version(paragraphs),
            language="en",
            now=at,
        )

    return agree


@pytest.fixture
def recorded_sitting(world, consented):
    """A started sitting of an exam that records (no gate), with consent: (exam, attempt)."""
    from emtihan.attempts import services as attempts

    exam = make_exam(world, proctoring=ProctoringLevel.RECORD)
    consented(exam)
    attempt = attempts.attempt_start(student_user=world.student, exam_id=exam.pk, now=NOW)
    return exam, attempt
