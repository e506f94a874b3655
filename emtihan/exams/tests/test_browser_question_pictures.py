"""A teacher puts a picture of too many pixels into a question with the editor, in Chromium:
saving is refused with the reason next to the question, and nothing is stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from emtihan.attempts.tests.conftest import make_exam
from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import login
from emtihan.exams import specs
from emtihan.exams.models import ExamStatus, Question

from .conftest import huge_png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_picture_of_too_many_pixels_is_refused_with_the_reason(new_page, world):
    exam = make_exam(world, opens_at=timezone.now() + dt.timedelta(days=1), status=ExamStatus.DRAFT)
    exam.questions.all().delete()
    page = new_page()
    login(page, world.teacher.email)
    page.goto(f"/exams/{exam.pk}/questions/new/written/")
    box = page.locator(".author-editor .ProseMirror")
    box.click()
    page.keyboard.type("Describe the graph. ")
    # 4000 x 2500 pixels in 6 KB: small enough for the editor's 2 MB check, too many pixels.
    page.locator(".author-editor input[type=file]").set_input_files(
        files=[{"name": "scan.png", "mimeType": "image/png", "buffer": huge_png(4000, 2500)}]
    )
    box.locator('img[src^="data:image/png;base64,"]').wait_for()
    page.click("#question-form button[type=submit]")
    message = specs.ERR_BODY_PICTURE_PIXELS % {
        "n": 1,
        "width": 4000,
        "height": 2500,
        **specs.LIMITS,
    }
    page.wait_for_selector(f"#question-form :text('{message}')")
    assert db(lambda: not Question.objects.filter(exam=exam).exists())
