"""A discipline's UMKD (teaching materials): who uploads, who reads, what is listed.

Imports only ``umkd`` and the layers below.
"""

from __future__ import annotations

from django.db.models import QuerySet

from emtihan.university.models import Discipline

from .accounts import Person, is_person, is_registrar
from .university import disciplines_taught_by, heads_discipline, teaches


def may_upload_material(user: Person, discipline: Discipline) -> bool:
    """The discipline's teachers in the current period, and the registrar's office."""
    return is_registrar(user) or teaches(user, discipline=discipline)


def may_view_materials(user: Person, discipline: Discipline) -> bool:
    """Uploaders, plus the head of the discipline's department (who reviews the
    programme chosen for the exam). A document version is readable when its discipline's
    materials are."""
    if not is_person(user):
        return False
    return heads_discipline(user, discipline) or may_upload_material(user, discipline)


def disciplines_listed_for(user: Person) -> QuerySet[Discipline]:
    """The "UMKD" page's list: the disciplines the person teaches this period (each of
    them opens, since a teacher may upload to it)."""
    return disciplines_taught_by(user)
