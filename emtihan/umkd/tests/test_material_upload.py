import hashlib
from unittest import mock

import pytest
from django.db import IntegrityError
from django.test import override_settings

from emtihan.audit.models import AuditEntry
from emtihan.core.errors import PermissionDeniedError, ValidationFailed
from emtihan.umkd import services
from emtihan.umkd.models import Material, MaterialVersion, Section
from emtihan.umkd.services import material_upload

from .conftest import stored_files
from .documents import EXE_BYTES, HTML_BYTES, PDF_BYTES, docx_bytes, odt_bytes, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

PROGRAMME = Section.FINAL_EXAM_PROGRAMME


def test_a_teacher_of_the_discipline_uploads_a_programme(world, media):
    version = material_upload(
        actor=world.teacher,
        discipline=world.algebra,
        section=PROGRAMME,
        file=upload("Algebra programme 2026.pdf", PDF_BYTES, "application/pdf"),
    )
    material = version.material
    assert material.discipline == world.algebra
    assert material.section == PROGRAMME
    assert material.title == "Algebra programme 2026"
    assert material.created_by == world.teacher
    assert version.number == 1
    assert version.document_type == "pdf"
    assert version.original_name == "Algebra programme 2026.pdf"
    assert version.size == len(PDF_BYTES)
    assert version.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert version.file.name == f"umkd/ALG/{PROGRAMME}/{material.pk}/v1.pdf"
    with version.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES


def test_it_keeps_a_given_title(world, media):
    version = material_upload(
        actor=world.teacher,
        discipline=world.algebra,
        section=Section.LECTURES,
        file=upload("l1.docx", docx_bytes()),
        title="  Lecture 1: groups  ",
    )
    assert version.material.title == "Lecture 1: groups"
    assert version.document_type == "docx"


def test_the_registrar_may_upload_to_any_discipline(world, media):
    version = material_upload(
        actor=world.registrar,
        discipline=world.anatomy,
        section=PROGRAMME,
        file=upload("p.odt", odt_bytes()),
    )
    assert version.document_type == "odt"


@pytest.mark.parametrize("persona", ["other_teacher", "head", "student", "outsider"])
def test_others_may_not_upload(world, media, persona):
    with pytest.raises(PermissionDeniedError) as exc:
        material_upload(
            actor=getattr(world, persona),
            discipline=world.algebra,
            section=PROGRAMME,
            file=upload("p.pdf", PDF_BYTES),
        )
    assert exc.value.message == services.ERR_NOT_YOUR_DISCIPLINE
    assert not Material.objects.exists()


def test_a_teacher_of_a_past_period_only_may_not_upload(world, media):
    world.period.is_current = False
    world.period.save()
    with pytest.raises(PermissionDeniedError):
        material_upload(
            actor=world.teacher,
            discipline=world.algebra,
            section=PROGRAMME,
            file=upload("p.pdf", PDF_BYTES),
        )


@override_settings(UMKD_MAX_UPLOAD_BYTES=100)
def test_an_oversized_file_is_refused_with_the_limit(world, media):
    with pytest.raises(ValidationFailed) as exc:
        material_upload(
            actor=world.teacher,
            discipline=world.algebra,
            section=PROGRAMME,
            file=upload("p.pdf", PDF_BYTES + b"%" * 3 * 1024 * 1024),
        )
    assert exc.value.errors == {
        "file": [services.ERR_FILE_TOO_LARGE % {"size": "3.1", "limit": "0.1"}]
    }
    assert not Material.objects.exists()
    assert stored_files(media) == []


def test_the_size_message_names_the_limit_in_megabytes(world, media, settings):
    settings.UMKD_MAX_UPLOAD_BYTES = 1024 * 1024
    with pytest.raises(ValidationFailed) as exc:
        material_upload(
            actor=world.teacher,
            discipline=world.algebra,
            section=PROGRAMME,
            file=upload("p.pdf", PDF_BYTES + b"%" * 1024 * 1024),
        )
    assert exc.value.errors["file"] == ["The file is 1.1 MB; the limit is 1 MB."]


