"""Sittings: the student's own, a proctor's decisions, and who sees the pictures.

- A student acts only on their own attempts (``own_attempts``) and sees the exams of
  ``exams_seen_by_student``.
- A proctor reads the sittings of the exams in their scope (``policy.exams``) and
  decides on them; staff do the same for every exam. Whether a sitting *can* be decided
  (it must have ended) is the sitting's state, checked by ``attempts.services``.
- A cancel or postpone needs a second reviewer: whoever may decide on the sitting,
  except the person who proposed it (``may_confirm_proposal``).
- A picture in a student's answer is served to that student, to the teachers who manage
  the exam and the head of its discipline's department, to proctors in scope, and, by its
  opaque key only, to graders of the exam: the path ``attempts:picture`` names the
  attempt, so graders never get it.

Imports only ``attempts`` and the layers below.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from emtihan.attempts.models import Attempt, DecisionProposal, Picture
from emtihan.exams.models import Exam, ExamStatus
from emtihan.university.models import Student

from .accounts import Person, is_person, may_proctor
from .exams import exams_proctored_by, may_grade_exam, may_manage_exam, may_proctor_exam
from .university import heads_discipline


def own_attempts(user: Person) -> QuerySet[Attempt]:
    """The person's own sittings (every student-side read and write starts here)."""
    if not is_person(user):
        return Attempt.objects.none()
    return Attempt.objects.filter(student__user_id=user.pk)


def exams_seen_by_student(student: Student) -> QuerySet[Exam]:
    """The exams a student sees: the published ones of their group, and any they have
    started (an exam sent back to draft when its choice was reopened keeps its sittings:
    the student continues to the deadline, or reads the receipts)."""
    started = Attempt.objects.filter(exam=OuterRef("pk"), student=student)
    return Exam.objects.filter(
        Q(choice__group_id=student.group_id) & (Q(status=ExamStatus.PUBLISHED) | Q(Exists(started)))
    )


def may_open_decisions(user: Person) -> bool:
    """The proctor's pages: proctors (their list may be empty) and staff."""
    return may_proctor(user)


def attempts_proctored_by(user: Person) -> QuerySet[Attempt]:
    """Every sitting of an exam in the person's proctor scope."""
    return Attempt.objects.filter(exam__in=exams_proctored_by(user))


def may_decide(user: Person, attempt: Attempt) -> bool:
    """Accept, cancel or postpone a sitting: proctors of its exam, and staff."""
    return may_proctor_exam(user, attempt.exam_id)


def is_second_reviewer(user: Person, proposal: DecisionProposal) -> bool:
    """Not the person who proposed it: the half of ``may_confirm_proposal`` a list of
    proposals already narrowed to the person's scope still needs (no query)."""
    return is_person(user) and user.pk != proposal.proposed_by_id


def may_confirm_proposal(user: Person, proposal: DecisionProposal) -> bool:
    """Confirm a proposed cancel or postpone, making it final: a second reviewer, that
    is whoever may decide on the sitting except the person who proposed it."""
    return is_second_reviewer(user, proposal) and may_decide(user, proposal.attempt)


def may_reject_proposal(user: Person, proposal: DecisionProposal) -> bool:
    """Reject a proposal (the sitting stays undecided, the note is kept): whoever may
    decide on the sitting, the proposer included (that is how they withdraw it)."""
    return may_decide(user, proposal.attempt)


def _exam_staff_may_view(user: Person, attempt: Attempt) -> bool:
    exam = attempt.exam
    return (
        may_manage_exam(user, exam)
        or heads_discipline(user, exam.choice.discipline)
        or may_proctor_exam(user, exam)
    )


def may_view_picture(user: Person, picture: Picture) -> bool:
    """The picture by its attempt's path: the student, the exam's teachers and head,
    proctors in scope, staff. Never graders (the path names the attempt)."""
    if not is_person(user):
        return False
    attempt = picture.attempt
    if attempt.student.user_id == user.pk:
        return True
    return _exam_staff_may_view(user, attempt)


def may_view_picture_by_key(user: Person, picture: Picture) -> bool:
    """The picture by its opaque key: graders of the exam, and whoever may see it by
    its path."""
    return may_grade_exam(user, picture.attempt.exam_id) or may_view_picture(user, picture)
