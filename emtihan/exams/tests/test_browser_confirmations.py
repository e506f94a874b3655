"""Deleting asks first (issue 8: "Delete exam" and a question's "Delete" acted at once).

The teacher presses "Delete", reads what will go on the confirmation page, presses
"Cancel" (nothing happens), then deletes for real. No JavaScript is involved: the page is
server-rendered (core/confirm.py), so it works under the strict CSP and without scripts.
"""

from __future__ import annotations

import pytest

from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import login
from emtihan.exams import services
from emtihan.exams.models import Accommodation, Exam, Question, QuestionPool
from emtihan.exams.tests.conftest import add_question, approve, new_exam

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def exam(world):
    exam = new_exam(world, approve(world))
    add_question(world, exam, name="", body="<p>Is 2&nbsp;&gt;&nbsp;1?</p>")
    add_question(world, exam, name="Capital")
    return exam


def teacher_page(new_page, world, exam):
    page = new_page()
    login(page, world.teacher.email)
    page.goto(f"/exams/{exam.pk}/")
    return page


def test_delete_exam_asks_then_cancel_keeps_it_and_confirm_deletes_it(new_page, world, exam):
    page = teacher_page(new_page, world, exam)
    page.get_by_role("link", name="Delete exam").click()
    page.wait_for_url(f"**/exams/{exam.pk}/delete/")
    page.get_by_role("heading", name="Delete the exam?").wait_for()
    assert "Delete the exam “Algebra final” and its 2 questions?" in page.inner_text("main")

    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(f"**/exams/{exam.pk}/")
    assert db(lambda: Exam.objects.filter(pk=exam.pk).exists())

    page.get_by_role("link", name="Delete exam").click()
    page.get_by_role("button", name="Delete the exam").click()
    page.wait_for_url("**/exams/")
    page.get_by_text("The exam was deleted.").wait_for()
    assert not db(lambda: Exam.objects.filter(pk=exam.pk).exists())


def test_delete_question_asks_quoting_it_then_cancel_and_confirm(new_page, world, exam):
    page = teacher_page(new_page, world, exam)
    row = page.locator("#questions tr", has_text="Is 2 > 1?")
    assert "&nbsp;" not in page.locator("#questions").inner_text()  # the list reads text
    row.get_by_role("link", name="Delete").click()
    page.get_by_role("heading", name="Delete the question?").wait_for()
    assert "Delete question 1: “Is 2 > 1?”?" in page.inner_text("main")

    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(f"**/exams/{exam.pk}/#questions")
    assert db(lambda: Question.objects.filter(exam=exam).count()) == 2

    page.locator("#questions tr", has_text="Is 2 > 1?").get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete the question").click()
    page.get_by_text("The question was deleted.").wait_for()
    assert list(db(lambda: Question.objects.filter(exam=exam).values_list("name", flat=True))) == [
        "Capital"
    ]


def test_delete_pool_and_remove_extra_time_ask_first(new_page, world, exam):
    services.pool_create(actor=world.teacher, exam=exam, name="Spare", pick=1)
    services.accommodation_set(
        actor=world.teacher, exam=exam, student=world.student.student, extra_minutes=25
    )
    page = teacher_page(new_page, world, exam)

    page.locator("#pools .card", has_text="Spare").get_by_role("link", name="Delete pool").click()
    assert "Delete the pool “Spare”?" in page.inner_text("main")
    page.get_by_role("button", name="Delete the pool").click()
    page.get_by_text("The pool was deleted.").wait_for()
    assert not db(lambda: QuestionPool.objects.filter(exam=exam).exists())

    page.locator("#accommodations").get_by_role("link", name="Remove").click()
    assert "Remove the extra time of Student One (25 minutes)?" in page.inner_text("main")
    page.get_by_role("link", name="Cancel").click()
    assert db(lambda: Accommodation.objects.filter(exam=exam).exists())
    page.locator("#accommodations").get_by_role("link", name="Remove").click()
    page.get_by_role("button", name="Remove the extra time").click()
    page.get_by_text("The extra time was removed.").wait_for()
    assert not db(lambda: Accommodation.objects.filter(exam=exam).exists())
