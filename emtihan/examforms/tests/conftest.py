from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile

from emtihan.umkd.models import Material, MaterialVersion, Section

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def add_programme(
    discipline, user, *, title="Exam programme", section=Section.FINAL_EXAM_PROGRAMME
) -> MaterialVersion:
    material = Material.objects.create(
        discipline=discipline, section=section, title=title, created_by=user
    )
    return add_version(material, user)


def add_version(material: Material, user) -> MaterialVersion:
    number = material.versions.count() + 1
    version = MaterialVersion(
        material=material,
        number=number,
        original_name=f"{material.title}.pdf",
        document_type="pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        uploaded_by=user,
    )
    version.file.save(f"v{number}.pdf", ContentFile(PDF), save=False)
    version.save()
    return version


@pytest.fixture
def programmes(world):
    """One uploaded programme per discipline of the world."""
    return {
        "algebra": add_programme(world.algebra, world.teacher),
        "physics": add_programme(world.physics, world.teacher),
        "anatomy": add_programme(world.anatomy, world.other_teacher),
    }
