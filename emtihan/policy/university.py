"""Teaching, headship, the registrar and faculty proctors: the registry's facts as rights.

**Teaches** has one meaning everywhere: a person teaches an object when a
``TeachingAssignment`` links them (as a teacher) to the object's discipline, and to the
object's group and academic period where the object has them. An object without a
period (a discipline's UMKD) is judged in the current period; one without a group (the
UMKD again) by any group. So a teacher edits the exam-form choice of exactly the
discipline x group x period they are assigned, manages the exam of that choice, and
uploads materials of the disciplines they teach this period. Staff are not teachers:
where staff may act on a teacher's object, the caller says so through
``policy.accounts.overrides``.

**Heads** a department: ``Department.head`` is the person. The head role opens the head's
pages; the departments in the registry decide which disciplines they review.

Imports only ``university`` and the layers below.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from emtihan.university.models import (
    AcademicPeriod,
    Department,
    Discipline,
    StudyGroup,
    TeachingAssignment,
)

from .accounts import Person, is_head, is_person, is_proctor, is_registrar


def teaching_assignments_of(
    user: Person, *, period: AcademicPeriod | None = None
) -> QuerySet[TeachingAssignment]:
    """The person's teaching assignments in ``period`` (default: the current period)."""
    if not is_person(user):
        return TeachingAssignment.objects.none()
    rows = TeachingAssignment.objects.filter(teacher__user_id=user.pk)
    if period is None:
        return rows.filter(period__is_current=True)
    return rows.filter(period=period)


def teaches(
    user: Person,
    *,
    discipline: Discipline,
    group: StudyGroup | None = None,
    period: AcademicPeriod | None = None,
) -> bool:
    """Whether ``user`` teaches ``discipline`` (to ``group``, when given) in ``period``
    (the current period when not given). See the module's docstring."""
    return teaches_ids(
        user,
        discipline_id=discipline.pk,
        group_id=group.pk if group is not None else None,
        period_id=period.pk if period is not None else None,
    )


def teaches_ids(
    user: Person, *, discipline_id: int, group_id: int | None = None, period_id: int | None = None
) -> bool:
    """``teaches`` by ids, for a caller holding only an object's foreign keys (one query)."""
    if not is_person(user):
        return False
    rows = TeachingAssignment.objects.filter(teacher__user_id=user.pk, discipline_id=discipline_id)
    rows = (
        rows.filter(period__is_current=True)
        if period_id is None
        else rows.filter(period_id=period_id)
    )
    if group_id is not None:
        rows = rows.filter(group_id=group_id)
    return rows.exists()


def taught_by(user: Person, prefix: str = "") -> Exists | Q:
    """A filter for a queryset of objects with ``discipline``, ``group`` and ``period``
    (reached through ``prefix``, e.g. ``"choice__"``): the ones ``user`` teaches."""
    if not is_person(user):
        return Q(pk__in=[])
    return Exists(
        TeachingAssignment.objects.filter(
            teacher__user_id=user.pk,
            discipline=OuterRef(f"{prefix}discipline"),
            group=OuterRef(f"{prefix}group"),
            period=OuterRef(f"{prefix}period"),
        )
    )


def disciplines_taught_by(user: Person) -> QuerySet[Discipline]:
    """Disciplines ``user`` teaches (to any group) in the current period, each once."""
    return Discipline.objects.filter(pk__in=teaching_assignments_of(user).values("discipline"))


def heads(user: Person, department: Department) -> bool:
    return is_person(user) and department.head_id == user.pk


def heads_discipline(user: Person, discipline: Discipline) -> bool:
    """Whether ``user`` heads the department that teaches ``discipline``."""
    return heads(user, discipline.department)


def departments_headed_by(user: Person) -> QuerySet[Department]:
    if not is_person(user):
        return Department.objects.none()
    return Department.objects.filter(head_id=user.pk)


def may_open_review(user: Person) -> bool:
    """The head's review pages: the head role, or heading a department in the registry
    (the list shows only the departments they head, so it may be empty)."""
    return is_head(user) or departments_headed_by(user).exists()


def may_open_export(user: Person) -> bool:
    """The export page: the registrar's office, and whoever may open the head's review
    (the menu offers it to both); what each may download is ``examforms.export_scope``."""
    return is_registrar(user) or may_open_review(user)


def may_import_registry(user: Person) -> bool:
    return is_registrar(user)


def may_manage_assignments(user: Person) -> bool:
    """Creating and removing proctor and grader assignments: the registrar's office."""
    return is_registrar(user)


def may_be_proctor(user: Person) -> bool:
    """Who can be assigned as a proctor (and whose assignments count): the proctor role."""
    return is_proctor(user)
