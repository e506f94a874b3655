"""Marking and results: who marks a pile, who releases it, who reads a result.

- **Marking** an exam's works belongs to its graders: ``ExamGrader`` assignments while
  the person holds the grader role (``policy.exams.exams_graded_by``). Staff are not
  graders, and neither are the exam's teachers unless assigned: marking is anonymous,
  and the people who know the students are kept away from the pile by default.
- **Releasing** the results of an exam, and reading its marking progress, belongs to
  whoever manages the exam: its teachers and the exam office (staff).
- **A result** is read by the student whose sitting it is, once released; that student
  alone files an **appeal** against it (when, is the service's rule: the appeal period).
- **Appeals** are reviewed by the appeal commission of the exam: its teachers and the exam
  office (staff), the same people who release its results. They see the student's name:
  at appeal time the result is released and identity is joined already.
- **The gradebook** (XLSX per exam, group or discipline) is exported by the registrar's
  office (the registrar role, or staff).

Imports only ``grading`` and the layers below (never proctoring: the import contracts).
"""

from __future__ import annotations

from django.db.models import QuerySet

from emtihan.exams.models import Exam

from .accounts import Person, is_grader, is_person, is_registrar, is_teacher, overrides
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


def may_file_appeal(user: Person, student_user_id: int) -> bool:
    """File an appeal against a result: only the student whose sitting it is."""
    return is_person(user) and user.pk == student_user_id


def may_review_appeal(user: Person, exam: Exam) -> bool:
    """Review (change the marks of, or reject) an appeal against a result of ``exam``:
    the appeal commission, i.e. the exam's teachers and the exam office."""
    return may_manage_exam(user, exam)


def may_open_appeals(user: Person) -> bool:
    """The "Appeals" page (the appeals of the exams one reviews; the list may be empty):
    teachers and the exam office."""
    return is_teacher(user) or overrides(user)


def exams_appeals_reviewed_by(user: Person) -> QuerySet[Exam]:
    """Every exam whose appeals ``may_review_appeal`` allows, as one queryset."""
    return exams_managed_by(user)


def may_export_gradebook(user: Person) -> bool:
    """Export the gradebook (XLSX): the registrar's office (registrar role or staff)."""
    return is_registrar(user)


def may_review_identifying_marks(user: Person) -> bool:
    """The identifying marks found in works (names, IDs, signatures) and the decision on
    them: the exam office only (staff). Never graders: marking stays anonymous (DESIGN.md
    invariant 6)."""
    return overrides(user)


def may_archive(user: Person) -> bool:
    """Build and download exams' archives (a PDF per work, naming the student): the exam
    office and the registrar, for the registry. Never a grader of the exam: marking stays
    anonymous (``exams_archived_by`` leaves those exams out)."""
    return is_registrar(user)


def exams_archived_by(user: Person) -> QuerySet[Exam]:
    """The exams whose archives the person builds: every exam for the exam office, less
    the ones they mark."""
    if not may_archive(user):
        return Exam.objects.none()
    return Exam.objects.exclude(pk__in=exams_graded_by(user).values("pk"))
