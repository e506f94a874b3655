"""Marking codes and the auto-grader's marks, given lazily to every ended sitting."""

from __future__ import annotations

from decimal import Decimal

import pytest

from emtihan.accounts.models import Role
from emtihan.attempts import services as attempts
from emtihan.attempts.tests.conftest import NOW
from emtihan.conftest import make_user
from emtihan.exams.grading import grade_closed
from emtihan.exams.models import Question, QuestionKind
from emtihan.grading.models import CODE_ALPHABET, CODE_LENGTH, Mark, Work, WorkState
from emtihan.grading.services import works_ensure
from emtihan.university.models import Student

pytestmark = pytest.mark.django_db


def test_every_ended_sitting_gets_one_random_code(pile, world):
    # one more student still sitting: no work for them
    user = make_user("late@kaznu.test", Role.STUDENT, full_name="Late Comer")
    Student.objects.create(user=user, student_id="202301999", group=world.g1)
    attempts.attempt_start(student_user=user, exam_id=pile.exam.pk, now=NOW)

    assert works_ensure(exam=pile.exam) == len(pile.attempts)
    assert works_ensure(exam=pile.exam) == 0  # idempotent
    works = list(Work.objects.filter(exam=pile.exam))
    assert sorted(w.attempt_id for w in works) == sorted(a.pk for a in pile.attempts)
    codes = [w.code for w in works]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert all(w.state == WorkState.UNMARKED for w in works)


def test_closed_questions_arrive_marked_by_the_auto_grader(pile):
    works_ensure(exam=pile.exam)
    right, wrong = pile.attempts[0], pile.attempts[1]
    for attempt, expect_full in ((right, True), (wrong, False)):
        marks = {m.question_id: m for m in Mark.objects.filter(work__attempt=attempt)}
        assert len(marks) == len(attempt.layout)
        for entry in attempt.layout:
            question = Question.objects.get(pk=entry["q"])
            mark = marks[question.pk]
            if question.kind == QuestionKind.WRITTEN:
                assert mark.points is None and mark.auto_points is None
                continue
            version = attempt.answers.get(question=question).versions.order_by("-number")[0]
            assert mark.auto_points == grade_closed(question, version.content)
            assert mark.points == mark.auto_points
            assert mark.points == (question.points if expect_full else Decimal("0.00"))
