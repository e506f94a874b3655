"""In Chromium: the teacher fills and submits a written question's rubric (a sum above
the points is refused first, the rows kept); the grader sees it beside the answer, gives
points per criterion and the mark is their sum."""

from __future__ import annotations

from decimal import Decimal

import pytest

from emtihan.conftest import login
from emtihan.core.tests.a11y import assert_no_axe_violations
from emtihan.exams.models import Question, QuestionKind
from emtihan.grading.models import Criterion, Mark, Work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_teacher_sets_a_rubric_and_the_grader_marks_by_it(new_page, pile, world):
    Question.objects.filter(exam=pile.exam, kind=QuestionKind.WRITTEN).update(points=4)
    written = Question.objects.get(exam=pile.exam, kind=QuestionKind.WRITTEN)
    teacher = new_page()
    login(teacher, world.teacher.email)
    teacher.goto(f"/grading/exams/{pile.exam.pk}/results/")
    teacher.locator("#rubric-1").click()
    teacher.wait_for_selector("#rubric-form")
    assert_no_axe_violations(teacher, "the rubric form")
    teacher.get_by_label("Criterion 1", exact=True).fill("Формула дұрыс / the formula is right")
    teacher.get_by_label("Points 1", exact=True).fill("3")
    teacher.get_by_label("Criterion 2", exact=True).fill("Units")
    teacher.get_by_label("Points 2", exact=True).fill("1,5")
    teacher.locator("#save-rubric").click()
    teacher.get_by_text("The criteria add up to 4.50 points").wait_for()
    # nothing typed is lost: fix the second row only
    assert teacher.get_by_label("Criterion 1", exact=True).input_value().startswith("Формула")
    teacher.get_by_label("Points 2", exact=True).fill("1")
    teacher.locator("#save-rubric").click()
    teacher.get_by_text("Rubric of question 1 saved.").wait_for()
    assert "2 criteria" in teacher.inner_text("#rubrics")
    criteria = list(Criterion.objects.filter(question=written))
    assert [(c.text, c.points) for c in criteria] == [
        ("Формула дұрыс / the formula is right", Decimal("3.00")),
        ("Units", Decimal("1.00")),
    ]

    grader = new_page()
    login(grader, pile.grader.email)
    grader.goto(f"/grading/exams/{pile.exam.pk}/")
    grader.locator("#start-marking").click()
    grader.wait_for_selector(f"#q{written.pk}-rubric")
    code = grader.inner_text("#work-code")
    assert "Формула дұрыс" in grader.inner_text(f"#q{written.pk}-rubric")
    assert_no_axe_violations(grader, "a work with a rubric")
    grader.fill(f"#q{written.pk}-c{criteria[0].pk}", "2,5")
    grader.fill(f"#q{written.pk}-c{criteria[1].pk}", "1")
    grader.locator("#save-stay").click()
    grader.get_by_text(f"Marks of work {code} saved.").wait_for()
    assert grader.input_value(f"#q{written.pk}") == "3.50"
    mark = Mark.objects.get(work=Work.objects.get(code=code), question=written)
    assert mark.points == Decimal("3.50")
    assert mark.criteria == {str(criteria[0].pk): "2.50", str(criteria[1].pk): "1.00"}
