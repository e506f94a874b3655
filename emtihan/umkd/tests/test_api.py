import pytest
from django.test import Client

from emtihan.accounts.models import ApiToken
from emtihan.umkd import services
from emtihan.umkd.models import Material, MaterialVersion, Section
from emtihan.umkd.services import material_upload

from .conftest import stored_files
from .documents import HTML_BYTES, PDF_BYTES, docx_bytes, odt_bytes, upload

pytestmark = pytest.mark.django_db

PROGRAMME = Section.FINAL_EXAM_PROGRAMME


class Api:
    """A client that calls the API with a bearer token for ``user``."""

    def __init__(self, user):
        _token, key = ApiToken.issue(user=user, name="test")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    def get(self, path):
        return self.client.get(f"/api/v1/umkd{path}")

    def post(self, path, data):
        return self.client.post(f"/api/v1/umkd{path}", data)


def _programme(world, discipline=None, name="programme.pdf", material=None):
    return material_upload(
        actor=world.teacher,
        discipline=discipline or world.algebra,
        section=PROGRAMME,
        file=upload(name, PDF_BYTES),
        material=material,
    )


def test_upload_creates_a_material_and_returns_201(world, media):
    response = Api(world.teacher).post(
        f"/disciplines/{world.algebra.pk}/materials",
        {"section": PROGRAMME, "title": "Programme 2026", "file": upload("p.odt", odt_bytes())},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    version = MaterialVersion.objects.get()
    assert body["id"] == version.pk
    assert body["number"] == 1
    assert body["material_id"] == version.material_id
    assert body["material_title"] == "Programme 2026"
    assert body["section"] == PROGRAMME
    assert body["document_type"] == "odt"
    assert body["download_url"] == f"/umkd/version/{version.pk}/download/"


def test_upload_with_material_id_adds_a_version(world, media):
    v1 = _programme(world)
    response = Api(world.teacher).post(
        f"/disciplines/{world.algebra.pk}/materials",
        {"material_id": v1.material_id, "file": upload("p2.docx", docx_bytes())},
    )
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2


def test_upload_works_with_the_browser_session(world, media):
    client = Client()
    client.force_login(world.teacher, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        f"/api/v1/umkd/disciplines/{world.algebra.pk}/materials",
        {"section": PROGRAMME, "file": upload("p.pdf", PDF_BYTES)},
    )
    assert response.status_code == 201, response.content


def test_a_disguised_file_is_a_400_with_field_errors(world, media):
    response = Api(world.teacher).post(
        f"/disciplines/{world.algebra.pk}/materials",
        {"section": PROGRAMME, "file": upload("p.pdf", HTML_BYTES, "application/pdf")},
    )
    assert response.status_code == 400
    message = services.ERR_FILE_TYPE % {"looks_like": "a web page (HTML)"}
    assert response.json() == {"detail": message, "errors": {"file": [message]}}
    assert not Material.objects.exists()
    assert stored_files(media) == []


def test_a_missing_file_and_section_are_a_400(world, media):
    response = Api(world.teacher).post(f"/disciplines/{world.algebra.pk}/materials", {})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "section": [services.ERR_SECTION_UNKNOWN],
        "file": [services.ERR_FILE_REQUIRED],
    }


def test_an_unknown_material_id_is_a_400(world, media):
    response = Api(world.teacher).post(
        f"/disciplines/{world.algebra.pk}/materials",
        {"material_id": 999, "file": upload("p.pdf", PDF_BYTES)},
    )
    assert response.status_code == 400
    assert "material_id" in response.json()["errors"]


def test_a_material_of_another_discipline_is_a_400_on_material_id(world, media):
    other = _programme(world, discipline=world.physics)
    response = Api(world.teacher).post(
        f"/disciplines/{world.algebra.pk}/materials",
        {"material_id": other.material_id, "file": upload("p.pdf", PDF_BYTES)},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"material_id": [services.ERR_MATERIAL_OTHER_DISCIPLINE]}


@pytest.mark.parametrize("persona", ["other_teacher", "head", "student", "outsider"])
def test_others_may_not_upload(world, media, persona):
    v1 = _programme(world)
    api = Api(getattr(world, persona))
    for data in (
        {"section": PROGRAMME, "file": upload("p.pdf", PDF_BYTES)},
        {"material_id": v1.material_id, "file": upload("p.pdf", PDF_BYTES)},
        {"material_id": 999, "file": upload("p.pdf", PDF_BYTES)},
    ):
        response = api.post(f"/disciplines/{world.algebra.pk}/materials", data)
        assert response.status_code == 403
        assert response.json()["detail"] == services.ERR_NOT_YOUR_DISCIPLINE
    assert MaterialVersion.objects.count() == 1


def test_anonymous_requests_are_a_401(world):
    response = Client().get(f"/api/v1/umkd/disciplines/{world.algebra.pk}/materials")
    assert response.status_code == 401


def test_an_unknown_discipline_is_a_404(world):
    assert Api(world.teacher).get("/disciplines/9999/materials").status_code == 404


def test_materials_list_returns_each_material_with_its_versions(world, media):
    v1 = _programme(world)
    v2 = _programme(world, material=v1.material, name="p2.pdf")
    response = Api(world.head).get(f"/disciplines/{world.algebra.pk}/materials")
    assert response.status_code == 200
    [material] = response.json()
    assert material["id"] == v1.material_id
    assert material["section"] == PROGRAMME
    assert [v["id"] for v in material["versions"]] == [v2.pk, v1.pk]
    assert material["versions"][0]["uploaded_by"] == "Teacher One"


def test_programmes_list_returns_the_latest_versions(world, media):
    v1 = _programme(world)
    v2 = _programme(world, material=v1.material, name="p2.pdf")
    material_upload(
        actor=world.teacher,
        discipline=world.algebra,
        section=Section.LECTURES,
        file=upload("l.pdf", PDF_BYTES),
    )
    response = Api(world.teacher).get(f"/disciplines/{world.algebra.pk}/programmes")
    assert response.status_code == 200
    assert [(p["id"], p["number"], p["title"]) for p in response.json()] == [
        (v2.pk, 2, "programme")
    ]


@pytest.mark.parametrize("persona", ["other_teacher", "other_head", "student", "outsider"])
@pytest.mark.parametrize("path", ["materials", "programmes"])
def test_others_may_not_list(world, persona, path):
    response = Api(getattr(world, persona)).get(f"/disciplines/{world.algebra.pk}/{path}")
    assert response.status_code == 403
