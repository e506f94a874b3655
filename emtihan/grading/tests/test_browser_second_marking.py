"""In Chromium: the teacher turns second marking on (2 points), two graders mark the same
work on their own (neither sees the other's mark), their marks differ by more than the
threshold, the teacher settles it with a reason; the settled mark is final."""

from __future__ import annotations

from decimal import Decimal

import pytest

from emtihan.accounts.models import Role
from emtihan.audit.models import AuditEntry
from emtihan.conftest import login, make_user
from emtihan.core.tests.a11y import assert_no_axe_violations
from emtihan.exams import assignments
from emtihan.exams.models import Question, QuestionKind
from emtihan.grading.models import Mark, Marking, MarkingSettings, Work, WorkState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_graders_differ_and_the_teacher_settles(new_page, pile, world):
    Question.objects.filter(exam=pile.exam, kind=QuestionKind.WRITTEN).update(points=10)
    written = Question.objects.get(exam=pile.exam, kind=QuestionKind.WRITTEN)
    other = make_user("grader2@test.local", Role.GRADER, full_name="Second Grader")
    assignments.grader_assign(actor=world.registrar, user=other, exam=pile.exam)

    teacher = new_page()
    login(teacher, world.teacher.email)
    teacher.goto(f"/grading/exams/{pile.exam.pk}/results/")
    teacher.locator("#marking-settings").click()
    teacher.wait_for_selector("#settings-form")
    assert_no_axe_violations(teacher, "marking settings")
    teacher.check("#second_marking")
    teacher.fill("#threshold", "2")
    teacher.select_option("#unit", "points")
    teacher.locator("#save-settings").click()
    teacher.get_by_text("Marking settings saved.").wait_for()
    assert MarkingSettings.objects.get(exam=pile.exam).second_marking

    code = None
    for grader_user, points in ((pile.grader, "3"), (other, "7,5")):
        grader = new_page()
        login(grader, grader_user.email)
        grader.goto(f"/grading/exams/{pile.exam.pk}/")
        if code is None:
            grader.locator("#start-marking").click()
        else:
            grader.goto(f"/grading/exams/{pile.exam.pk}/works/{code}/")
        grader.wait_for_selector("#second-marking-note")
        code = grader.inner_text("#work-code")
        # the other grader's mark is not on the page
        assert grader.input_value(f"#q{written.pk}") == ""
        grader.fill(f"#q{written.pk}", points)
        grader.fill(f"#q{written.pk}-comment", f"Comment by {grader_user.full_name}")
        grader.locator("#save-stay").click()
        grader.get_by_text(f"Marks of work {code} saved.").wait_for()
        if grader_user == pile.grader:
            assert Work.objects.get(code=code).state == WorkState.IN_PROGRESS
    work = Work.objects.get(code=code)
    assert work.state == WorkState.TO_SETTLE
    assert Mark.objects.get(work=work, question=written).points is None

    teacher.goto(f"/grading/exams/{pile.exam.pk}/results/")
    teacher.locator("#to-settle a", has_text=code).click()
    teacher.wait_for_selector("#settle-form")
    pair = teacher.inner_text("main")
    assert "3.00" in pair and "7.50" in pair and "Comment by Second Grader" in pair
    assert_no_axe_violations(teacher, "the settle page")
    assert teacher.input_value(f"#q{written.pk}") == "5.25"  # the mean is offered
    teacher.fill(f"#q{written.pk}", "6")
    teacher.locator("#settle").click()
    teacher.get_by_text("Say why these marks").wait_for()  # a reason is required
    assert teacher.input_value(f"#q{written.pk}") == "6"  # nothing typed lost
    teacher.fill("#reason", "Read both: the derivation is right, the units are missing.")
    teacher.locator("#settle").click()
    teacher.get_by_text(f"Work {code} settled.").wait_for()
    work.refresh_from_db()
    assert work.state == WorkState.MARKED and work.settled_by == world.teacher
    assert Mark.objects.get(work=work, question=written).points == Decimal("6.00")
    assert Marking.objects.filter(work=work).count() == 2
    assert AuditEntry.objects.filter(action="grading.settle").exists()