@pytest.mark.parametrize(
    ("name", "content", "looks_like"),
    [
        ("programme.pdf", EXE_BYTES, "a program"),
        ("programme.pdf", HTML_BYTES, "a web page (HTML)"),
        ("programme.docx", xlsx_bytes(), "an Excel spreadsheet (XLSX)"),
        ("programme.pdf", b"plain words", "unknown"),
    ],
    ids=["exe", "html", "xlsx", "text"],
)
def test_a_disguised_file_is_refused_and_nothing_is_written(
    world, media, name, content, looks_like
):
    with pytest.raises(ValidationFailed) as exc:
        material_upload(
            actor=world.teacher,
            discipline=world.algebra,
            section=PROGRAMME,
            file=upload(name, content, "application/pdf"),
        )
    assert exc.value.errors == {"file": [services.ERR_FILE_TYPE % {"looks_like": looks_like}]}
    assert not Material.objects.exists()
    assert not MaterialVersion.objects.exists()
    assert not AuditEntry.objects.exists()
    assert stored_files(media) == []


def test_an_empty_file_is_refused(world, media):
    with pytest.raises(ValidationFailed) as exc:
        material_upload(
            actor=world.teacher,
            discipline=world.algebra,
            section=PROGRAMME,
            file=upload("p.pdf", b""),
        )
    assert exc.value.errors == {"file": [services.ERR_FILE_EMPTY]}


def test_section_and_file_are_required(world, media):
    with pytest.raises(ValidationFailed) as exc:
        material_upload(actor=world.teacher, discipline=world.algebra, section="", file=None)
    assert exc.value.errors == {
        "section": [services.ERR_SECTION_UNKNOWN],
        "file": [services.ERR_FILE_REQUIRED],
    }


def test_a_new_version_is_numbered_after_the_last(world, media):
    v1 = material_upload(
        actor=world.teacher,
        discipline=world.algebra,
        section=PROGRAMME,
        file=upload("p.pdf", PDF_BYTES),
    )
    v2 = material_upload(
        actor=world.teacher,
        discipline=world.algebra,
        section=None,
        file=upload("programme v2.docx", docx_bytes()),
        title="ignored: a version keeps its material's title",
        material=v1.material,
    )
    assert v2.material == v1.material
    assert v2.number == 2
    assert v2.material.title == "p"
    assert v2.file.name.endswith("/v2.docx")
    assert Material.objects.count() == 1
    assert list(v1.material.versions.values_list("number", flat=True)) == [2, 1]


def test_a_version_of_another_disciplines_material_is_refused(world, media):
    v1 = material_upload(
        actor=world.teacher,
        discipline=world.physics,
        section=PROGRAMME,
        file=upload("p.pdf", PDF_BYTES),
    )
    with pytest.raises(ValidationFailed) as exc:
        material_upload(
            actor=world.teacher,
            discipline=world.algebra,
            section=None,
            file=upload("p.pdf", PDF_BYTES),
            material=v1.material,
        )
    assert exc.value.errors == {"material": [services.ERR_MATERIAL_OTHER_DISCIPLINE]}
    assert MaterialVersion.objects.count() == 1


def test_a_version_cannot_move_its_material_to_another_section(world, media):
    v1 = material_upload(
        actor=world.teacher,
        discipline=world.algebra,
        section=PROGRAMME,
        file=upload("p.pdf", PDF_BYTES),
    )
    with pytest.raises(ValidationFailed) as exc:
        material_upload(
            actor=world.teacher,
            discipline=world.algebra,
            section=Section.LECTURES,
            file=upload("p.pdf", PDF_BYTES),
            material=v1.material,
        )
    assert exc.value.errors == {"section": [services.ERR_SECTION_MISMATCH]}


def test_the_upload_is_audited(world, media):
    version = material_upload(
        actor=world.teacher,
        discipline=world.algebra,
        section=PROGRAMME,
        file=upload("p.pdf", PDF_BYTES),
    )
    entry = AuditEntry.objects.get(action="umkd.upload")
    assert entry.actor == world.teacher
    assert entry.object_type == "umkd.materialversion"
    assert entry.object_id == str(version.pk)
    assert entry.data["discipline"] == "ALG"
    assert entry.data["number"] == 1
    assert entry.data["sha256"] == version.sha256
    assert entry.data["document_type"] == "pdf"


def test_a_failed_database_write_leaves_no_file_behind(world, media):
    with (
        mock.patch("emtihan.umkd.services.audit_record", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
    ):
        material_upload(
            actor=world.teacher,
            discipline=world.algebra,
            section=PROGRAMME,
            file=upload("p.pdf", PDF_BYTES),
        )
    assert not Material.objects.exists()
    assert not MaterialVersion.objects.exists()
    assert stored_files(media) == []
