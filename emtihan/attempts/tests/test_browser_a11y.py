"""Accessibility of every student page in Chromium: axe-core (vendored, pinned in
frontend/package.json) finds no serious or critical violation on any of them, and what
axe cannot see is checked by hand: formulas' names in Chromium's own accessibility tree,
where focus goes and whether it shows, what the live regions say and how often, the keys
of the editor, the page at 320 px, and a whole sitting done with the keyboard alone.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from emtihan.attempts import services
from emtihan.attempts.models import Attempt, AttemptStatus
from emtihan.attempts.tests.conftest import make_exam
from emtihan.attempts.tests.test_browser_sitting import (
    FRACTION,
    all_saved,
    answer,
    db,
    expect_state,
    insert_latex,
    numbers,
    png_bytes,
    settle_formula_dialog,
    type_into,
    wait_until,
)
from emtihan.conftest import login
from emtihan.core.tests.a11y import assert_no_axe_violations, ax_nodes, missing_idrefs
from emtihan.exams.models import Question, QuestionKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Options that are nothing but a formula: their only text is the formula's.
FORMULA_OPTIONS = [
    {"id": "a", "html": r"<p>\(x^2\)</p>", "fraction": 1.0},
    {
        "id": "b",
        "html": r'<p><span class="math" data-latex="\frac{a}{b}">\(\frac{a}{b}\)</span></p>',
        "fraction": 0.0,
    },
    {"id": "c", "html": r"<p>\(\sqrt{2}\)</p>", "fraction": 0.0},
]
FORMULA_NAMES = {"Formula: x^2", r"Formula: \frac{a}{b}", r"Formula: \sqrt{2}"}
FORMULA_BODY = r"<p>Which is \(x \cdot x\)?</p>"

# Every text a live region ends up saying, in order (installed before the page's scripts).
LIVE_LOG = """
window.__said = [];
const live = '[aria-live]:not([aria-live="off"]), [role=status], [role=alert], [role=log]';
new MutationObserver((records) => {
  const regions = new Set();
  for (const r of records) {
    const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
    const region = el && el.closest(live);
    if (region) regions.add(region);
  }
  for (const region of regions) {
    const text = region.textContent.trim();
    if (text && !region.closest("[hidden]")) window.__said.push(text);
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def formula_exam(world, **fields):
    """An open exam with one question of every kind, plus single and multiple choice
    whose options are only formulas (the first with a formula in its text)."""
    fields.setdefault("opens_at", timezone.now() - dt.timedelta(minutes=30))
    fields.setdefault("allow_drawings", True)
    fields.setdefault("allow_pictures", True)
    exam = make_exam(world, **fields)
    Question.objects.create(
        exam=exam,
        kind=QuestionKind.SINGLE,
        body=FORMULA_BODY,
        spec={"options": FORMULA_OPTIONS},
        order=20,
    )
    Question.objects.create(
        exam=exam,
        kind=QuestionKind.MULTIPLE,
        body="<p>Pick the formulas</p>",
        spec={"options": FORMULA_OPTIONS},
        order=21,
    )
    return exam


def start(world, **fields) -> Attempt:
    exam = formula_exam(world, **fields)
    return services.attempt_start(student_user=world.student, exam_id=exam.pk)


def sit(new_page, world, attempt: Attempt, *, log: bool = False, **context):
    page = new_page(**context)
    if log:
        page.add_init_script(LIVE_LOG)
    login(page, world.student.email, "100001")
    page.goto(f"/sitting/{attempt.pk}/")
    page.wait_for_selector(".sit-header")
    return page


def number_of(attempt: Attempt, kind: str, body: str | None = None) -> int:
    """The question number (the student's order) of a kind, or of the question whose
    body is ``body``."""
    for number, entry in enumerate(attempt.layout, start=1):
        if entry["kind"] != kind:
            continue
        if body is None or Question.objects.get(pk=entry["q"]).body == body:
            return number
    raise AssertionError(f"no {kind} question")


def show(page, number: int) -> None:
    page.click(f'.nav-btn[data-number="{number}"]')
    page.wait_for_selector(f"#q-{number}:not([hidden])")


def formulas_drawn(page) -> None:
    page.wait_for_function("() => !document.querySelector('.math-pending')")


def check(page, where: str) -> None:
    assert_no_axe_violations(page, where)
    assert missing_idrefs(page) == [], where


def active(page, script: str = "el => el"):
    return page.evaluate(f"() => {{ const el = document.activeElement; return ({script})(el); }}")


def active_matches(page, selector: str) -> bool:
    return page.evaluate(
        "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def tab_to(page, selector: str, *, limit: int = 80, back: bool = False) -> int:
    """Press Tab (Shift+Tab) until the focused element matches ``selector``; the presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if active_matches(page, selector):
            return presses
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def said(page) -> list[str]:
    return page.evaluate("() => window.__said")


# --- axe-core over every student page ----------------------------------------------------


def test_axe_finds_nothing_serious_on_any_student_page(new_page, world):
    exam = formula_exam(world)
    anonymous = new_page()
    anonymous.goto("/accounts/login/")
    check(anonymous, "login")
    anonymous.goto("/accounts/password/reset/")
    check(anonymous, "password reset")

    page = new_page()
    login(page, world.student.email, "100001")
    for url, where in [
        ("/sitting/", "student home"),
        ("/sitting/exams/", "exams list"),
        (f"/sitting/exams/{exam.pk}/", "exam rules"),
        ("/accounts/time-zone/", "time zone"),
        ("/accounts/password/change/", "password change"),
    ]:
        page.goto(url)
        check(page, where)

    attempt = services.attempt_start(student_user=world.student, exam_id=exam.pk)
    page.goto(f"/sitting/{attempt.pk}/")
    page.wait_for_selector(".sit-header")
    for number, entry in enumerate(attempt.layout, start=1):
        show(page, number)
        if entry["kind"] == QuestionKind.WRITTEN:
            page.locator(f"#q-{number} .ProseMirror").wait_for()
        formulas_drawn(page)
        check(page, f"sitting page, question {number} ({entry['kind']})")

    # An answer sent (its receipt shown), then the finish dialog and the receipts page.
    single = number_of(attempt, QuestionKind.SINGLE, FORMULA_BODY)
    show(page, single)
    page.locator(f"#q-{single} .option").first.click()
    page.click(f"#q-{single} button.send")
    page.locator(f"#q-{single} .receipt-code").wait_for()
    check(page, "sitting page with a receipt")
    page.click(".sit-header .finish")
    page.wait_for_selector("dialog.finish-dialog[open]")
    check(page, "finish dialog")
    page.click('dialog.finish-dialog [data-action="confirm-finish"]')
    page.wait_for_url(f"**/sitting/{attempt.pk}/finished/")
    page.locator("main").wait_for()
    check(page, "receipts")


# --- formulas -------------------------------------------------------------------------------


def test_choices_that_are_only_a_formula_are_named_by_it(new_page, world):
    """Chromium's accessibility tree (what a screen reader gets) names every option and
    every formula; before, a formula-only option was an unnamed "radio button"."""
    attempt = start(world)
    page = sit(new_page, world, attempt)
    single = number_of(attempt, QuestionKind.SINGLE, FORMULA_BODY)
    multiple = number_of(attempt, QuestionKind.MULTIPLE, "<p>Pick the formulas</p>")
    show(page, single)
    formulas_drawn(page)
    radios = {n["name"] for n in ax_nodes(page, "radio")}
    assert radios == FORMULA_NAMES
    # The question's own formula too (the body is an image named by its LaTeX).
    assert r"Formula: x \cdot x" in {n["name"] for n in ax_nodes(page, "image")}

    show(page, multiple)
    formulas_drawn(page)
    assert {n["name"] for n in ax_nodes(page, "checkbox")} == FORMULA_NAMES

    # A formula the student writes is named the same way in the editor.
    written = numbers(attempt, QuestionKind.WRITTEN)[0]
    type_into(page, written, "Answer: ")
    insert_latex(page, written, "formula", FRACTION)
    page.wait_for_selector(f"#q-{written} .ProseMirror .math .katex")
    assert r"Formula: \frac{a}{b}" in {n["name"] for n in ax_nodes(page, "image")}


# --- Send, live regions, time ----------------------------------------------------------------


def test_send_keeps_focus_and_the_receipt_and_each_save_are_said_once(new_page, world):
    attempt = start(world)
    page = sit(new_page, world, attempt, log=True)
    number = numbers(attempt, QuestionKind.WRITTEN)[0]
    type_into(page, number, "Бірінші жауап")
    wait_until(page, lambda: answer(attempt, number), what="the autosave")
    all_saved(page)
    page.wait_for_timeout(300)
    saves = [s for s in said(page) if s.startswith("Saved automatically")]
    assert len(saves) == 1, said(page)  # one live region says it, once

    # Send with the keyboard: focus stays on the button, which becomes "Edit".
    page.focus(f"#q-{number} button.send")
    page.keyboard.press("Enter")
    expect_state(page, number, "sent")
    page.locator(f"#q-{number} .receipt-code").wait_for()
    assert active_matches(page, f'#q-{number} button.send[data-action="edit"]')
    code = page.inner_text(f"#q-{number} .receipt-code")
    page.wait_for_timeout(300)
    receipts = [s for s in said(page) if "Receipt" in s]
    assert receipts == [f"Question {number} sent. Receipt: {code}"], said(page)


def test_low_time_is_said_once_at_10_5_and_1_minutes_in_the_page_language(
    new_page, world, live_server
):
    attempt = start(world)

    def deadline_in(seconds: int) -> None:
        when = timezone.now() + dt.timedelta(seconds=seconds)
        db(lambda: Attempt.objects.filter(pk=attempt.pk).update(deadline=when))

    # The page opens with time to spare, then learns a closer deadline from each heartbeat
    # (how a long login on a loaded machine cannot make the page open past a threshold).
    deadline_in(30 * 60)
    page = new_page()
    page.add_init_script(LIVE_LOG)
    page.context.add_cookies([{"name": "emtihan_language", "value": "ru", "url": live_server.url}])
    login(page, world.student.email, "100001")
    page.goto(f"/sitting/{attempt.pk}/")
    page.wait_for_selector(".sit-header")
    warnings = '[data-testid="time-warning"]'
    for seconds, words in [
        (10 * 60 - 30, "10 минут"),
        (5 * 60 - 30, "5 минут"),
        (30, "меньше минуты"),
    ]:
        deadline_in(seconds)
        page.evaluate("() => window.emtihanSitting.engine.heartbeat()")
        page.wait_for_function(
            "([s, w]) => document.querySelector(s).textContent.includes(w)",
            arg=[warnings, words],
            timeout=15_000,
        )
    page.wait_for_timeout(1500)
    assert [s for s in said(page) if "Осталось" in s] == [
        "Осталось меньше 10 минут.",
        "Осталось меньше 5 минут.",
        "Осталось меньше минуты.",
    ]

    # Opened again with 4 minutes left: what has already passed is not said again.
    deadline_in(4 * 60)
    page.reload()
    page.wait_for_selector(".sit-header")
    page.wait_for_timeout(1500)
    assert [s for s in said(page) if "Осталось" in s] == []


# --- focus ------------------------------------------------------------------------------------

OUTLINE = "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow]; }"
BRAND = "rgb(11, 92, 171)"


def test_focus_is_visible_on_the_navigator_the_heading_and_the_editor(new_page, world):
    attempt = start(world)
    page = sit(new_page, world, attempt)
    current = '.nav-btn[aria-current="true"]'
    tab_to(page, current)
    focused_current = active(page, OUTLINE)
    assert focused_current[0] == "solid" and focused_current[2] == BRAND, focused_current
    # The current question is marked otherwise than by the focus ring.
    page.keyboard.press("Tab")
    unfocused_current = page.eval_on_selector(current, OUTLINE)
    assert unfocused_current[0] == "none", unfocused_current
    assert "inset" in unfocused_current[3]
    assert active(page, OUTLINE)[0] == "solid"  # the next button, focused

    # Enter on a navigator button: focus on the question's heading, with a ring.
    written = numbers(attempt, QuestionKind.WRITTEN)[0]
    tab_to(page, f'.nav-btn[data-number="{written}"]', back=written < 2)
    page.keyboard.press("Enter")
    assert active_matches(page, f"#q-{written} h2")
    heading = active(page, OUTLINE)
    assert heading[0] == "solid" and float(heading[1].rstrip("px")) >= 2, heading

    # The editor: a clear ring in the brand's colour (it was a faint shadow).
    page.locator(f"#q-{written} .ProseMirror").wait_for()
    tab_to(page, f"#q-{written} .ProseMirror")
    ring = active(page, OUTLINE)
    assert ring[0] == "solid" and ring[2] == BRAND and float(ring[1].rstrip("px")) >= 2, ring


def test_skip_link_then_two_tabs_reach_the_answer(new_page, world):
    attempt = start(world)
    page = sit(new_page, world, attempt)
    written = numbers(attempt, QuestionKind.WRITTEN)[0]
    show(page, written)
    page.locator(f"#q-{written} .ProseMirror").wait_for()
    page.goto(page.url)  # from the top of the page, as a keyboard user arrives
    page.wait_for_selector(".sit-header")
    page.locator(".ProseMirror").first.wait_for(state="attached")
    page.keyboard.press("Tab")
    assert active(page, "el => el.className") == "skip-link"
    assert active(page, "el => el.textContent") == "Skip to the question"
    page.keyboard.press("Enter")
    first = page.evaluate("() => document.querySelector('.question:not([hidden])').dataset.number")
    assert active_matches(page, f"#q-{first} h2")
    show(page, written)  # the navigator moves focus to the heading as the skip link does
    page.focus(f"#q-{written} h2")
    presses = tab_to(page, f"#q-{written} .ProseMirror", limit=5)
    assert presses == 2  # the toolbar is one Tab stop; then the text


def test_finish_dialog_opens_on_the_safe_choice(new_page, world):
    attempt = start(world)
    page = sit(new_page, world, attempt)
    page.focus(".sit-header .finish")
    page.keyboard.press("Enter")
    page.wait_for_selector("dialog.finish-dialog[open]")
    assert active_matches(page, 'dialog.finish-dialog [data-action="cancel"]')
    page.keyboard.press("Enter")  # a reflex Enter goes back to the exam
    page.wait_for_selector("dialog.finish-dialog", state="detached")
    assert db(lambda: Attempt.objects.get(pk=attempt.pk).status) == AttemptStatus.IN_PROGRESS


# --- the editor's keys -----------------------------------------------------------------------


def test_tab_in_a_table_moves_cells_then_leaves_and_escape_tab_leaves(new_page, world):
    attempt = start(world)
    page = sit(new_page, world, attempt)
    number = numbers(attempt, QuestionKind.WRITTEN)[0]
    type_into(page, number, "Кесте:")
    page.click(f'#q-{number} .tb[data-cmd="table"]')
    editor = page.locator(f"#q-{number} .ProseMirror")
    editor.locator("table").wait_for()
    in_editor = f"#q-{number} .ProseMirror"
    for cell in range(8):  # 3 x 3: Tab walks the cells, typing in each
        page.keyboard.type(str(cell))
        page.keyboard.press("Tab")
        assert page.evaluate(
            "(s) => document.querySelector(s).contains(document.activeElement) || document.activeElement.matches(s)",
            in_editor,
        )
    page.keyboard.type("8")
    page.keyboard.press("Tab")  # the last cell: out of the table and the editor
    assert not active_matches(page, in_editor)
    assert editor.locator("tr").count() == 3  # no row was added
    assert editor.locator("td, th").all_inner_texts() == [str(i) for i in range(9)]

    # From the middle of the table: Esc, then Tab, leaves too.
    editor.locator("td").nth(1).click()
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not active_matches(page, in_editor)
    assert editor.locator("tr").count() == 3

    # The keys are told: in the editor's description and its "Keyboard" help.
    described = editor.get_attribute("aria-describedby")
    hint = page.inner_text(f"#{described.split()[0]}")
    assert "Esc" in hint and "Tab" in hint
    help_text = page.locator(f"#q-{number} .editor-help").inner_text()
    assert "Keyboard" in help_text
    page.click(f"#q-{number} .editor-help summary")
    help_text = page.locator(f"#q-{number} .editor-help").inner_text()
    assert "last cell leaves the table" in help_text and "Esc, then Tab" in help_text


def test_a_formula_is_edited_with_enter_and_space_does_not_delete_it(new_page, world):
    attempt = start(world)
    page = sit(new_page, world, attempt)
    number = numbers(attempt, QuestionKind.WRITTEN)[0]
    type_into(page, number, "x = ")
    insert_latex(page, number, "formula", FRACTION)
    editor = page.locator(f"#q-{number} .ProseMirror")
    page.keyboard.press("ArrowLeft")  # selects the formula
    page.wait_for_selector(f"#q-{number} .math.ProseMirror-selectednode")
    page.keyboard.press("Space")  # opens it, as a button would; it used to delete it
    dialog = page.locator("dialog.formula-dialog")
    dialog.wait_for()
    assert dialog.locator(".latex-input").input_value() == FRACTION
    # MathLive's field takes focus once it has loaded, and it keeps Escape for itself:
    # Escape must close the dialog from there too.
    dialog.locator(".mathfield").wait_for()
    page.wait_for_function("() => document.activeElement?.classList.contains('mathfield')")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert editor.locator(".math").count() == 1

    page.keyboard.press("Enter")  # still selected: Enter edits it
    dialog.wait_for()
    settle_formula_dialog(page, dialog)
    dialog.locator(".latex-input").fill(r"\sqrt{y}")
    dialog.locator(".latex-input").press("Enter")
    dialog.wait_for(state="detached")
    page.wait_for_selector(rf'#q-{number} .math[data-latex="\\sqrt{{y}}"]')
    assert editor.locator(".math").count() == 1
    assert active_matches(page, f"#q-{number} .ProseMirror")
    page.keyboard.press("ArrowRight")  # off the formula, after it
    page.keyboard.type(" ok")
    wait_until(
        page,
        lambda: (found := answer(attempt, number)) and r"\sqrt{y}" in str(found.draft),
        what="the edited formula saved",
    )
    assert "ok" in editor.inner_text()


# --- pictures --------------------------------------------------------------------------------


def test_pictures_and_drawings_get_names_the_student_can_change(new_page, world):
    attempt = start(world)
    page = sit(new_page, world, attempt)
    number = numbers(attempt, QuestionKind.WRITTEN)[0]
    type_into(page, number, "Graph: ")
    page.locator(f"#q-{number} input[type=file]").set_input_files(
        files=[{"name": "graph.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    editor = page.locator(f"#q-{number} .ProseMirror")
    editor.locator("img[src]").wait_for()
    assert editor.locator("img[src]").get_attribute("alt") == "Picture 1 in your answer"

    # A drawing (a stroke with the pen).
    page.click(f'#q-{number} .tb[data-cmd="drawing"]')
    canvas = page.locator("dialog.drawing-dialog canvas.upper-canvas")
    canvas.wait_for()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 140, box["y"] + 90, steps=8)
    page.mouse.up()
    page.click('dialog.drawing-dialog [data-action="insert-drawing"]')
    page.wait_for_selector("dialog.drawing-dialog", state="detached")
    assert editor.locator("img[src]").nth(1).get_attribute("alt") == "Drawing 1 in your answer"

    # The student describes the picture: select it, "Description", type, Enter.
    editor.locator("img[src]").first.click()
    page.click(f'#q-{number} .tb[data-cmd="describe"]')
    dialog = page.locator("dialog.text-dialog")
    dialog.wait_for()
    assert active(page, "el => el.value") == "Picture 1 in your answer"
    page.keyboard.press("Control+A")
    page.keyboard.type("Graph of y = x squared")
    page.keyboard.press("Enter")
    dialog.wait_for(state="detached")
    assert editor.locator("img[src]").first.get_attribute("alt") == "Graph of y = x squared"
    all_saved(page)
    alts = re.findall(r"'alt': '([^']*)'", str(answer(attempt, number).draft))
    assert alts == ["Graph of y = x squared", "Drawing 1 in your answer"]


# --- 320 px (400 % zoom) -----------------------------------------------------------------------


def test_the_sitting_page_does_not_scroll_sideways_at_320px(new_page, world):
    attempt = start(world)
    page = sit(new_page, world, attempt)
    page.set_viewport_size({"width": 320, "height": 640})
    for number in range(1, len(attempt.layout) + 1):
        show(page, number)
        if attempt.layout[number - 1]["kind"] == QuestionKind.WRITTEN:
            page.locator(f"#q-{number} .tb[data-cmd=picture]").wait_for()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 320, f"question {number}: the page is {width} px wide"


# --- the whole sitting with the keyboard alone ----------------------------------------------


def test_a_whole_sitting_with_the_keyboard_alone(new_page, world):
    exam = formula_exam(world)
    page = new_page()
    page.goto("/accounts/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type(world.student.email)
    page.keyboard.press("Tab")
    page.keyboard.type("100001")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    # To the exam's rules, and Start.
    page.goto("/sitting/exams/")
    tab_to(page, f'main a[href="/sitting/exams/{exam.pk}/"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/sitting/exams/{exam.pk}/")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sitting/\d+/$"))
    page.wait_for_selector(".sit-header")
    attempt = db(lambda: Attempt.objects.get(exam=exam, student__user=world.student))

    # A written answer: the navigator, the heading, the toolbar, the text.
    written = numbers(attempt, QuestionKind.WRITTEN)[0]
    page.locator(".ProseMirror").first.wait_for(state="attached")
    tab_to(page, f'.nav-btn[data-number="{written}"]')
    page.keyboard.press("Enter")
    assert active_matches(page, f"#q-{written} h2")
    tab_to(page, f"#q-{written} .ProseMirror", limit=3)
    page.keyboard.type("Жауап пернетақтамен")
    page.keyboard.press("Escape")
    tab_to(page, f"#q-{written} button.send", limit=5)
    page.keyboard.press("Enter")
    expect_state(page, written, "sent")
    assert active_matches(page, f"#q-{written} button.send")

    # A choice whose options are formulas: the arrow keys choose.
    single = number_of(attempt, QuestionKind.SINGLE, FORMULA_BODY)
    tab_to(page, f'.nav-btn[data-number="{single}"]', back=True)
    page.keyboard.press("Enter")
    tab_to(page, f"#q-{single} input[type=radio]", limit=5)
    page.keyboard.press("ArrowDown")  # moves to the next option and checks it
    picked = active(page, "el => el.checked && el.value")
    assert picked
    tab_to(page, f"#q-{single} button.send", limit=5)
    page.keyboard.press("Enter")
    expect_state(page, single, "sent")

    # Around with the navigator and Next.
    other = 1 if single != 1 else 2
    tab_to(page, f'.nav-btn[data-number="{other}"]', back=True)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#q-{other}:not([hidden])")
    assert active_matches(page, f"#q-{other} h2")

    # Finish: the dialog opens on "Back to the exam"; Shift+Tab to "Finish the exam".
    tab_to(page, ".sit-header .finish", back=True)
    page.keyboard.press("Enter")
    page.wait_for_selector("dialog.finish-dialog[open]")
    page.keyboard.press("Shift+Tab")
    assert active_matches(page, '[data-action="confirm-finish"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/sitting/{attempt.pk}/finished/")
    done = db(lambda: Attempt.objects.get(pk=attempt.pk))
    assert done.status == AttemptStatus.FINISHED
    chosen = answer(attempt, single)
    assert chosen.sent_number == 1 and chosen.draft == {"choice": picked}
    assert "пернетақтамен" in str(answer(attempt, written).draft)
