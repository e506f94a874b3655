"""Who proctors and who grades which exam: the registrar's assignments (writes and the
reads of their page).

A proctor is assigned to one exam (``ExamProctor``) or to a faculty (``FacultyProctor``:
every exam its students sit); a grader to one exam (``ExamGrader``). What an assignment
lets a person do is ``emtihan.policy.exams``; only the registrar's office writes them
(``policy.university.may_manage_assignments``), here or in the admin. Each write is one
transaction with its audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from emtihan.accounts.models import Role, User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.policy import accounts as roles
from emtihan.policy import exams as policy
from emtihan.policy import university as university_policy
from emtihan.university.models import Faculty, FacultyProctor

from .models import Exam, ExamGrader, ExamProctor

ERR_NOT_REGISTRAR = gettext_noop("Only the registrar's office assigns proctors and graders.")
ERR_PERSON_REQUIRED = gettext_noop("Choose a person.")
ERR_NOT_PROCTOR = gettext_noop(
    "This person does not have the proctor role: give it to them in the administration first."
)
ERR_NOT_GRADER = gettext_noop(
    "This person does not have the grader role: give it to them in the administration first."
)
ERR_SCOPE_REQUIRED = gettext_noop("Choose an exam or a faculty.")
ERR_SCOPE_BOTH = gettext_noop("Choose an exam or a faculty, not both.")
ERR_EXAM_REQUIRED = gettext_noop("Choose an exam.")
ERR_EXISTS = gettext_noop("This person is already assigned there.")
ERR_NOT_FOUND = gettext_noop("This assignment does not exist (any more).")

# The kinds of assignment, as the delete URL names them.
EXAM_PROCTOR = "exam-proctor"
FACULTY_PROCTOR = "faculty-proctor"
EXAM_GRADER = "exam-grader"
KINDS: dict[str, type[ExamProctor] | type[FacultyProctor] | type[ExamGrader]] = {
    EXAM_PROCTOR: ExamProctor,
    FACULTY_PROCTOR: FacultyProctor,
    EXAM_GRADER: ExamGrader,
}

Assignment = ExamProctor | FacultyProctor | ExamGrader
AssignmentT = TypeVar("AssignmentT", ExamProctor, FacultyProctor, ExamGrader)


def _check_registrar(actor: User) -> None:
    if not university_policy.may_manage_assignments(actor):
        raise PermissionDeniedError(_(ERR_NOT_REGISTRAR))


def _create(model: type[AssignmentT], **values: Any) -> AssignmentT:
    try:
        with transaction.atomic():
            return model.objects.create(**values)
    except IntegrityError:
        # The unique constraint: the same person and exam (or faculty) once.
        raise DomainError(_(ERR_EXISTS)) from None


@transaction.atomic
def proctor_assign(
    *,
    actor: User,
    user: User | None,
    exam: Exam | None = None,
    faculty: Faculty | None = None,
) -> ExamProctor | FacultyProctor:
    """Make ``user`` a proctor of ``exam`` or of every exam of ``faculty``'s students."""
    _check_registrar(actor)
    errors: dict[str, list[str]] = {}
    if user is None:
        errors["user"] = [_(ERR_PERSON_REQUIRED)]
    elif not university_policy.may_be_proctor(user):
        errors["user"] = [_(ERR_NOT_PROCTOR)]
    if exam is None and faculty is None:
        errors["__all__"] = [_(ERR_SCOPE_REQUIRED)]
    elif exam is not None and faculty is not None:
        errors["__all__"] = [_(ERR_SCOPE_BOTH)]
    if errors or user is None:
        raise ValidationFailed(errors)
    assignment: ExamProctor | FacultyProctor
    if exam is not None:
        assignment = _create(ExamProctor, exam=exam, user=user, created_by=actor)
        data = {"user": user.email, "exam": exam.pk}
    elif faculty is not None:  # one of the two, checked above
        assignment = _create(FacultyProctor, faculty=faculty, user=user, created_by=actor)
        data = {"user": user.email, "faculty": faculty.code}
    audit_record(actor=actor, action="assignments.proctor_add", obj=assignment, data=data)
    return assignment


@transaction.atomic
def grader_assign(*, actor: User, user: User | None, exam: Exam | None) -> ExamGrader:
    """Make ``user`` a grader of ``exam``."""
    _check_registrar(actor)
    errors: dict[str, list[str]] = {}
    if user is None:
        errors["user"] = [_(ERR_PERSON_REQUIRED)]
    elif not policy.may_be_grader(user):
        errors["user"] = [_(ERR_NOT_GRADER)]
    if exam is None:
        errors["exam"] = [_(ERR_EXAM_REQUIRED)]
    if errors or user is None or exam is None:
        raise ValidationFailed(errors)
    assignment = _create(ExamGrader, exam=exam, user=user, created_by=actor)
    audit_record(
        actor=actor,
        action="assignments.grader_add",
        obj=assignment,
        data={"user": user.email, "exam": exam.pk},
    )
    return assignment


def assignment_get(*, actor: User, kind: str, pk: int) -> Assignment:
    """One assignment, for the page that asks before removing it."""
    _check_registrar(actor)
    model = KINDS.get(kind)
    found = model.objects.select_related("user").filter(pk=pk).first() if model else None
    if found is None:
        raise DomainError(_(ERR_NOT_FOUND))
    return found


@transaction.atomic
def assignment_remove(*, actor: User, kind: str, pk: int) -> None:
    """Remove a proctor or grader assignment (the page asks for confirmation first)."""
    assignment = assignment_get(actor=actor, kind=kind, pk=pk)
    audit_record(
        actor=actor,
        action="assignments.remove",
        obj=assignment,
        data={"kind": kind, "user": assignment.user.email, "what": str(assignment)},
    )
    assignment.delete()


# --- reads of the registrar's page ------------------------------------------------------


@dataclass
class AssignmentLists:
    exam_proctors: list[ExamProctor]
    faculty_proctors: list[FacultyProctor]
    exam_graders: list[ExamGrader]


def assignment_lists() -> AssignmentLists:
    """Every assignment, three queries."""
    exam_related = ("user", "exam__choice__discipline", "exam__choice__group", "created_by")
    return AssignmentLists(
        exam_proctors=list(
            ExamProctor.objects.select_related(*exam_related).order_by("exam__opens_at", "pk")
        ),
        faculty_proctors=list(
            FacultyProctor.objects.select_related("user", "faculty", "created_by").order_by(
                "faculty__code", "user__email"
            )
        ),
        exam_graders=list(
            ExamGrader.objects.select_related(*exam_related).order_by("exam__opens_at", "pk")
        ),
    )


def assignable_exams() -> QuerySet[Exam]:
    """The exams the page offers: those of the current academic period, by window."""
    return (
        Exam.objects.filter(choice__period__is_current=True)
        .select_related("choice__discipline", "choice__group")
        .order_by("opens_at", "pk")
    )


def proctor_candidates() -> QuerySet[User]:
    return roles.people_with_role(Role.PROCTOR)


def grader_candidates() -> QuerySet[User]:
    return roles.people_with_role(Role.GRADER)
