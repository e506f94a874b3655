"""The registrar's "Proctors and graders" page in Chromium: both forms filled and submitted
as the registrar would, and an assignment removed after its confirmation."""

from __future__ import annotations

import pytest

from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import login
from emtihan.exams.models import ExamGrader, ExamProctor
from emtihan.university.models import FacultyProctor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_registrar_assigns_proctors_and_a_grader_then_removes_one(new_page, cast):
    idle_proctor = cast.user("unassigned_proctor")
    idle_grader = cast.user("unassigned_grader")
    page = new_page()
    login(page, cast.user("registrar").email)
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Proctors and graders"
    ).click()
    page.wait_for_url("**/exams/assignments/")

    # A proctor for every exam of the IT faculty's students.
    proctor_form = page.locator("#proctor-form")
    proctor_form.get_by_label("Proctor").select_option(label=f"Idle Proctor ({idle_proctor.email})")
    proctor_form.get_by_label("or faculty").select_option(value=str(cast.world.it_faculty.pk))
    proctor_form.get_by_role("button", name="Assign the proctor").click()
    page.get_by_text("The proctor was assigned.").wait_for()
    assert "Idle Proctor" in page.locator("#faculty-proctors").inner_text()
    assert db(lambda: FacultyProctor.objects.get().user_id) == idle_proctor.pk

    # Neither an exam nor a faculty: the page says what is missing, nothing is written.
    proctor_form = page.locator("#proctor-form")
    proctor_form.get_by_label("Proctor").select_option(label=f"Idle Proctor ({idle_proctor.email})")
    proctor_form.get_by_role("button", name="Assign the proctor").click()
    page.get_by_text("Choose an exam or a faculty.").wait_for()
    assert db(lambda: ExamProctor.objects.filter(user=idle_proctor).count()) == 0

    # A grader for the algebra exam.
    grader_form = page.locator("#grader-form")
    grader_form.get_by_label("Grader").select_option(label=f"Idle Grader ({idle_grader.email})")
    grader_form.get_by_label("Exam").select_option(value=str(cast.exam.pk))
    grader_form.get_by_role("button", name="Assign the grader").click()
    page.get_by_text("The grader was assigned.").wait_for()
    graders = page.locator("#exam-graders")
    assert "Idle Grader" in graders.inner_text() and "Algebra final" in graders.inner_text()

    # Removing asks first; "Cancel" keeps the assignment.
    row = graders.locator("tr", has_text="Idle Grader")
    row.get_by_role("link", name="Remove").click()
    page.get_by_role("heading", name="Remove the assignment?").wait_for()
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url("**/exams/assignments/")
    assert db(lambda: ExamGrader.objects.filter(user=idle_grader).count()) == 1

    page.locator("#exam-graders tr", has_text="Idle Grader").get_by_role(
        "link", name="Remove"
    ).click()
    page.get_by_role("button", name="Remove").click()
    page.get_by_text("The assignment was removed").wait_for()
    assert "Idle Grader" not in page.locator("#exam-graders").inner_text()
    assert db(lambda: ExamGrader.objects.filter(user=idle_grader).count()) == 0


def test_a_grader_lands_on_their_exams_with_a_menu(new_page, cast):
    page = new_page()
    login(page, cast.user("grader").email)
    page.wait_for_url("**/exams/marking/")
    menu = page.get_by_role("navigation", name="Main menu")
    assert menu.get_by_role("link", name="Marking").is_visible()
    page.get_by_text("Works are shown by their marking code only").wait_for()
    table = page.locator("#grader-exams").inner_text()
    assert "Algebra final" in table
    # Nothing on the page names a student.
    body = page.locator("main").inner_text()
    for persona in ("student", "classmate"):
        assert cast.user(persona).full_name not in body
