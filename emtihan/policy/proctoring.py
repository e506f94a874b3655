"""Proctoring: who sees a student's recordings, who decides on an identity by hand.

- **The student** acts on their own proctoring session only (consent, device check,
  identity check, uploads during their own sitting) for an exam they see
  (``policy.attempts.exams_seen_by_student``), and reads everything recorded about
  them: their log, their own pictures and clips.
- **Proctors** of the exam (``policy.exams.exams_proctored_by``: their exam and faculty
  assignments) and the exam office (staff) see every session of the exam, its frames,
  snapshots, keyframes and clips, and approve or reject an identity by hand.
- **Nobody else**: not the exam's teachers, not the head of department, never graders
  (graders see only an attempt code, DESIGN.md invariant 6).

Imports only ``proctoring`` and the layers below.
"""

from __future__ import annotations

from django.db.models import QuerySet

from emtihan.attempts.models import Attempt
from emtihan.exams.models import Exam
from emtihan.proctoring.models import ProctoringSession

from .accounts import Person, is_person, may_proctor
from .attempts import exams_seen_by_student
from .exams import exams_proctored_by, may_proctor_exam, student_of


def exams_for_proctoring(user: Person) -> QuerySet[Exam]:
    """The exams whose proctoring the person may take part in as a student: the exams
    they see. Empty for anyone who is not a student."""
    student = student_of(user)
    if student is None:
        return Exam.objects.none()
    return exams_seen_by_student(student)


def own_sessions(user: Person) -> QuerySet[ProctoringSession]:
    """The person's own proctoring sessions (every student-side read starts here)."""
    if not is_person(user):
        return ProctoringSession.objects.none()
    return ProctoringSession.objects.filter(student__user_id=user.pk)


def may_review_session(user: Person, session: ProctoringSession) -> bool:
    """Seeing a session's recordings and deciding on its identity by hand: proctors of
    its exam, and staff."""
    return may_proctor_exam(user, session.exam_id)


def may_view_recording(user: Person, session: ProctoringSession) -> bool:
    """A picture or clip of the session: the student it is about, or its reviewers."""
    if not is_person(user):
        return False
    if session.student.user_id == user.pk:
        return True
    return may_review_session(user, session)


def may_open_console(user: Person) -> bool:
    """The door to the proctor's console and review pages: proctors and staff (their
    exams are narrowed by ``exams_in_console``). Graders, teachers and students never."""
    return may_proctor(user)


def exams_in_console(user: Person) -> QuerySet[Exam]:
    """The exams whose console the person opens: their proctor scope (staff: all)."""
    return exams_proctored_by(user)


def may_review_attempt(user: Person, attempt: Attempt) -> bool:
    """An attempt's review page (its timeline, pictures, identity frames): proctors of
    its exam, and staff."""
    return may_proctor_exam(user, attempt.exam_id)
