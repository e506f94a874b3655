"""In Chromium: a grader marks a whole pile by keyboard only (Enter saves and opens the
next work), the teacher releases (asked first), the student reads the result on a phone
(390 px), appeals, the teacher changes the mark, the student reads the new one; and the marking page draws hostile answers and questions without running them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from emtihan.accounts.models import Role
from emtihan.attempts import services as attempts
from emtihan.attempts.tests.test_browser_xss import (
    EVENTS,
    PAYLOADS,
    TRAPS,
    _exam_of_payloads,
)
from emtihan.conftest import login, make_user
from emtihan.core.tests.a11y import assert_no_axe_violations, missing_idrefs
from emtihan.exams import assignments
from emtihan.exams.models import QuestionKind
from emtihan.grading.models import Work, WorkState

from .test_views import written_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def db(fn):
    return fn()


def test_a_pile_marked_by_keyboard_released_and_read_on_a_phone(new_page, pile, world):
    grader = new_page()
    login(grader, pile.grader.email)
    grader.goto(f"/grading/exams/{pile.exam.pk}/")
    assert grader.locator("#pile tbody tr").count() == len(pile.attempts)
    # the first unmarked work's link has the focus: Enter opens it
    assert grader.evaluate("document.activeElement.id") == "start-marking"
    assert_no_axe_violations(grader, "the pile")
    grader.keyboard.press("Enter")
    for number in range(len(pile.attempts)):
        grader.wait_for_selector("#marking")
        code = grader.inner_text("#work-code")
        if number == 0:
            # drawn as the student saw it: the formula typeset, the drawing by its key
            grader.wait_for_selector(".answer .katex")
            drawing = grader.locator(".answer img").first
            assert "/sitting/pictures/" in (drawing.get_attribute("src") or "")
            grader.wait_for_function("() => document.querySelector('.answer img').naturalWidth > 0")
            assert_no_axe_violations(grader, "a work")
            assert missing_idrefs(grader) == []
        # the focus is on the one mark not given yet: the written answer's
        focused = grader.evaluate("document.activeElement.name")
        assert focused.startswith("q") and grader.evaluate("document.activeElement.value") == ""
        grader.keyboard.type("0,5")
        grader.keyboard.press("Tab")  # to its comment
        assert grader.evaluate("document.activeElement.name") == f"{focused}-comment"
        grader.keyboard.type(f"Comment {number}: дұрыс, бірақ қысқа")
        grader.keyboard.press("Enter")
        grader.wait_for_function(
            "(code) => !document.querySelector('#work-code') || "
            "document.querySelector('#work-code').textContent !== code",
            arg=code,
        )
    grader.get_by_text("Every work of this exam is marked.").wait_for()
    assert db(lambda: set(Work.objects.values_list("state", flat=True))) == {WorkState.MARKED}

    teacher = new_page()
    login(teacher, world.teacher.email)
    teacher.goto(f"/exams/{pile.exam.pk}/")
    teacher.get_by_role("link", name="Marking and results").click()
    assert teacher.inner_text("#ready-count") == str(len(pile.attempts))
    assert_no_axe_violations(teacher, "marking and results")
    teacher.get_by_role("button", name="Release the results").click()
    teacher.wait_for_selector("#confirm-form")
    assert db(lambda: Work.objects.filter(released_at__isnull=False).count()) == 0
    teacher.locator("#confirm-form button[type=submit]").click()
    teacher.get_by_text(f"Results of {len(pile.attempts)} works released.").wait_for()
    assert teacher.inner_text("#released-count") == str(len(pile.attempts))

    student = new_page(phone=True)
    user = pile.users[0]
    login(student, user.email, "202301457")
    student.goto("/sitting/exams/")
    work = db(lambda: Work.objects.get(attempt=pile.attempt_of(user)))
    note = student.locator(f'[data-result="{work.result_letter}"]')
    assert work.result_letter in note.inner_text() and str(work.result_gpa) in note.inner_text()
    note.get_by_role("link", name="Marks and comments").click()
    student.wait_for_selector("#result-lines")
    text = student.inner_text("main")
    assert "дұрыс, бірақ қысқа" in text
    assert f"{work.result_points} / {work.result_max}" in text
    assert student.locator("#result-lines tbody tr").count() == len(pile.attempt_of(user).layout)
    assert_no_axe_violations(student, "the student's result")
    # nothing sticks out sideways on a 390 px screen
    assert student.evaluate("document.documentElement.scrollWidth") <= 390

    # The student appeals from the same page; the teacher answers it with a changed mark;
    # the student sees the new mark (the one chain, through the pages only).
    reason = "6-сұрақ: мысалым ескерілмеді."
    student.get_by_label("Reason for the appeal").fill(reason)
    student.get_by_role("button", name="File the appeal").click()
    student.get_by_text("Your appeal is filed.").wait_for()
    teacher.goto(f"/grading/exams/{pile.exam.pk}/results/")
    teacher.locator("#appeals").get_by_role("link", name=user.get_full_name()).click()
    teacher.wait_for_selector("#appeal-decision")
    assert reason in teacher.inner_text("#appeal-reason")
    field = f"#q{written_of(pile.attempt_of(user))}"
    assert teacher.input_value(field) == "0.50"  # the grader's mark, typed as 0,5
    teacher.fill(field, "1")
    teacher.get_by_label("Answer to the student (required to reject)").fill("Мысал ескерілді.")
    teacher.get_by_role("button", name="Change the marks").click()
    teacher.locator("#confirm-form button[type=submit]").click()
    teacher.get_by_text("The appeal is decided").wait_for()
    student.reload()
    assert student.get_attribute("#appeal-status", "data-status") == "changed"
    assert "Мысал ескерілді." in student.inner_text("#appeal-answer")
    assert "changed on appeal, was 0.50" in student.inner_text("#result-lines")
    after = db(lambda: Work.objects.get(attempt=pile.attempt_of(user)))
    assert after.result_points == work.result_points + Decimal("0.5")
    assert f"{after.result_points} / {after.result_max}" in student.inner_text("#result-total")


def test_hostile_answers_and_questions_run_nothing_on_the_marking_page(new_page, world):
    grader = make_user("grader@test.local", Role.GRADER, full_name="Gra Der")
    exam = _exam_of_payloads(world)
    assignments.grader_assign(actor=world.registrar, user=grader, exam=exam)
    attempt = attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    written = [e["q"] for e in attempt.layout if e["kind"] == QuestionKind.WRITTEN]
    for number, (question_id, payload) in enumerate(zip(written, PAYLOADS, strict=False)):
        doc = {"type": "doc", "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": payload}]},
            {"type": "math", "attrs": {"latex": "\\href{javascript:alert(1)}{x}" + payload[:200]}},
        ]}  # fmt: skip
        attempts.answer_send(
            attempt_id=attempt.pk,
            student_user=world.student,
            question_id=question_id,
            content={"doc": doc},
            base_version=0,
            key=f"x{number}",
        )
    attempts.attempt_finish(attempt_id=attempt.pk, student_user=world.student, key="f")

    page = new_page()
    dialogs: list[str] = []
    popups: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.context.on("page", lambda other: popups.append(other.url))
    login(page, grader.email)
    page.add_init_script(TRAPS)
    page.goto(f"/grading/exams/{exam.pk}/")
    page.locator("#start-marking").click()
    page.wait_for_selector("#marking")
    url = page.url
    assert page.locator("section.q-mark").count() == len(attempt.layout)
    touched = page.evaluate(
        """(events) => {
          let n = 0;
          for (const el of document.querySelectorAll(".q-body *, .answer *, .options *")) {
            for (const type of events) el.dispatchEvent(new Event(type, { bubbles: true }));
            n += 1;
          }
          return n;
        }""",
        EVENTS,
    )
    assert touched > len(PAYLOADS)
    page.wait_for_timeout(1500)
    assert page.evaluate("window.__ran") == []
    assert dialogs == [] and popups == []
    assert page.url == url
    # the answers' hostile text is drawn as text
    assert PAYLOADS[0].strip()[:20] in page.inner_text("main")
