"""Exam-form choices: who edits, who reviews, who reads, what is exported.

Imports only ``examforms`` and the layers below.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from emtihan.examforms.models import ExamFormChoice
from emtihan.university.models import (
    AcademicPeriod,
    Department,
    Discipline,
    Faculty,
    StudyGroup,
    TeachingAssignment,
)

from .accounts import Person, is_person, is_registrar
from .university import departments_headed_by, heads_discipline, teaches


def may_edit_choice(
    user: Person, *, discipline: Discipline, group: StudyGroup, period: AcademicPeriod
) -> bool:
    """Saving (and sending for review) the choice of a discipline x group x period: its
    teachers only. Staff and heads do not fill in a teacher's choice."""
    return teaches(user, discipline=discipline, group=group, period=period)


def may_review_choice(user: Person, choice: ExamFormChoice) -> bool:
    """Approving, returning and reopening: the head of the discipline's department."""
    return heads_discipline(user, choice.discipline)


def may_view_choice(user: Person, choice: ExamFormChoice) -> bool:
    """Reading a choice and its history: its teachers, its head, the registrar's office."""
    if not is_person(user):
        return False
    return (
        may_review_choice(user, choice)
        or teaches(user, discipline=choice.discipline, group=choice.group, period=choice.period)
        or is_registrar(user)
    )


def teacher_assignments(user: Person, period: AcademicPeriod) -> QuerySet[TeachingAssignment]:
    """The rows of the teacher's exam-form list: their own assignments in ``period``."""
    if not is_person(user):
        return TeachingAssignment.objects.none()
    return TeachingAssignment.objects.filter(period=period, teacher__user_id=user.pk)


def review_assignments(user: Person, period: AcademicPeriod) -> QuerySet[TeachingAssignment]:
    """The rows of the head's review: every assignment in ``period`` of a discipline of a
    department the user heads (each one's choice is one they may review)."""
    return TeachingAssignment.objects.filter(
        period=period, discipline__department__in=departments_headed_by(user)
    )


@dataclass(frozen=True)
class ExportScope:
    """What a person may export: departments, faculties, everything."""

    departments: list[Department]
    faculties: list[Faculty]
    everything: bool

    @property
    def any(self) -> bool:
        return bool(self.departments or self.faculties or self.everything)

    def allows(self, kind: str, ident: int) -> bool:
        if kind == "all":
            return self.everything
        if kind == "department":
            return any(d.pk == ident for d in self.departments)
        if kind == "faculty":
            return any(f.pk == ident for f in self.faculties)
        return False


def export_scope(user: Person) -> ExportScope:
    """The registrar's office exports any department, faculty or everything; a head the
    departments they head; nobody else anything."""
    if is_registrar(user):
        return ExportScope(
            departments=list(Department.objects.select_related("faculty")),
            faculties=list(Faculty.objects.all()),
            everything=True,
        )
    return ExportScope(
        departments=list(departments_headed_by(user).select_related("faculty")),
        faculties=[],
        everything=False,
    )
