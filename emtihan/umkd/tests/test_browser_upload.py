"""A teacher uploads documents to UMKD in Chromium: a PDF with a web page inside and a
damaged one are refused with the reason in the teacher's language; a sound one is kept."""

from __future__ import annotations

import pytest
from django.utils import translation

from emtihan.conftest import login
from emtihan.core.pdf import simple_pdf
from emtihan.umkd import services, sniffing
from emtihan.umkd.models import MaterialVersion

from .documents import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _upload(page, path):
    page.set_input_files("#upload input[type=file]", str(path))
    page.click("#upload button[type=submit]")
    page.wait_for_load_state()


def test_a_teacher_is_told_why_a_document_is_refused(new_page, world, tmp_path):
    page = new_page()
    login(page, world.teacher.email)
    page.goto(f"/umkd/{world.algebra.pk}/?section=final_exam_programme")
    page.click(".langswitch button[value=ru]")
    page.wait_for_selector("html[lang=ru]")
    polyglot = tmp_path / "programme.pdf"
    polyglot.write_bytes(pdf_bytes(tail=b"<html><script>alert(1)</script></html>"))
    damaged = tmp_path / "cut.pdf"
    damaged.write_bytes(b"%PDF-1")
    sound = tmp_path / "sound.pdf"
    sound.write_bytes(simple_pdf(["Algebra: final-exam programme"]))

    for path, defect in ((polyglot, sniffing.HTML_INSIDE), (damaged, sniffing.DAMAGED)):
        _upload(page, path)
        with translation.override("ru"):
            message = translation.gettext(services.DEFECTS[defect])
        assert page.locator("#upload", has_text=message).count() == 1
    assert not MaterialVersion.objects.exists()

    _upload(page, sound)
    page.wait_for_selector("text=sound.pdf")
    assert MaterialVersion.objects.get().original_name == "sound.pdf"
