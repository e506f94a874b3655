"""The registrar's import pages: upload, job, progress polling, report, permissions."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from emtihan.audit.models import AuditEntry
from emtihan.university import tasks
from emtihan.university.importing import records
from emtihan.university.models import ImportJob, ImportStatus, Student

from .registry_files import GOOD, jpeg_bytes, with_rows, write_xlsx

LIST = reverse("university:import_list")


def xlsx_upload(tmp_path, sheets=GOOD, name="registry.xlsx") -> SimpleUploadedFile:
    path = write_xlsx(tmp_path / "registry.xlsx", sheets)
    return SimpleUploadedFile(name, path.read_bytes())


def upload(client, capture, **data):
    with capture(execute=True):
        return client.post(LIST, data)


def test_the_registrar_uploads_and_the_job_runs(
    world, client, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(world.registrar)

    response = upload(client, django_capture_on_commit_callbacks, uploads=[xlsx_upload(tmp_path)])

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("university:import_detail", args=[job.pk])
    assert job.status == ImportStatus.DONE
    assert job.report["applied"] is True
    assert job.report["counts"]["students"]["created"] == 2
    assert job.created_by == world.registrar
    assert Student.objects.filter(student_id="200001").exists()
    assert AuditEntry.objects.get(action="registry.import").object_id == str(job.pk)
    page = client.get(response.url)
    assert page.status_code == 200
    content = page.content.decode()
    assert _("The import was written.") in content
    assert "hx-trigger" not in content  # finished: no more polling
    assert "registry.xlsx" in content


def test_the_detail_page_lists_every_bad_row(
    world, client, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(world.registrar)
    sheets = with_rows(
        GOOD, "students", ["200003", "x@", "Bad", "SE-2401"], ["200004", "y@uni.kz", "Y", "IS-9999"]
    )

    response = upload(
        client, django_capture_on_commit_callbacks, uploads=[xlsx_upload(tmp_path, sheets)]
    )

    content = client.get(response.url).content.decode()
    assert escape(_(records.ERR_BAD_EMAIL) % {"value": "x@"}) in content
    assert escape(_(records.ERR_UNKNOWN) % {"what": "group", "key": "IS-9999"}) in content
    assert "<td>5</td>" in content
    assert "Nothing was written" in content
    assert not Student.objects.filter(student_id="200001").exists()


def test_partial_upload_with_photos_zip(
    world, client, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(world.registrar)
    sheets = {
        "students": [
            ["student_id", "email", "full_name", "group_code", "photo"],
            ["500001", "z@uni.kz", "Z", "IS-2301", "z.jpg"],
            ["500002", "bad", "B", "IS-2301", ""],
        ]
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("z.jpg", jpeg_bytes())
    photos = SimpleUploadedFile("photos.zip", buffer.getvalue())

    upload(
        client,
        django_capture_on_commit_callbacks,
        uploads=[xlsx_upload(tmp_path, sheets)],
        photos=photos,
        partial="on",
    )

    job = ImportJob.objects.get()
    assert job.partial and job.report["applied"]
    assert Student.objects.get(student_id="500001").photo
    assert len(job.report["errors"]) == 1


def test_a_running_job_is_polled_with_a_progress_bar(world, client):
    job = ImportJob.objects.create(
        created_by=world.registrar,
        files=[{"name": "a.xlsx", "path": "x"}],
        status=ImportStatus.RUNNING,
        stage="students",
        done=1200,
        total=5000,
    )
    client.force_login(world.registrar)

    response = client.get(
        reverse("university:import_detail", args=[job.pk]), headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert 'hx-trigger="every 1s"' in content
    assert "1200 / 5000" in content
    assert '<progress class="progress" max="100" value="24">' in content
    assert "<html" not in content  # the fragment only


def test_wrong_file_type_is_refused_clearly(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.registrar)

    response = upload(
        client,
        django_capture_on_commit_callbacks,
        uploads=[SimpleUploadedFile("notes.pdf", b"%PDF-1.4 ...")],
    )

    assert response.status_code == 200
    assert (
        escape("notes.pdf: " + _(records.ERR_UNKNOWN_FORMAT) % {"name": "notes.pdf"})
        in response.content.decode()
    )
    assert not ImportJob.objects.exists()


def test_a_fake_xlsx_and_a_fake_zip_are_refused(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.registrar)

    response = upload(
        client,
        django_capture_on_commit_callbacks,
        uploads=[SimpleUploadedFile("registry.xlsx", b"hello")],
        photos=SimpleUploadedFile("photos.zip", b"not a zip"),
    )

    content = response.content.decode()
    assert escape(_(records.ERR_NOT_XLSX)) in content
    assert "photos.zip is not a ZIP file." in content
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("persona", ["teacher", "student", "head", "outsider"])
def test_only_the_registrar_may_import(world, client, persona):
    job = ImportJob.objects.create(created_by=world.registrar, files=[])
    client.force_login(getattr(world, persona))

    assert client.get(LIST).status_code == 403
    assert client.post(LIST, {}).status_code == 403
    assert client.get(reverse("university:import_detail", args=[job.pk])).status_code == 403
    assert client.post(reverse("university:import_rerun", args=[job.pk])).status_code == 403


def test_anonymous_is_sent_to_log_in(db, client):
    response = client.get(LIST)

    assert response.status_code == 302 and "login" in response.url


def test_the_list_shows_past_imports(world, client, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(world.registrar)
    upload(client, django_capture_on_commit_callbacks, uploads=[xlsx_upload(tmp_path)])

    content = client.get(LIST).content.decode()

    assert "registry.xlsx" in content
    assert "8 created, 0 updated, 0 unchanged, 0 bad" in content


def test_rerun_imports_the_same_files_again(
    world, client, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(world.registrar)
    upload(client, django_capture_on_commit_callbacks, uploads=[xlsx_upload(tmp_path)])
    first = ImportJob.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("university:import_rerun", args=[first.pk]))

    second = ImportJob.objects.exclude(pk=first.pk).get()
    assert response.url == reverse("university:import_detail", args=[second.pk])
    assert second.report["counts"]["students"]["unchanged"] == 2


def test_a_crashing_job_is_marked_failed(world, client, monkeypatch):
    job = ImportJob.objects.create(
        created_by=world.registrar,
        files=[{"name": "gone.xlsx", "path": "registry/imports/gone.xlsx"}],
    )

    with pytest.raises(FileNotFoundError):
        tasks.import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.failure == _(records.ERR_JOB_CRASHED)
    assert tasks.import_job_run(job_id=job.pk) is None  # a finished job is not run again


def test_the_admin_lists_imports_with_a_link_to_the_upload_page(world, client):
    world.registrar.is_superuser = True
    world.registrar.save()
    client.force_login(world.registrar)
    ImportJob.objects.create(created_by=world.registrar, files=[{"name": "a.xlsx", "path": "x"}])

    response = client.get(reverse("admin:university_importjob_changelist"))

    assert response.status_code == 200
    assert LIST in response.content.decode()
    for model in (
        "faculty",
        "department",
        "discipline",
        "studygroup",
        "student",
        "teacher",
        "academicperiod",
        "teachingassignment",
    ):
        assert client.get(reverse(f"admin:university_{model}_changelist")).status_code == 200, model
