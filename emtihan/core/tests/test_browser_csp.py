"""The Content-Security-Policy in Chromium: the main pages raise no violation and still work.

Every page of these tests is watched from before its first script runs: a
``securitypolicyviolation`` listener and the console (Chromium reports every blocked
script, style, image, font or connection there) must stay silent while people use the
login form, the teacher's exam-form dialog (htmx), the exam editor with a formula, the
student's exam page with its editor, a formula typed in MathLive and drawn by KaTeX, a
drawing, the import progress bar, the admin and the API's documentation.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from emtihan.attempts.tests.conftest import make_exam
from emtihan.attempts.tests.test_browser_sitting import (  # noqa: F401 (quiet_server)
    editor,
    insert_latex,
    numbers,
    open_sitting,
    quiet_server,
    settle_formula_dialog,
    start_sitting,
    type_into,
)
from emtihan.conftest import login
from emtihan.examforms.tests.test_browser_flow import settle
from emtihan.exams.models import ExamStatus, QuestionKind
from emtihan.university.tests.registry_files import GOOD, write_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} ` +
    `at ${e.sourceFile}:${e.lineNumber} (${e.sample})`);
}, true);
"""


@pytest.fixture
def watched(new_page):
    """new_page, with every CSP violation and console error of every page collected."""
    pages = []

    def make(**kwargs):
        page = new_page(**kwargs)
        page.add_init_script(WATCH)
        page.console_errors = []
        page.on("console", lambda message: record(page, message))
        pages.append(page)
        return page

    yield make
    for page in pages:
        assert_clean(page)


def record(page, message) -> None:
    # Chromium asks every page without an icon of its own (the admin's, the API docs')
    # for /favicon.ico, which emtihan does not serve: not a policy matter.
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        page.console_errors.append(message.text)


def assert_clean(page) -> None:
    violations = page.evaluate("window.__cspViolations || []")
    assert violations == [], f"{page.url}: {violations}"
    assert page.console_errors == [], f"{page.url}: {page.console_errors}"


def assert_policy(response) -> None:
    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy.split("style-src-attr")[0]
    assert "unsafe-eval" not in policy


def test_the_login_page_has_a_nonce_policy_and_logs_in(watched, world):
    page = watched()
    response = page.goto("/accounts/login/")
    assert_policy(response)
    nonce = page.locator("script[src$='app.js']").evaluate("s => s.nonce")
    assert nonce and f"'nonce-{nonce}'" in response.headers["content-security-policy"]

    page.get_by_label("E-mail").fill("teacher@test.local")
    page.get_by_label("Password").fill("pass-2026")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert_clean(page)


def test_the_exam_form_dialog_opens_and_closes(watched, world):
    page = watched()
    login(page, world.teacher.email)
    page.goto("/exam-forms/")
    row = page.locator("#choice-table tr.selectable", has_text="ALG").filter(has_text="IS-2301")
    row.click()
    page.click("#row-toolbar [data-row-action=edit]")
    dialog = page.locator("#choice-dialog[open]")
    dialog.wait_for()
    settle(page)
    page.select_option("#id_platform", "MOODLE")  # an htmx request redraws the fields
    page.wait_for_selector("#id_form option[value=MIXED]", state="attached")
    settle(page)

    # The ✕ and "Cancel" buttons close the dialog (they had inline onclick handlers).
    dialog.get_by_role("button", name="Close").click()
    page.wait_for_selector("#choice-dialog[open]", state="detached")
    page.click("#row-toolbar [data-row-action=edit]")
    page.locator("#choice-dialog[open]").get_by_role("button", name="Cancel").click()
    page.wait_for_selector("#choice-dialog[open]", state="detached")
    assert_clean(page)


def test_the_exam_editor_and_a_question_with_a_formula(watched, world):
    exam = make_exam(world, opens_at=timezone.now() + dt.timedelta(days=1), status=ExamStatus.DRAFT)
    page = watched()
    login(page, world.teacher.email)
    page.goto(f"/exams/{exam.pk}/")
    page.get_by_role("heading", name=exam.title).wait_for()

    page.goto(f"/exams/{exam.pk}/questions/new/written/")
    box = page.locator(".author-editor .ProseMirror")
    box.wait_for()
    box.click()
    page.keyboard.type("Есепте: ")
    page.locator('.author-editor .tb[data-cmd="formula"]').click()
    dialog = page.locator("dialog.formula-dialog")
    dialog.locator("math-field").wait_for()  # MathLive, loaded on first use
    dialog.locator(".latex-input").fill(r"\frac{a}{b}")
    page.wait_for_selector("dialog.formula-dialog .formula-preview .katex")
    dialog.locator('[data-action="insert-formula"]').click()
    dialog.wait_for(state="detached")
    assert box.locator(".math .katex").count() == 1
    page.click("#question-form button[type=submit]")
    page.wait_for_url(f"**/exams/{exam.pk}/**")
    assert_clean(page)


def test_the_student_s_exam_page_with_editor_formula_and_drawing(watched, world):
    attempt = start_sitting(world, allow_drawings=True)
    page = open_sitting(watched, world, attempt)
    assert_policy(page.reload())
    number = numbers(attempt, QuestionKind.WRITTEN)[0]
    box = editor(page, number)
    type_into(page, number, "Жауап ")

    page.click(f'#q-{number} .tb[data-cmd="formula"]')
    # MathLive loads and takes the focus on its own, later: keys typed before that were
    # lost now and then under load (the x^2 never came).
    settle_formula_dialog(page, page.locator("dialog.formula-dialog"))
    field = page.locator("dialog.formula-dialog math-field")
    field.wait_for()
    field.click()
    page.keyboard.type("x^2")  # typed in MathLive, shown in its shadow DOM
    page.wait_for_function(
        "() => document.querySelector('dialog.formula-dialog .latex-input').value.includes('x^2')"
    )
    page.click('dialog.formula-dialog [data-action="insert-formula"]')
    page.wait_for_selector("dialog.formula-dialog", state="detached")
    insert_latex(page, number, "chemistry", r"\ce{H2O}")
    assert box.locator(".math .katex").count() == 2

    page.click(f'#q-{number} .tb[data-cmd="drawing"]')
    canvas = page.locator("dialog.drawing-dialog canvas.upper-canvas")
    canvas.wait_for()
    area = canvas.bounding_box()
    assert area is not None
    page.mouse.move(area["x"] + 40, area["y"] + 40)
    page.mouse.down()
    page.mouse.move(area["x"] + 200, area["y"] + 120, steps=8)
    page.mouse.up()
    page.click('dialog.drawing-dialog [data-action="insert-drawing"]')
    box.locator('img[src^="/sitting/"]').wait_for()
    assert_clean(page)


def test_the_import_progress_and_report(watched, world, tmp_path):
    page = watched()
    login(page, world.registrar.email)
    page.goto(reverse("university:import_list"))
    page.set_input_files("input[type=file]", str(write_xlsx(tmp_path / "r.xlsx", GOOD)))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/imports/**")
    page.wait_for_load_state("networkidle")
    assert_clean(page)


def test_the_admin_and_the_api_documentation(watched, world):
    page = watched()
    login(page, world.registrar.email)
    world.registrar.is_superuser = True
    world.registrar.save(update_fields=["is_superuser"])
    page.goto("/admin/")
    page.goto(f"/admin/accounts/user/{world.student.pk}/change/")
    page.get_by_label("Full name").wait_for()
    page.goto("/admin/accounts/user/")
    page.goto("/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert_clean(page)
