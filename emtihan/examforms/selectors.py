"""Reading exam-form choices for the teacher's list, the head's review and exports."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from emtihan.accounts.models import User
from emtihan.policy import examforms as policy
from emtihan.university.models import AcademicPeriod, Discipline, StudyGroup, TeachingAssignment

from .models import ChoiceStatus, ExamFormChoice


@dataclass
class ChoiceRow:
    """One discipline x group line of a list, with its choice if one was saved."""

    discipline: Discipline
    group: StudyGroup
    student_count: int
    teachers: list[str]
    choice: ExamFormChoice | None

    @property
    def status(self) -> str:
        return self.choice.status if self.choice else ChoiceStatus.NOT_CHOSEN

    @property
    def status_label(self) -> str:
        return str(ChoiceStatus(self.status).label)

    @property
    def key(self) -> str:
        return f"{self.discipline.pk}-{self.group.pk}"


def _rows(assignments: QuerySet[TeachingAssignment], period: AcademicPeriod) -> list[ChoiceRow]:
    assignments = assignments.select_related(
        "discipline__department__faculty", "group", "teacher__user"
    ).order_by("discipline__code", "group__code")
    pairs: dict[tuple[int, int], ChoiceRow] = {}
    for a in assignments:
        key = (a.discipline_id, a.group_id)
        row = pairs.get(key)
        if row is None:
            row = pairs[key] = ChoiceRow(a.discipline, a.group, 0, [], None)
        row.teachers.append(str(a.teacher.user))
    if not pairs:
        return []
    group_ids = {g for _d, g in pairs}
    counts = dict(
        StudyGroup.objects.filter(pk__in=group_ids)
        .annotate(n=Count("students", filter=Q(students__is_active=True)))
        .values_list("pk", "n")
    )
    choices = ExamFormChoice.objects.filter(
        period=period, discipline_id__in={d for d, _g in pairs}, group_id__in=group_ids
    ).select_related("programme__material", "decided_by", "updated_by")
    for choice in choices:
        row = pairs.get((choice.discipline_id, choice.group_id))
        if row is not None:
            row.choice = choice
    for (_d, g), row in pairs.items():
        row.student_count = counts.get(g, 0)
    return list(pairs.values())


def teacher_rows(*, user: User, period: AcademicPeriod) -> list[ChoiceRow]:
    """The teacher's current groups x disciplines (the list of the UNIVER page)."""
    return _rows(policy.teacher_assignments(user, period), period)


def review_rows(
    *, head: User, period: AcademicPeriod, status: str | None = None
) -> list[ChoiceRow]:
    """Every discipline x group of the departments the user heads, optionally by status."""
    rows = _rows(policy.review_assignments(head, period), period)
    if status:
        rows = [r for r in rows if r.status == status]
    return rows


def status_counts(rows: list[ChoiceRow]) -> dict[str, int]:
    counts = {s.value: 0 for s in ChoiceStatus}
    for row in rows:
        counts[row.status] += 1
    return counts


def export_rows(
    *,
    period: AcademicPeriod,
    department_ids: list[int] | None = None,
    faculty_id: int | None = None,
) -> list[ChoiceRow]:
    assignments = TeachingAssignment.objects.filter(period=period)
    if department_ids is not None:
        assignments = assignments.filter(discipline__department_id__in=department_ids)
    if faculty_id is not None:
        assignments = assignments.filter(discipline__department__faculty_id=faculty_id)
    return _rows(assignments, period)
