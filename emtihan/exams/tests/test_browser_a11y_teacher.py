"""The teachers' pages the accessibility review found faults on, in Chromium with axe-core:
the "approved" chip's contrast, the exam editor's "Edit" links (24x24 px targets, WCAG 2.2
AA), and help texts that ``aria-describedby`` pointed at without their ids (the exam form,
the question editor, the exam-form dialog). The student pages: attempts/tests/test_browser_a11y.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from emtihan.attempts.tests.conftest import make_exam
from emtihan.conftest import login
from emtihan.core.tests.a11y import assert_no_axe_violations, missing_idrefs
from emtihan.examforms.tests.test_browser_flow import open_row
from emtihan.exams.models import ExamStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, where: str) -> None:
    assert_no_axe_violations(page, where)
    assert missing_idrefs(page) == [], where


def test_teachers_pages_pass_axe_and_every_help_text_is_found(new_page, world):
    # A draft exam of an approved choice (ALG, IS-2301) with a question of every kind.
    exam = make_exam(world, opens_at=timezone.now() + dt.timedelta(days=1), status=ExamStatus.DRAFT)
    page = new_page()
    login(page, world.teacher.email)

    page.goto("/exam-forms/")
    assert page.locator(".status-approved").count() >= 1
    check(page, "exam forms (the approved chip)")
    open_row(page, "PHY", "IS-2301")
    check(page, "the exam-form dialog")

    page.goto(f"/exams/{exam.pk}/")
    # Each of the six questions has its "Edit" and "Delete" links.
    edit_links = page.locator(f'table.list a[href^="/exams/{exam.pk}/questions/"]')
    assert edit_links.count() == 12
    for box in edit_links.evaluate_all(
        "els => els.map(e => e.getBoundingClientRect()).map(r => [r.width, r.height])"
    ):
        assert box[0] >= 24 and box[1] >= 24, box
    check(page, "the exam's page (Edit links)")

    page.goto(f"/exams/{exam.pk}/edit/")
    check(page, "the exam's settings")

    page.goto(f"/exams/{exam.pk}/questions/new/written/")
    editor = page.locator(".author-editor .ProseMirror")
    editor.wait_for()
    check(page, "the question editor")
    # The rich editor stands in for the hidden textarea: the field's help describes it.
    assert "id_body_helptext" in editor.get_attribute("aria-describedby").split()
    assert "word processor" in page.inner_text("#id_body_helptext")
