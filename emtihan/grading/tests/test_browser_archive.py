"""In Chromium: the exam office opens an exam's "Marking and results", goes to its archive,
submits "Build the archive" as a person would, watches the progress the page polls for
(htmx), and downloads the ZIP when the background task is done."""

from __future__ import annotations

import io
import zipfile

import pytest

from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import login
from emtihan.core.tests.a11y import assert_no_axe_violations
from emtihan.grading import archive as archive_service
from emtihan.grading.models import ArchiveBuild, ArchiveStatus

from .conftest import STUDENTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_exam_office_builds_watches_and_downloads_the_archive(
    new_page, pile, world, monkeypatch, tmp_path
):
    # The background worker is this test: what the form queued runs when the test says.
    queued: list[int] = []
    monkeypatch.setattr(archive_service, "_enqueue", queued.append)
    page = new_page()
    login(page, world.registrar.email)
    page.goto(f"/grading/exams/{pile.exam.pk}/results/")
    page.click("#archive-link")
    page.wait_for_selector("#archive-form")
    assert_no_axe_violations(page, "the archive page")
    page.click("#archive-form button[type=submit]")
    page.wait_for_selector("#archive-progress :text('Waiting for the background worker')")
    assert len(queued) == 1
    build = db(lambda: ArchiveBuild.objects.get(pk=queued[0]))
    assert page.url.endswith(f"/archive/{build.pk}/")

    def running() -> None:
        ArchiveBuild.claim(build.pk, build.requested_at)
        ArchiveBuild.set_progress(build.pk, 1, len(STUDENTS))

    db(running)
    page.wait_for_selector(
        f"#archive-progress :text('Building the archive: 1 of {len(STUDENTS)} works.')"
    )
    # The worker builds it (claimed again by nobody: put it back in the queue first).
    db(lambda: ArchiveBuild.objects.filter(pk=build.pk).update(status=ArchiveStatus.QUEUED))
    db(lambda: archive_service.archive_build_run(build_id=build.pk))
    page.wait_for_selector("#archive-download")
    assert page.locator("#archive-progress[hx-trigger]").count() == 0  # it stopped asking
    with page.expect_download() as download_info:
        page.click("#archive-download")
    target = tmp_path / "archive.zip"
    download_info.value.save_as(target)
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as archive:
        names = archive.namelist()
    assert len([n for n in names if n.endswith(".pdf")]) == len(STUDENTS)
    assert "SHA256SUMS" in names
    assert sorted(n.split("_")[0] for n in names if n.endswith(".pdf")) == sorted(
        sid for _n, _e, sid in STUDENTS
    )
