"""Exams: who manages one, which exams a proctor or a grader has, which a student sees.

- **Managing** an exam (settings, questions, pools, extra time, publishing) belongs to
  the teachers of its exam-form choice (``policy.university.teaches`` on the choice's
  discipline x group x period) and to staff (the explicit override).
- **A proctor's exams** are those of their ``ExamProctor`` rows and every exam whose
  group belongs to a faculty of their ``FacultyProctor`` rows, while they hold the
  proctor role; staff proctor every exam.
- **A grader's exams** are those of their ``ExamGrader`` rows, while they hold the grader
  role. Staff are not graders.
- **A student** may start the published exams of their group (``may_sit``); what they
  see, including exams they started that went back to draft, is
  ``policy.attempts.exams_seen_by_student``.

Imports only ``exams`` and the layers below.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from emtihan.examforms.models import ExamFormChoice
from emtihan.exams.models import Exam, ExamGrader, ExamProctor, ExamStatus
from emtihan.university.models import FacultyProctor, Student

from .accounts import Person, is_grader, is_person, is_proctor, overrides
from .university import taught_by, teaches_ids


def may_manage_choice(user: Person, choice: ExamFormChoice) -> bool:
    """Creating the exam of an exam-form choice (and managing it afterwards)."""
    if overrides(user):
        return True
    return teaches_ids(
        user,
        discipline_id=choice.discipline_id,
        group_id=choice.group_id,
        period_id=choice.period_id,
    )


def may_manage_exam(user: Person, exam: Exam) -> bool:
    return may_manage_choice(user, exam.choice)


def choices_managed_by(user: Person) -> QuerySet[ExamFormChoice]:
    """Every choice ``may_manage_choice`` allows, as one queryset."""
    if overrides(user):
        return ExamFormChoice.objects.all()
    return ExamFormChoice.objects.filter(taught_by(user))


def exams_managed_by(user: Person) -> QuerySet[Exam]:
    """Every exam ``may_manage_exam`` allows, as one queryset."""
    if overrides(user):
        return Exam.objects.all()
    return Exam.objects.filter(taught_by(user, "choice__"))


def exams_proctored_by(user: Person) -> QuerySet[Exam]:
    """The exams in a proctor's scope (see the module's docstring)."""
    if overrides(user):
        return Exam.objects.all()
    if not is_proctor(user):
        return Exam.objects.none()
    return Exam.objects.filter(
        Q(pk__in=ExamProctor.objects.filter(user_id=user.pk).values("exam"))
        | Q(
            choice__group__faculty_id__in=FacultyProctor.objects.filter(user_id=user.pk).values(
                "faculty"
            )
        )
    )


def may_proctor_exam(user: Person, exam: Exam | int) -> bool:
    exam_id = exam.pk if isinstance(exam, Exam) else exam
    return exams_proctored_by(user).filter(pk=exam_id).exists()


def exams_graded_by(user: Person) -> QuerySet[Exam]:
    """The exams a grader is assigned to (staff are not graders)."""
    if not is_grader(user):
        return Exam.objects.none()
    return Exam.objects.filter(pk__in=ExamGrader.objects.filter(user_id=user.pk).values("exam"))


def may_grade_exam(user: Person, exam: Exam | int) -> bool:
    exam_id = exam.pk if isinstance(exam, Exam) else exam
    return exams_graded_by(user).filter(pk=exam_id).exists()


def may_be_grader(user: Person) -> bool:
    """Who can be assigned as a grader (and whose assignments count): the grader role."""
    return is_grader(user)


def student_of(user: Person) -> Student | None:
    """The registry's student record of a person (None: they sit no exams)."""
    if not is_person(user):
        return None
    return Student.objects.select_related("group").filter(user_id=user.pk).first()


def may_sit(student: Student, exam: Exam) -> bool:
    """Starting a sitting: a published exam of the student's group (the exam's choice
    loaded: no query). What a student *sees* is ``policy.attempts.exams_seen_by_student``."""
    return exam.status == ExamStatus.PUBLISHED and exam.choice.group_id == student.group_id
