"""The head is warned before reopening an approved choice whose exam students have
started: the dialog names the exam and the number of attempts and asks again; "Cancel"
changes nothing, "Reopen anyway" reopens it and the exam goes back to draft (issue 8).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from emtihan.attempts import services as attempts
from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import login
from emtihan.examforms.models import ChoiceStatus, ExamFormChoice
from emtihan.examforms.services import choice_reopen
from emtihan.exams import services as exams
from emtihan.exams.models import Exam, ExamStatus, QuestionKind
from emtihan.exams.tests.conftest import add_question, approve, new_exam

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def started_exam(world) -> Exam:
    choice = approve(world)
    opens = timezone.now() - dt.timedelta(minutes=10)
    exam = new_exam(world, choice, opens_at=opens, closes_at=opens + dt.timedelta(hours=4))
    add_question(world, exam, QuestionKind.TRUE_FALSE)
    exams.exam_publish(actor=world.teacher, exam=exam)
    attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    return exam


def open_reopen_dialog(page, comment: str):
    page.goto("/exam-forms/review/?status=approved")
    page.locator("#review-table tr", has_text="ALG").get_by_role("button").click()
    dialog = page.locator("#review-dialog[open]")
    dialog.wait_for()
    page.fill("#review-comment", comment)
    dialog.get_by_role("button", name="Reopen for changes").click()
    return dialog


def test_the_head_is_warned_and_can_cancel_or_reopen_anyway(new_page, world):
    exam = started_exam(world)
    page = new_page()
    login(page, world.head.email)

    dialog = open_reopen_dialog(page, "The programme was replaced")
    warning = dialog.locator("#review-confirm")
    warning.wait_for()
    assert "1 student has already started the exam “Algebra final”." in warning.inner_text()
    assert "a sitting in progress runs on to its own deadline" in warning.inner_text()
    assert page.input_value("#review-comment") == "The programme was replaced"
    assert dialog.get_by_role("button", name="Reopen for changes").count() == 0

    # Cancel: the dialog closes, nothing changed.
    dialog.get_by_role("button", name="Cancel").click()
    page.wait_for_selector("#review-dialog[open]", state="detached")
    assert db(lambda: ExamFormChoice.objects.get(pk=exam.choice_id).status) == (
        ChoiceStatus.APPROVED
    )
    assert db(lambda: Exam.objects.get(pk=exam.pk).status) == ExamStatus.PUBLISHED

    # Again, and this time "Reopen anyway".
    dialog = open_reopen_dialog(page, "The programme was replaced")
    dialog.locator("#review-confirm").wait_for()
    dialog.get_by_role("button", name="Reopen anyway").click()
    page.wait_for_selector(".messages >> text=Reopened")
    assert db(lambda: ExamFormChoice.objects.get(pk=exam.choice_id).status) == (
        ChoiceStatus.RETURNED
    )
    assert db(lambda: Exam.objects.get(pk=exam.pk).status) == ExamStatus.DRAFT


def test_the_teacher_sees_why_the_exam_cannot_be_published(new_page, world):
    exam = started_exam(world)
    choice_reopen(
        actor=world.head, choice_id=exam.choice_id, comment="Programme", confirm_attempts=1
    )
    page = new_page()
    login(page, world.teacher.email)
    page.goto(f"/exams/{exam.pk}/")
    assert page.get_by_role("button", name="Publish").is_disabled()
    page.get_by_text("The exam-form choice of this exam is not approved").wait_for()
    page.get_by_text("Students have already started this exam").wait_for()
    assert page.get_by_role("link", name="Edit settings").count() == 0
    assert page.get_by_role("button", name="Delete exam").count() == 0
