"""Reads of UMKD: what a discipline holds, what a teacher teaches, who may see what."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from emtihan.accounts.models import Role
from emtihan.university.models import Discipline, TeachingAssignment

from .models import Material, MaterialVersion, Section


def user_is_registrar(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.has_role(Role.REGISTRAR))
    )


def user_teaches(user: Any, discipline: Discipline) -> bool:
    """Whether ``user`` teaches ``discipline`` (to any group) in the current period."""
    if not (user.is_authenticated and user.is_active):
        return False
    return TeachingAssignment.objects.filter(
        teacher__user=user, discipline=discipline, period__is_current=True
    ).exists()


def user_can_upload(user: Any, discipline: Discipline) -> bool:
    """Teachers of the discipline in the current period, and the registrar's office."""
    return user_is_registrar(user) or user_teaches(user, discipline)


def user_can_view(user: Any, discipline: Discipline) -> bool:
    """Uploaders, plus the head of the discipline's department (who reviews the programme)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if discipline.department.head_id == user.pk:
        return True
    return user_can_upload(user, discipline)


def _latest_only(qs: QuerySet[MaterialVersion]) -> QuerySet[MaterialVersion]:
    newer = MaterialVersion.objects.filter(
        material=OuterRef("material"), number__gt=OuterRef("number")
    )
    return qs.filter(~Exists(newer))


def programme_versions_for(discipline: Discipline) -> QuerySet[MaterialVersion]:
    """The latest version of each final-exam programme of ``discipline``, newest first.

    The exam-form dialog lists these; older versions are history, not a choice.
    """
    qs = MaterialVersion.objects.filter(
        material__discipline=discipline, material__section=Section.FINAL_EXAM_PROGRAMME
    )
    return _latest_only(qs).select_related("material").order_by("-uploaded_at", "-pk")


def materials_for_discipline(discipline: Discipline) -> QuerySet[Material]:
    """All materials of ``discipline`` by section and title, versions (newest first) prefetched."""
    versions = MaterialVersion.objects.select_related("uploaded_by").order_by("-number")
    return (
        Material.objects.filter(discipline=discipline)
        .order_by("section", "title", "pk")
        .prefetch_related(Prefetch("versions", queryset=versions))
    )


def disciplines_for_teacher(user: Any) -> QuerySet[Discipline]:
    """Disciplines ``user`` teaches in the current period, each once.

    Annotated with ``has_programme`` (a final-exam programme with at least one version is
    uploaded) and prefetched ``current_assignments`` (this teacher's groups).
    """
    has_programme = MaterialVersion.objects.filter(
        material__discipline=OuterRef("pk"), material__section=Section.FINAL_EXAM_PROGRAMME
    )
    mine = TeachingAssignment.objects.filter(teacher__user=user, period__is_current=True)
    return (
        Discipline.objects.filter(pk__in=mine.values("discipline"))
        .select_related("department")
        .annotate(has_programme=Exists(has_programme))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=mine.select_related("group").order_by("group__code"),
                to_attr="current_assignments",
            )
        )
        .order_by("code")
    )
