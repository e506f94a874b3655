"""The exam page in Chromium against the real server: written answers (Kazakh text, a
formula, a chemical equation, a drawing, a picture), Send and Edit, closed questions in any
order, offline typing, a reload before the autosave, a stale save (409), the time running
out (countdown and 410), and Finish.

The page is frontend/ built into attempts/static/attempts/ (docs/FRONTEND.md); the
contract it follows is docs/EXAM-SITTING.md.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import time
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError
from django.utils import timezone

from emtihan.attempts import services
from emtihan.attempts.models import Answer, AnswerVersion, Attempt, AttemptStatus, Picture
from emtihan.attempts.tests.conftest import make_exam
from emtihan.attempts.tokens import token_read
from emtihan.conftest import login
from emtihan.exams.models import Question, QuestionKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KAZAKH = "Сәлем әлем, қазақ тілі ғылым"
RUSSIAN = "Привет, мир: ёжик и щука"
LATIN = "Hello, Ünïcode world"
FRACTION = r"\frac{a}{b}"
WATER = r"\ce{2H2 + O2 -> 2H2O}"
RECEIPT = re.compile(r"^v(\d+) · \d\d:\d\d:\d\d · [0-9a-f]{12}$")


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quiet_server():
    """After a test, let the live server finish the requests the page still had in flight
    (a heartbeat, an autosave) before the database is flushed: the test database is an
    SQLite file (settings_test) that only one writer holds at a time."""
    yield
    time.sleep(0.5)


def db(read: Callable[[], Any], attempts: int = 20) -> Any:
    """A database read or write from the test while the page also writes through the live
    server: SQLite may still answer "database is locked" after its busy timeout, so retry."""
    for attempt in range(attempts):
        try:
            return read()
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)
    return None


def start_sitting(world, *, extra_written: int = 2, **exam_fields: Any) -> Attempt:
    """An open exam with one question of every kind plus ``extra_written`` written ones,
    started by ``world.student``."""
    exam_fields.setdefault("opens_at", timezone.now() - dt.timedelta(minutes=30))
    exam = make_exam(world, **exam_fields)
    for i in range(extra_written):
        Question.objects.create(
            exam=exam, kind=QuestionKind.WRITTEN, body=f"<p>Essay {i + 1}</p>", order=10 + i
        )
    return services.attempt_start(student_user=world.student, exam_id=exam.pk)


def numbers(attempt: Attempt, kind: str) -> list[int]:
    """The question numbers (1-based, the student's order) of this kind."""
    return [i for i, entry in enumerate(attempt.layout, start=1) if entry["kind"] == kind]


def question_id(attempt: Attempt, number: int) -> int:
    return attempt.layout[number - 1]["q"]


def open_sitting(new_page, world, attempt: Attempt):
    page = new_page()
    login(page, world.student.email, "100001")
    page.goto(f"/sitting/{attempt.pk}/")
    page.wait_for_selector(".sit-header")
    return page


def go(page, number: int) -> None:
    page.click(f'.nav-btn[data-number="{number}"]')
    page.wait_for_selector(f"#q-{number}:not([hidden])")


def editor(page, number: int):
    go(page, number)
    box = page.locator(f"#q-{number} .ProseMirror")
    box.wait_for()
    return box


def type_into(page, number: int, text: str) -> None:
    box = editor(page, number)
    box.click()
    page.keyboard.press("End")
    page.keyboard.type(text)


def wait_until(page, predicate: Callable[[], Any], timeout: float = 15, what: str = "") -> Any:
    """Poll the database (the live server runs in another thread) while the page works."""
    deadline = time.monotonic() + timeout
    while True:
        value = db(predicate)
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what or predicate}")
        page.wait_for_timeout(200)


def answer(attempt: Attempt, number: int) -> Answer | None:
    return db(
        lambda: Answer.objects.filter(
            attempt=attempt, question_id=question_id(attempt, number)
        ).first()
    )


def draft_text(attempt: Attempt, number: int) -> str:
    """All the text of a written draft (text nodes and formulas' LaTeX), concatenated."""
    found = answer(attempt, number)
    return flatten(found.draft) if found else ""


