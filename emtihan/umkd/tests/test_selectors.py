import pytest

from emtihan.policy.umkd import may_upload_material, may_view_materials
from emtihan.umkd.models import Section
from emtihan.umkd.selectors import (
    disciplines_for_teacher,
    materials_for_discipline,
    programme_versions_for,
)
from emtihan.umkd.services import material_upload

from .documents import PDF_BYTES, docx_bytes, upload

pytestmark = pytest.mark.django_db


def _upload(world, discipline, section=Section.FINAL_EXAM_PROGRAMME, material=None, name="p.pdf"):
    return material_upload(
        actor=world.teacher,
        discipline=discipline,
        section=section,
        file=upload(name, PDF_BYTES),
        material=material,
    )


def test_programme_versions_are_the_latest_of_each_programme_newest_first(world, media):
    first = _upload(world, world.algebra, name="first.pdf")
    second = _upload(world, world.algebra, name="second.pdf")
    first_v2 = _upload(world, world.algebra, material=first.material, name="first v2.pdf")
    _upload(world, world.algebra, section=Section.LECTURES)
    _upload(world, world.physics)

    assert list(programme_versions_for(world.algebra)) == [first_v2, second]


def test_materials_for_discipline_prefetch_versions(world, media, django_assert_num_queries):
    v1 = _upload(world, world.algebra)
    v2 = material_upload(
        actor=world.teacher,
        discipline=world.algebra,
        section=None,
        file=upload("b.docx", docx_bytes()),
        material=v1.material,
    )
    _upload(world, world.algebra, section=Section.SYLLABUS)
    with django_assert_num_queries(2):  # materials; versions joined with their uploaders
        materials = list(materials_for_discipline(world.algebra))
        versions = [list(m.versions.all()) for m in materials]
        uploaders = [str(v.uploaded_by) for vs in versions for v in vs]
    assert [m.section for m in materials] == [Section.FINAL_EXAM_PROGRAMME, Section.SYLLABUS]
    assert versions[0] == [v2, v1]
    assert len(uploaders) == 3


def test_disciplines_for_teacher_lists_each_current_discipline_once(world, media):
    _upload(world, world.algebra)
    rows = list(disciplines_for_teacher(world.teacher))
    assert [d.code for d in rows] == ["ALG", "PHY"]
    assert [d.has_programme for d in rows] == [True, False]
    assert [a.group.code for a in rows[0].current_assignments] == ["IS-2301", "IS-2302"]
    assert list(disciplines_for_teacher(world.student)) == []


def test_disciplines_of_a_past_period_are_not_listed(world):
    world.period.is_current = False
    world.period.save()
    assert list(disciplines_for_teacher(world.teacher)) == []


@pytest.mark.parametrize(
    ("persona", "can_view", "can_upload"),
    [
        ("teacher", True, True),
        ("head", True, False),
        ("registrar", True, True),
        ("other_teacher", False, False),
        ("other_head", False, False),
        ("student", False, False),
        ("outsider", False, False),
    ],
)
def test_who_may_see_and_upload(world, persona, can_view, can_upload):
    user = getattr(world, persona)
    assert may_view_materials(user, world.algebra) is can_view
    assert may_upload_material(user, world.algebra) is can_upload
