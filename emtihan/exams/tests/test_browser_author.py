"""The question author's editor in Chromium: the teacher writes a question in the students'
rich editor (Kazakh text, a formula, a picture), saves it, opens it again, and uses the HTML
view; the student's exam page then draws the formulas of the question.

The editor is frontend/src/author.ts over the form's <textarea> (docs/FRONTEND.md).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from emtihan.attempts import services as attempt_services
from emtihan.attempts.tests.conftest import make_exam
from emtihan.attempts.tests.test_browser_sitting import (
    FRACTION,
    KAZAKH,
    db,
    open_sitting,
    png_bytes,
)
from emtihan.conftest import login
from emtihan.exams.models import ExamStatus, Question, QuestionKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def draft_exam(world):
    exam = make_exam(world, opens_at=timezone.now() + dt.timedelta(days=1), status=ExamStatus.DRAFT)
    exam.questions.all().delete()
    return exam


def test_teacher_writes_a_question_with_text_formula_and_picture(new_page, world):
    exam = draft_exam(world)
    page = new_page()
    login(page, world.teacher.email)
    page.goto(f"/exams/{exam.pk}/questions/new/written/")

    # The editor replaces the textarea, which stays in the form, hidden.
    box = page.locator(".author-editor .ProseMirror")
    box.wait_for()
    assert page.locator("textarea#id_body").is_hidden()
    assert box.get_attribute("aria-label") == "Question"
    box.click()
    page.keyboard.type(KAZAKH + " ")
    page.locator('.author-editor .tb[data-cmd="formula"]').click()
    dialog = page.locator("dialog.formula-dialog")
    dialog.wait_for()
    # MathLive loads and takes the focus; then the teacher types LaTeX in the input (a
    # fill racing the load could land in the formula field, as a person's keys cannot).
    dialog.locator(".mathfield").wait_for()
    page.wait_for_function("() => document.activeElement?.classList.contains('mathfield')")
    dialog.locator(".latex-input").fill(FRACTION)
    page.wait_for_selector("dialog.formula-dialog .formula-preview .katex")
    dialog.locator('[data-action="insert-formula"]').click()
    dialog.wait_for(state="detached")
    assert box.locator(".math .katex").count() == 1

    # A picture: read in the browser and kept in the question as a data: URL.
    page.locator(".author-editor input[type=file]").set_input_files(
        files=[{"name": "graph.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    box.locator('img[src^="data:image/png;base64,"]').wait_for()
    # Too large a picture is refused in the browser with a message.
    page.locator(".author-editor input[type=file]").set_input_files(
        files=[{"name": "huge.png", "mimeType": "image/png", "buffer": b"0" * (3 << 20)}]
    )
    page.wait_for_selector(".author-editor + .q-error:has-text('larger than 2 MB')")

    page.fill("#id_points", "5")
    page.click("#question-form button[type=submit]")
    page.wait_for_url(f"**/exams/{exam.pk}/**")
    question = db(lambda: Question.objects.get(exam=exam))
    assert question.kind == QuestionKind.WRITTEN
    assert KAZAKH in question.body
    assert 'data-latex="\\frac{a}{b}"' in question.body
    assert 'src="data:image/png;base64,' in question.body

    # Opened again: the formula is a formula again, the picture is there; the HTML view
    # shows the stored HTML, and what is typed there comes back into the editor.
    page.goto(f"/exams/{exam.pk}/questions/{question.pk}/")
    box = page.locator(".author-editor .ProseMirror")
    box.locator(".math .katex").wait_for()
    assert box.locator('img[src^="data:image/png;base64,"]').count() == 1
    page.click("button.html-toggle")
    textarea = page.locator("textarea#id_body")
    assert textarea.is_visible()
    assert "data-latex" in textarea.input_value()
    textarea.fill("<p>Қайта жазылды: \\(x^2\\)</p>")
    page.click("button.html-toggle")
    assert "Қайта жазылды" in box.inner_text()
    page.click("#question-form button[type=submit]")
    page.wait_for_url(f"**/exams/{exam.pk}/**")
    assert db(lambda: Question.objects.get(pk=question.pk).body) == (
        "<p>Қайта жазылды: \\(x^2\\)</p>"
    )


def test_exam_page_draws_the_formulas_of_a_question(new_page, world):
    exam = make_exam(world, opens_at=timezone.now() - dt.timedelta(minutes=5))
    exam.questions.all().delete()
    Question.objects.create(
        exam=exam,
        kind=QuestionKind.WRITTEN,
        body=(
            '<p>Solve <span class="math" data-latex="x^2=4">\\(x^2=4\\)</span> and '
            "explain \\(\\sqrt{2}\\) and $$\\ce{H2O}$$.</p>"
        ),
    )
    attempt = attempt_services.attempt_start(student_user=world.student, exam_id=exam.pk)
    page = open_sitting(new_page, world, attempt)
    body = page.locator("#q-1 .qbody")
    page.wait_for_function(
        "() => document.querySelectorAll('#q-1 .qbody .math .katex').length === 3"
    )
    assert body.locator(".math-display .katex-display").count() == 1  # $$...$$
    assert "\\(" not in body.inner_text()
