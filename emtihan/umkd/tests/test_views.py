from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from emtihan.umkd import services
from emtihan.umkd.models import Material, MaterialVersion, Section
from emtihan.umkd.services import material_upload

from .conftest import stored_files
from .documents import EXE_BYTES, PDF_BYTES, docx_bytes, upload

pytestmark = pytest.mark.django_db

PROGRAMME = Section.FINAL_EXAM_PROGRAMME


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def materials_url(discipline, **query) -> str:
    url = reverse("umkd:discipline_materials", args=[discipline.pk])
    if query:
        url += "?" + urlencode(query)
    return url


def _programme(world, name="programme.pdf"):
    return material_upload(
        actor=world.teacher,
        discipline=world.algebra,
        section=PROGRAMME,
        file=upload(name, PDF_BYTES),
    )


# --- my_disciplines --------------------------------------------------------------------


def test_my_disciplines_shows_whether_a_programme_is_uploaded(world, media):
    _programme(world)
    response = client_for(world.teacher).get(reverse("umkd:my_disciplines"))
    assert response.status_code == 200
    rows = {d.code: d.has_programme for d in response.context["disciplines"]}
    assert rows == {"ALG": True, "PHY": False}
    assert (
        materials_url(world.physics, section=PROGRAMME).replace("?", "?")
        in response.content.decode()
    )


def test_my_disciplines_needs_login(world):
    response = Client().get(reverse("umkd:my_disciplines"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- discipline_materials --------------------------------------------------------------


def test_the_page_lists_sections_materials_and_versions(world, media):
    v1 = _programme(world, "programme.pdf")
    material_upload(
        actor=world.teacher,
        discipline=world.algebra,
        section=None,
        file=upload("programme v2.docx", docx_bytes()),
        material=v1.material,
    )
    response = client_for(world.teacher).get(materials_url(world.algebra))
    assert response.status_code == 200
    html = response.content.decode()
    assert "programme v2.docx" in html
    assert "programme.pdf" in html
    assert reverse("umkd:download", args=[v1.pk]) in html
    assert [s["value"] for s in response.context["sections"]] == list(Section.values)
    assert response.context["can_upload"] is True


def test_the_section_can_be_preselected(world):
    response = client_for(world.teacher).get(
        materials_url(world.algebra, section=PROGRAMME, next="/exam-forms/")
    )
    form = response.context["form"]
    assert form.initial == {"section": PROGRAMME, "next": "/exam-forms/"}


def test_the_head_sees_the_page_without_the_upload_form(world, media):
    response = client_for(world.head).get(materials_url(world.algebra))
    assert response.status_code == 200
    assert response.context["can_upload"] is False
    assert b'id="upload"' not in response.content


@pytest.mark.parametrize("persona", ["other_teacher", "other_head", "student", "outsider"])
def test_others_may_not_see_the_page(world, persona):
    assert client_for(getattr(world, persona)).get(materials_url(world.algebra)).status_code == 403


def test_a_teacher_uploads_and_is_sent_back(world, media):
    client = client_for(world.teacher)
    response = client.post(
        materials_url(world.algebra),
        {
            "section": PROGRAMME,
            "title": "",
            "file": upload("Programme.pdf", PDF_BYTES),
            "next": "/exam-forms/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/exam-forms/"
    version = MaterialVersion.objects.get()
    assert version.material.title == "Programme"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Uploaded “Programme”, version 1."
    ]


def test_an_unsafe_next_is_ignored(world, media):
    url = materials_url(world.algebra)
    response = client_for(world.teacher).post(
        url,
        {"section": PROGRAMME, "file": upload("p.pdf", PDF_BYTES), "next": "https://evil.example/"},
    )
    assert response["Location"] == url


def test_a_bad_upload_shows_the_error_beside_the_file(world, media):
    response = client_for(world.teacher).post(
        materials_url(world.algebra), {"section": PROGRAMME, "file": upload("p.pdf", EXE_BYTES)}
    )
    assert response.status_code == 200
    message = services.ERR_FILE_TYPE % {"looks_like": "a program"}
    assert response.context["form"].errors == {"file": [message]}
    assert message in response.content.decode()
    assert not Material.objects.exists()
    assert stored_files(media) == []


def test_a_new_version_is_uploaded_from_the_materials_row(world, media):
    v1 = _programme(world)
    response = client_for(world.teacher).post(
        materials_url(world.algebra),
        {"material": v1.material.pk, "file": upload("v2.docx", docx_bytes())},
    )
    assert response.status_code == 302
    assert v1.material.versions.count() == 2


def test_a_bad_new_version_shows_its_error_in_its_row(world, media):
    v1 = _programme(world)
    response = client_for(world.teacher).post(
        materials_url(world.algebra), {"material": v1.material.pk, "file": upload("v2.pdf", b"")}
    )
    assert response.status_code == 200
    assert response.context["version_form_material"] == v1.material.pk
    assert response.context["version_form"].errors == {"file": [services.ERR_FILE_EMPTY]}
    assert not response.context["form"].is_bound


def test_the_head_may_not_upload(world, media):
    response = client_for(world.head).post(
        materials_url(world.algebra), {"section": PROGRAMME, "file": upload("p.pdf", PDF_BYTES)}
    )
    assert response.status_code == 403
    assert not Material.objects.exists()


# --- download --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["teacher", "head", "registrar"])
def test_download_serves_the_file_under_its_original_name(world, media, persona):
    version = _programme(world, "Бағдарлама 2026.pdf")
    response = client_for(getattr(world, persona)).get(reverse("umkd:download", args=[version.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''%D0%91%D0%B0%D2%93%D0%B4%D0%B0%D1%80%D0%BB%D0%B0%D0%BC%D0%B0%202026.pdf"
        in response["Content-Disposition"]
    )
    assert b"".join(response.streaming_content) == PDF_BYTES


@pytest.mark.parametrize("persona", ["other_teacher", "other_head", "student", "outsider"])
def test_others_may_not_download(world, media, persona):
    version = _programme(world)
    response = client_for(getattr(world, persona)).get(reverse("umkd:download", args=[version.pk]))
    assert response.status_code == 403


def test_a_missing_file_is_a_404(world, media):
    version = _programme(world)
    version.file.storage.delete(version.file.name)
    response = client_for(world.teacher).get(reverse("umkd:download", args=[version.pk]))
    assert response.status_code == 404


def test_the_upload_form_comes_first_when_a_section_is_preselected(world):
    client = client_for(world.teacher)
    assert (
        client.get(materials_url(world.algebra, section=PROGRAMME)).context["upload_first"] is True
    )
    assert client.get(materials_url(world.algebra)).context["upload_first"] is False