def flatten(node: Any) -> str:
    if isinstance(node, dict):
        out = node.get("text", "") if isinstance(node.get("text"), str) else ""
        attrs = node.get("attrs") or {}
        if node.get("type") == "math":
            out += "$" + str(attrs.get("latex", "")) + "$"
        if node.get("type") == "image":
            out += "[img " + str(attrs.get("src", "")) + "]"
        return out + "".join(flatten(v) for k, v in node.items() if k in ("doc", "content"))
    if isinstance(node, list):
        return "".join(flatten(v) for v in node)
    return ""


def all_saved(page) -> None:
    page.wait_for_selector('.conn[data-state="saved"]', timeout=15_000)


def expect_state(page, number: int, state: str) -> None:
    """The navigator shows this state for the question (it redraws once per frame)."""
    page.wait_for_selector(f'.nav-btn[data-number="{number}"][data-state="{state}"]')


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    """A small red PNG, written by hand (no imaging library needed)."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def settle_formula_dialog(page, dialog, button: str = "formula") -> None:
    """Wait as a person does for the formula dialog to settle: MathLive loads and takes
    the focus on its own, later (for chemistry the LaTeX input keeps it). A fill racing
    that could have its text or its Enter land in the formula field."""
    if button != "formula":
        return
    dialog.locator(".mathfield").wait_for()
    page.wait_for_function("() => document.activeElement?.classList.contains('mathfield')")


def insert_latex(page, number: int, button: str, latex: str) -> None:
    page.click(f'#q-{number} .tb[data-cmd="{button}"]')
    dialog = page.locator("dialog.formula-dialog")
    dialog.wait_for()
    settle_formula_dialog(page, dialog, button)
    dialog.locator(".latex-input").fill(latex)
    page.wait_for_selector("dialog.formula-dialog .formula-preview .katex")
    dialog.locator('[data-action="insert-formula"]').click()
    dialog.wait_for(state="detached")


# --- tests ---------------------------------------------------------------------------------


def test_written_answer_with_every_script_formula_chemistry_drawing_send_and_edit(new_page, world):
    attempt = start_sitting(world, allow_drawings=True, allow_pictures=True)
    page = open_sitting(new_page, world, attempt)
    number = numbers(attempt, QuestionKind.WRITTEN)[0]
    box = editor(page, number)
    assert page.locator(f"#q-{number} .tb[data-cmd=formula]").is_visible()

    type_into(page, number, KAZAKH + " ")
    insert_latex(page, number, "formula", FRACTION)
    page.keyboard.type(" " + RUSSIAN + " ")
    insert_latex(page, number, "chemistry", WATER)
    page.keyboard.type(" " + LATIN)
    assert box.locator(".math .katex").count() == 2  # both drawn by KaTeX (+ mhchem)

    # A drawing: strokes with the mouse on the fabric canvas, then Insert (uploaded as PNG).
    page.click(f'#q-{number} .tb[data-cmd="drawing"]')
    canvas = page.locator("dialog.drawing-dialog canvas.upper-canvas")
    canvas.wait_for()
    area = canvas.bounding_box()
    assert area is not None
    x, y = area["x"], area["y"]
    for start, end in (((60, 60), (300, 200)), ((80, 220), (320, 80))):
        page.mouse.move(x + start[0], y + start[1])
        page.mouse.down()
        for step in range(1, 11):
            page.mouse.move(
                x + start[0] + (end[0] - start[0]) * step / 10,
                y + start[1] + (end[1] - start[1]) * step / 10,
            )
        page.mouse.up()
    page.click('dialog.drawing-dialog [data-action="insert-drawing"]')
    page.wait_for_selector("dialog.drawing-dialog", state="detached")
    image = box.locator('img[src^="/sitting/"]')
    image.wait_for()
    assert re.match(rf"^/sitting/{attempt.pk}/pictures/\d+/$", image.get_attribute("src") or "")
    assert db(lambda: Picture.objects.filter(attempt=attempt).count()) == 1

    # Send: a receipt, the state "sent", the button reads Edit, the editor is read-only.
    page.click(f'#q-{number} button.send[data-action="send"]')
    receipt = page.locator(f"#q-{number} .receipt-code")
    receipt.wait_for()
    assert RECEIPT.match(receipt.inner_text()).group(1) == "1"  # type: ignore[union-attr]
    expect_state(page, number, "sent")
    page.wait_for_selector(f'#q-{number} button.send[data-action="edit"]')
    assert page.inner_text(f"#q-{number} button.send") == "Edit"
    assert box.get_attribute("contenteditable") == "false"
    version = db(lambda: AnswerVersion.objects.get(answer__attempt=attempt))
    text = flatten(version.content)
    for part in (KAZAKH, RUSSIAN, LATIN, f"${FRACTION}$", f"${WATER}$", "[img /sitting/"):
        assert part in text
    assert version.digest.startswith(receipt.inner_text().rsplit(" · ", 1)[1])

    # Edit: the state becomes "edited since sent" on the first change; Send again: v2.
    page.click(f'#q-{number} button.send[data-action="edit"]')
    page.wait_for_selector(f'#q-{number} .ProseMirror[contenteditable="true"]')
    expect_state(page, number, "sent")  # editing starts only with the first change
    type_into(page, number, " Қосымша")
    expect_state(page, number, "edited")
    page.click(f'#q-{number} button.send[data-action="send"]')
    page.wait_for_function(
        f"() => document.querySelector('#q-{number} .receipt-code').textContent.startsWith('v2 ')"
    )
    expect_state(page, number, "sent")
    assert "Қосымша" in flatten(db(lambda: AnswerVersion.objects.get(number=2)).content)


def test_picture_upload_and_buttons_follow_the_exam_rules(new_page, world):
    attempt = start_sitting(world, allow_pictures=True, allow_formulas=False)
    page = open_sitting(new_page, world, attempt)
    number = numbers(attempt, QuestionKind.WRITTEN)[0]
    box = editor(page, number)
    toolbar = page.locator(f"#q-{number} .editor-toolbar")
    assert toolbar.locator("[data-cmd=formula]").count() == 0
    assert toolbar.locator("[data-cmd=chemistry]").count() == 0
    assert toolbar.locator("[data-cmd=drawing]").count() == 0
    box.click()
    page.keyboard.type("Суретім: ")
    page.set_input_files(
        f"#q-{number} input[type=file]",
        files=[{"name": "red.png", "mimeType": "image/png", "buffer": png_bytes()}],
    )
    box.locator('img[src^="/sitting/"]').wait_for()
    all_saved(page)
    assert "[img /sitting/" in draft_text(attempt, number)


def test_closed_questions_in_any_order(new_page, world):
    attempt = start_sitting(world, extra_written=0)
    page = open_sitting(new_page, world, attempt)
    kinds = {kind: numbers(attempt, kind)[0] for kind in QuestionKind.values}
    # Answer the last question first, then the others backwards.
    order = sorted(kinds.items(), key=lambda item: -item[1])
    for kind, number in order:
        go(page, number)
        section = page.locator(f"#q-{number}")
        if kind == QuestionKind.SINGLE:
            section.locator("input[type=radio][value=b]").check()
        elif kind == QuestionKind.TRUE_FALSE:
            section.locator("input[type=radio][value=false]").check()
        elif kind == QuestionKind.MULTIPLE:
            section.locator("input[type=checkbox][value=c]").check()
            section.locator("input[type=checkbox][value=a]").check()
        elif kind == QuestionKind.SHORT:
            section.locator("input.short-input").fill("жауап")
        elif kind == QuestionKind.NUMERIC:
            field = section.locator("input.numeric-input")
            assert field.get_attribute("inputmode") == "decimal"
            field.fill("3,14")
        else:
            type_into(page, number, KAZAKH)
        expect_state(page, number, "draft")
    all_saved(page)
    expected: dict[str, dict[str, Any]] = {
        QuestionKind.SINGLE: {"choice": "b"},
        QuestionKind.TRUE_FALSE: {"choice": "false"},
        QuestionKind.MULTIPLE: {"choices": ["a", "c"]},
        QuestionKind.SHORT: {"text": "жауап"},
        QuestionKind.NUMERIC: {"text": "3,14"},
    }
    for kind, content in expected.items():
        found = answer(attempt, kinds[kind])
        assert found is not None, kind
        if kind == QuestionKind.MULTIPLE:  # stored in the options' order (shuffled per student)
            assert sorted(found.draft["choices"]) == content["choices"]
        else:
            assert found.draft == content, kind
    assert KAZAKH in draft_text(attempt, kinds[QuestionKind.WRITTEN])

    # Send a closed answer: receipt, then Edit unlocks the inputs.
    number = kinds[QuestionKind.SINGLE]
    go(page, number)
    page.click(f"#q-{number} button.send")
    page.locator(f"#q-{number} .receipt-code").wait_for()
    page.wait_for_selector(f"#q-{number} fieldset:disabled")
    page.click(f'#q-{number} button.send[data-action="edit"]')
    page.wait_for_selector(f"#q-{number} fieldset:enabled")


def test_offline_typing_arrives_when_the_connection_is_back(new_page, world):
    attempt = start_sitting(world)
    page = open_sitting(new_page, world, attempt)
    first, second = numbers(attempt, QuestionKind.WRITTEN)[:2]
    type_into(page, first, "Online part. ")
    all_saved(page)
    page.context.set_offline(True)
    type_into(page, first, "Желі жоқ кезде жазылған мәтін.")
    type_into(page, second, "Екінші сұрақ офлайн.")
    page.wait_for_selector(".conn-net.is-offline")
    page.wait_for_timeout(3500)  # past the autosave: the saves fail and wait
    assert "Желі жоқ" not in draft_text(attempt, first)
    assert page.locator('.conn[data-state="offline"]').count() == 1
    page.context.set_offline(False)
    wait_until(page, lambda: "Желі жоқ кезде жазылған мәтін." in draft_text(attempt, first))
    wait_until(page, lambda: "Екінші сұрақ офлайн." in draft_text(attempt, second))
    all_saved(page)
    assert page.locator(".conn-net.is-online").count() == 1


def test_the_autosave_carries_the_sitting_token_and_the_heartbeat_renews_it(
    new_page, world, settings
):
    # A heartbeat renews a token older than this (a young one's heartbeat goes by the
    # token itself and keeps it: test_middleware.py); 1 s instead of 150 s for the test.
    settings.ATTEMPT_TOKEN_RENEW_SECONDS = 1
    attempt = start_sitting(world)
    page = open_sitting(new_page, world, attempt)
    tokens: list[str | None] = []
    page.on(
        "request",
        lambda r: (
            tokens.append(r.headers.get("x-attempt-token")) if r.url.endswith("/draft") else None
        ),
    )
    number = numbers(attempt, QuestionKind.WRITTEN)[0]
    type_into(page, number, "Бірінші.")
    wait_until(page, lambda: "Бірінші." in draft_text(attempt, number))
    first = tokens[-1]
    grant = first and token_read(first, attempt_id=attempt.pk)
    assert grant and grant.user_id == world.student.pk
    page.wait_for_timeout(2100)  # a token is dated to the second: now over 1 s old
    assert page.evaluate("window.emtihanSitting.engine.heartbeat().then(r => r && r.status)") == (
        "in_progress"
    )
    type_into(page, number, " Екінші.")
    wait_until(page, lambda: "Екінші." in draft_text(attempt, number))
    assert tokens[-1] and tokens[-1] != first  # the heartbeat's fresh token
    assert token_read(tokens[-1], attempt_id=attempt.pk)


def test_a_reload_before_the_autosave_loses_nothing(new_page, world):
    attempt = start_sitting(world)
    page = open_sitting(new_page, world, attempt)
    number = numbers(attempt, QuestionKind.WRITTEN)[0]
    type_into(page, number, "Жоғалмайтын мәтін")
    page.reload()  # at once: long before the 2 s autosave
    page.wait_for_selector(".sit-header")
    # The journal is resent before anything else and shown at once.
    wait_until(page, lambda: "Жоғалмайтын мәтін" in draft_text(attempt, number))
    assert "Жоғалмайтын мәтін" in editor(page, number).inner_text()
    all_saved(page)
    page.reload()
    assert "Жоғалмайтын мәтін" in editor(page, number).inner_text()


def test_a_tab_closed_while_offline_is_resent_when_the_exam_is_opened_again(new_page, world):
    attempt = start_sitting(world)
    page = open_sitting(new_page, world, attempt)
    number = numbers(attempt, QuestionKind.WRITTEN)[0]
    context = page.context
    context.set_offline(True)
    type_into(page, number, "Компьютер сөніп қалды")
    page.wait_for_timeout(2500)  # the autosave fails: offline
    page.close()  # the tab (or the browser) goes away with the change unsent
    assert "Компьютер" not in draft_text(attempt, number)
    context.set_offline(False)
    again = context.new_page()
    again.goto(f"/sitting/{attempt.pk}/")
    again.wait_for_selector(".sit-header")
    wait_until(again, lambda: "Компьютер сөніп қалды" in draft_text(attempt, number))
    assert "Компьютер сөніп қалды" in editor(again, number).inner_text()


def test_a_stale_save_shows_both_versions_and_the_student_chooses(new_page, world):
    attempt = start_sitting(world)
    page = open_sitting(new_page, world, attempt)
    number = numbers(attempt, QuestionKind.WRITTEN)[0]
    qid = question_id(attempt, number)
    type_into(page, number, "Бірінші нұсқа")
    all_saved(page)
    saved = answer(attempt, number)
    assert saved is not None
    # Another tab saves over it.
    db(
        lambda: services.answer_save(
            attempt_id=attempt.pk,
            student_user=world.student,
            question_id=qid,
            content={
                "doc": {
                    "type": "doc",
                    "content": [
                        {"type": "paragraph", "content": [{"type": "text", "text": "Басқа"}]}
                    ],
                }
            },
            base_version=saved.draft_version,
            key="other-tab",
        )
    )
    type_into(page, number, " және жалғасы")
    conflict = page.locator(f"#q-{number} .conflict")
    conflict.wait_for()
    assert "Басқа" in conflict.locator(".side-server").inner_text()
    assert "Бірінші нұсқа және жалғасы" in conflict.locator(".side-local").inner_text()
    assert draft_text(attempt, number) == "Басқа"  # nothing overwritten silently
    conflict.locator('[data-action="keep-local"]').click()
    wait_until(page, lambda: draft_text(attempt, number) == "Бірінші нұсқа және жалғасы")
    conflict.wait_for(state="hidden")

    # The same again, choosing the server's version this time.
    current = answer(attempt, number)
    assert current is not None
    db(
        lambda: services.answer_save(
            attempt_id=attempt.pk,
            student_user=world.student,
            question_id=qid,
            content={
                "doc": {
                    "type": "doc",
                    "content": [
                        {"type": "paragraph", "content": [{"type": "text", "text": "Серверде"}]}
                    ],
                }
            },
            base_version=current.draft_version,
            key="other-tab-2",
        )
    )
    type_into(page, number, "!")
    conflict.wait_for()
    conflict.locator('[data-action="keep-server"]').click()
    page.wait_for_function(
        f"() => document.querySelector('#q-{number} .ProseMirror').innerText.trim() === 'Серверде'"
    )
    assert draft_text(attempt, number) == "Серверде"


def test_the_countdown_reaching_zero_locks_the_page(new_page, world):
    now = timezone.now()
    opens = now - dt.timedelta(minutes=30)
    # The window closes 12 s from now, so the deadline does too.
    attempt = start_sitting(
        world,
        opens_at=opens,
        hours=(now + dt.timedelta(seconds=12) - opens) / dt.timedelta(hours=1),
    )
    page = open_sitting(new_page, world, attempt)
    number = numbers(attempt, QuestionKind.WRITTEN)[0]
    type_into(page, number, "Уақыт бітпей тұрып")
    all_saved(page)
    banner = page.locator(".banner-locked")
    banner.wait_for(timeout=20_000)
    assert "The time is over" in banner.inner_text()
    assert banner.locator("a").get_attribute("href") == f"/sitting/{attempt.pk}/finished/"
    assert page.locator(f"#q-{number} .ProseMirror").get_attribute("contenteditable") == "false"
    assert page.locator(".countdown").inner_text() == "00:00"
    assert page.locator("button.finish").is_hidden()
    wait_until(page, lambda: Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.TIMED_OUT)


def test_a_410_locks_the_page_and_keeps_the_unaccepted_text_visible(new_page, world):
    attempt = start_sitting(world)
    page = open_sitting(new_page, world, attempt)
    number = numbers(attempt, QuestionKind.WRITTEN)[0]
    # The deadline passes on the server (the page still counts down from the old one).
    db(
        lambda: Attempt.objects.filter(pk=attempt.pk).update(
            deadline=timezone.now() - dt.timedelta(seconds=1)
        )
    )
    type_into(page, number, "Кеш қалған мәтін")
    page.locator(".banner-locked").wait_for()
    assert page.locator(f"#q-{number} .not-accepted").is_visible()
    assert "Кеш қалған мәтін" in page.locator(f"#q-{number} .ProseMirror").inner_text()
    assert page.locator(f"#q-{number} .ProseMirror").get_attribute("contenteditable") == "false"
    assert "Кеш қалған" not in draft_text(attempt, number)


def test_finish_lists_the_unsent_answers_then_ends_the_exam(new_page, world):
    attempt = start_sitting(world)
    page = open_sitting(new_page, world, attempt)
    first, second, third = numbers(attempt, QuestionKind.WRITTEN)[:3]
    type_into(page, first, "Жіберілген жауап")
    page.click(f"#q-{first} button.send")
    page.locator(f"#q-{first} .receipt-code").wait_for()
    type_into(page, second, "Жіберілмеген жауап")
    type_into(page, third, "Тағы бір")
    page.click("button.finish")
    dialog = page.locator("dialog.finish-dialog")
    dialog.wait_for()
    unsent = {
        int(n)
        for n in dialog.locator(".unsent-list li").evaluate_all(
            "els => els.map(e => e.dataset.number)"
        )
    }
    assert unsent == {second, third}
    dialog.locator('[data-action="cancel"]').click()
    assert db(lambda: Attempt.objects.get(pk=attempt.pk).status) == AttemptStatus.IN_PROGRESS
    page.click("button.finish")
    page.click('dialog.finish-dialog [data-action="confirm-finish"]')
    page.wait_for_url(f"**/sitting/{attempt.pk}/finished/")
    finished = db(lambda: Attempt.objects.get(pk=attempt.pk))
    assert finished.status == AttemptStatus.FINISHED
    # The last drafts were saved before finishing, so the policy took them.
    assert "Тағы бір" in draft_text(attempt, third)


def test_the_header_shows_time_absence_and_connection(new_page, world):
    attempt = start_sitting(world)
    page = open_sitting(new_page, world, attempt)
    assert re.match(r"^1:(2\d|30):\d\d$", page.inner_text(".countdown"))  # 90 min, just started
    assert page.inner_text(".absence") == "Absence: 0:00 used, 20:00 left"
    assert page.locator('.conn[data-state="saved"]').count() == 1
    beat = page.evaluate("window.emtihanSitting.engine.heartbeat().then(r => r && r.status)")
    assert beat == "in_progress"
    assert page.locator(".nav-btn").count() == len(attempt.layout)
    assert page.get_attribute('.nav-btn[data-number="1"]', "aria-current") == "true"


def test_the_page_speaks_the_students_language(new_page, world, live_server):
    attempt = start_sitting(world, extra_written=0)
    page = new_page()
    page.context.add_cookies([{"name": "emtihan_language", "value": "kk", "url": live_server.url}])
    login(page, world.student.email, "100001")
    page.goto(f"/sitting/{attempt.pk}/")
    page.wait_for_selector(".sit-header")
    assert page.get_attribute("html", "lang") == "kk"
    assert page.inner_text("button.finish") == "Аяқтау"
    assert page.inner_text('.nav-btn[data-number="1"] .lbl') != "not answered"
    assert page.inner_text("#q-1 button.send") == "Жіберу"
