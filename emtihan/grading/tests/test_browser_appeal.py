"""In Chromium: the student reads the released result on a phone (390 px) and files an
appeal with the form; the teacher opens it from "Marking and results", sees the student
and the work, changes a mark (asked first); the student sees the new mark and grade."""

from __future__ import annotations

from decimal import Decimal

import pytest

from emtihan.conftest import login
from emtihan.core.tests.a11y import assert_no_axe_violations
from emtihan.grading.models import Appeal, AppealStatus, Work
from emtihan.grading.services import results_release

from .services.test_results_release import mark_written
from .test_views import written_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_student_appeals_the_teacher_changes_a_mark_the_student_sees_it(new_page, pile, world):
    user, attempt = pile.users[0], pile.attempts[0]  # right closed answers: 5 of 6
    mark_written(pile, attempt, "0.5")
    results_release(actor=world.teacher, exam=pile.exam)
    before = Work.objects.get(attempt=attempt)
    assert (before.result_points, before.result_letter) == (Decimal("5.50"), "A-")

    student = new_page(phone=True)
    login(student, user.email, "202301457")
    student.goto("/sitting/exams/")
    student.locator('[data-result="A-"]').get_by_role("link", name="Marks and comments").click()
    student.wait_for_selector("#appeal-form")
    assert_no_axe_violations(student, "the result with the appeal form")
    reason = "Вопрос 6: я привёл пример с внешним ключом, он не учтён."
    student.get_by_label("Reason for the appeal").fill(reason)
    student.get_by_role("button", name="File the appeal").click()
    student.get_by_text("Your appeal is filed.").wait_for()
    assert student.get_attribute("#appeal-status", "data-status") == "open"
    assert reason in student.inner_text("#appeal-state")
    assert student.locator("#appeal-form").count() == 0
    assert student.evaluate("document.documentElement.scrollWidth") <= 390
    appeal = Appeal.objects.get()
    assert appeal.reason == reason

    teacher = new_page()
    login(teacher, world.teacher.email)
    teacher.goto(f"/grading/exams/{pile.exam.pk}/results/")
    teacher.locator("#appeals").get_by_role("link", name=user.get_full_name()).click()
    teacher.wait_for_selector("#appeal-decision")
    assert "202301457" in teacher.inner_text("#appeal-student")
    assert reason in teacher.inner_text("#appeal-reason")
    teacher.wait_for_selector(".answer .katex")  # the work drawn: the formula typeset
    assert "Жауап 0" in teacher.inner_text("main")
    assert_no_axe_violations(teacher, "the appeal")
    field = f"#q{written_of(attempt)}"
    assert teacher.input_value(field) == "0.50"
    teacher.fill(field, "1,0")
    teacher.get_by_label("Answer to the student (required to reject)").fill(
        "Пример учтён: +0,5 балла."
    )
    teacher.get_by_role("button", name="Change the marks").click()
    teacher.wait_for_selector("#confirm-form")
    assert Appeal.objects.get().is_open  # asked first: nothing decided yet
    teacher.locator("#confirm-form button[type=submit]").click()
    teacher.get_by_text("The appeal is decided").wait_for()
    assert teacher.get_attribute("#appeal-status", "data-status") == AppealStatus.CHANGED

    after = Work.objects.get(attempt=attempt)
    assert (after.result_points, after.result_letter) == (Decimal("6.00"), "A")
    student.reload()
    assert student.get_attribute("#appeal-status", "data-status") == "changed"
    assert "Пример учтён: +0,5 балла." in student.inner_text("#appeal-answer")
    assert "6.00 / 6.00" in student.inner_text("#result-total")
    assert student.inner_text("#result-letter").startswith("A ")
    assert "changed on appeal, was 0.50" in student.inner_text("#result-lines")
    assert student.evaluate("document.documentElement.scrollWidth") <= 390


def test_on_a_desktop_the_teacher_rejects_with_a_reason_and_the_student_reads_it(
    new_page, pile, world
):
    user, attempt = pile.users[2], pile.attempts[2]
    mark_written(pile, attempt, "1")
    results_release(actor=world.teacher, exam=pile.exam)
    letter = Work.objects.get(attempt=attempt).result_letter

    student = new_page()
    login(student, user.email, "202301479")
    student.goto(f"/grading/results/{attempt.pk}/")
    student.get_by_label("Reason for the appeal").fill("Question 6 deserves more.")
    student.get_by_role("button", name="File the appeal").click()
    student.get_by_text("Your appeal is filed.").wait_for()

    teacher = new_page()
    login(teacher, world.teacher.email)
    teacher.goto("/")
    teacher.get_by_role("link", name="Appeals", exact=True).first.click()
    teacher.locator("#appeals").get_by_role("link", name=user.get_full_name()).click()
    teacher.wait_for_selector("#appeal-decision")
    # rejecting without a reason is refused after the question, with the message
    teacher.get_by_role("button", name="Reject the appeal").click()
    teacher.locator("#confirm-form button[type=submit]").click()
    teacher.get_by_text("Say why the appeal is rejected").wait_for()
    assert Appeal.objects.get().is_open
    teacher.get_by_label("Answer to the student (required to reject)").fill(
        "The answer misses the second case; the mark stands."
    )
    teacher.get_by_role("button", name="Reject the appeal").click()
    teacher.locator("#confirm-form button[type=submit]").click()
    teacher.get_by_text("The appeal is decided").wait_for()
    assert Appeal.objects.get().status == AppealStatus.REJECTED

    student.reload()
    assert student.get_attribute("#appeal-status", "data-status") == "rejected"
    assert "the mark stands" in student.inner_text("#appeal-answer")
    assert student.inner_text("#result-letter").split()[0] == letter
