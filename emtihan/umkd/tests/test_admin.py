import pytest
from django.test import Client
from django.urls import reverse

from emtihan.umkd.models import Section
from emtihan.umkd.services import material_upload

from .conftest import make_superuser
from .documents import PDF_BYTES, upload

pytestmark = pytest.mark.django_db


def test_the_admin_shows_a_material_with_its_versions_read_only(world, media):
    version = material_upload(
        actor=world.teacher,
        discipline=world.algebra,
        section=Section.FINAL_EXAM_PROGRAMME,
        file=upload("programme.pdf", PDF_BYTES),
    )
    client = Client()
    client.force_login(make_superuser(), backend="django.contrib.auth.backends.ModelBackend")

    changelist = client.get(reverse("admin:umkd_material_changelist"))
    assert changelist.status_code == 200
    assert b"programme" in changelist.content
    change = client.get(reverse("admin:umkd_material_change", args=[version.material_id]))
    assert change.status_code == 200
    assert reverse("umkd:download", args=[version.pk]).encode() in change.content
    assert client.get(reverse("admin:umkd_material_add")).status_code == 403
