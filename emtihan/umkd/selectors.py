"""Reads of UMKD: what a discipline holds and the teacher's list of disciplines (who may
see or upload what is ``emtihan.policy.umkd``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from emtihan.policy import umkd as policy
from emtihan.policy.university import teaching_assignments_of
from emtihan.university.models import Discipline

from .models import Material, MaterialVersion, Section


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
    mine = teaching_assignments_of(user)
    return (
        policy.disciplines_listed_for(user)
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
