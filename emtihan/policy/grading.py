"""Marking and results: who marks a pile, who releases it, who reads a result.

- **Marking** an exam's works belongs to its graders: ``ExamGrader`` assignments while
  the person holds the grader role (``policy.exams.exams_graded_by``). Staff are not
  graders, and neither are the exam's teachers unless assigned: marking is anonymous,
  and the people who know the students are kept away from the pile by default.
- **Releasing** the results of an exam, and reading its marking progress, belongs to
  whoever manages the exam: its teachers and the exam office (staff).
- **A result** is read by the student whose sitting it is, once released.

Imports only ``grading`` and the layers below (never proctoring: the import contracts).
"""

from __future__ import annotations

from django.db.models import QuerySet

from emtihan.exams.models import Exam

from .accounts import Person, is_grader
from .exams import exams_graded_by, exams_managed_by, may_grade_exam, may_manage_exam


def may_open_marking(user: Person) -> bool:
    """The marking pages at all (the list may be empty): the grader role."""
    return is_grader(user)


def exams_marked_by(user: Person) -> QuerySet[Exam]:
    """The exams whose piles the person marks."""
    return exams_graded_by(user)


def may_mark(user: Person, exam: Exam | int) -> bool:
    """Read an exam's pile by code and mark its works."""
    return may_grade_exam(user, exam)


def may_release(user: Person, exam: Exam) -> bool:
    """Release an exam's results and read its marking progress: the exam's teachers and
    the exam office."""
    return may_manage_exam(user, exam)


def exams_released_by(user: Person) -> QuerySet[Exam]:
    """Every exam ``may_release`` allows, as one queryset."""
    return exams_managed_by(user)


def may_set_rubric(user: Person, exam: Exam) -> bool:
    """Set the rubric of an exam's written questions: the exam's teachers and the exam
    office (whoever manages the exam)."""
    return may_manage_exam(user, exam)


def may_configure_marking(user: Person, exam: Exam) -> bool:
    """Turn second marking on or off and set its threshold: whoever manages the exam."""
    return may_manage_exam(user, exam)


def may_settle(user: Person, exam: Exam, first_graders: set[int]) -> bool:
    """Settle a difference between the two graders of a work under second marking: the
    exam's teachers and the exam office, or a third grader of the exam (a grader who is
    not one of the two, ``first_graders``)."""
    if may_manage_exam(user, exam):
        return True
    return may_grade_exam(user, exam) and user.pk not in first_graders


def exams_settled_by(user: Person) -> QuerySet[Exam]:
    """The exams where the person may settle some work: managed or marked by them."""
    return (exams_managed_by(user) | exams_graded_by(user)).distinct()
