"""DOMPurify's 223 attack payloads as question bodies and choice options, through the
teacher's service (which sanitises them), drawn by the student's exam page in Chromium:
nothing runs, nothing fires, nothing navigates, and ordinary formatting is still drawn.

The sanitiser's own tests (core/tests/test_sanitize.py) read its output with a parser;
this one checks the page that puts that output into the document (``innerHTML``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from emtihan.attempts import services
from emtihan.attempts.tests.conftest import make_exam
from emtihan.conftest import login
from emtihan.exams.models import Exam, ExamStatus, QuestionKind
from emtihan.exams.services import question_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    item["payload"]
    for item in json.loads(
        (
            Path(__file__).parents[2] / "core" / "tests" / "data" / "dompurify-payloads.json"
        ).read_text(encoding="utf-8")
    )
]
OPTIONS_PER_QUESTION = 4
FORMATTING = (
    "<p><strong>bold</strong> <em>italic</em> <u>underlined</u></p>"
    "<table><tbody><tr><td>cell</td></tr></tbody></table><ol><li>item</li></ol>"
)

# Installed before any script of the page: every way a payload could show that it ran
# leaves a mark here instead of opening a dialog.
TRAPS = """
window.__ran = [];
for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
  window[name] = (...args) => { window.__ran.push(name + "(" + args.join(",") + ")"); };
}
"""
# Events that payloads' handlers wait for; dispatched on every element of every question.
EVENTS = ["mouseover", "mouseenter", "mousemove", "focus", "focusin", "animationstart", "toggle"]


def _exam_of_payloads(world) -> Exam:
    soon = timezone.now() + dt.timedelta(days=1)
    exam = make_exam(world, opens_at=soon, status=ExamStatus.DRAFT)
    question_create(
        actor=world.teacher, exam=exam, kind=QuestionKind.WRITTEN, body=FORMATTING, order=100
    )
    for number, payload in enumerate(PAYLOADS, start=1):
        question_create(
            actor=world.teacher,
            exam=exam,
            kind=QuestionKind.WRITTEN,
            body=f"<p>Payload {number}</p>{payload}",
            order=100 + number,
        )
    for start in range(0, len(PAYLOADS), OPTIONS_PER_QUESTION):
        chunk = PAYLOADS[start : start + OPTIONS_PER_QUESTION]
        question_create(
            actor=world.teacher,
            exam=exam,
            kind=QuestionKind.SINGLE,
            body=f"<p>Options from payload {start + 1}</p>",
            spec={
                "options": [
                    {
                        "id": f"o{i}",
                        "html": f"<p>Option {start + i}</p>{p}",
                        "fraction": float(i == 0),
                    }
                    for i, p in enumerate(chunk)
                ]
            },
            order=1000 + start,
        )
    # open it now, as if its window had come (questions can be added only before)
    now = timezone.now()
    Exam.objects.filter(pk=exam.pk).update(
        status=ExamStatus.PUBLISHED,
        opens_at=now - dt.timedelta(minutes=5),
        closes_at=now + dt.timedelta(hours=4),
    )
    return exam


def test_payloads_in_questions_run_nothing_on_the_exam_page(new_page, world):
    exam = _exam_of_payloads(world)
    attempt = services.attempt_start(student_user=world.student, exam_id=exam.pk)
    questions = len(attempt.layout)
    assert questions == 6 + 1 + len(PAYLOADS) + -(-len(PAYLOADS) // OPTIONS_PER_QUESTION)

    page = new_page()
    dialogs: list[str] = []
    popups: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.context.on("page", lambda other: popups.append(other.url))
    login(page, world.student.email, "100001")
    page.add_init_script(TRAPS)
    url = f"/sitting/{attempt.pk}/"
    page.goto(url)
    page.wait_for_selector(".sit-header")
    assert page.locator("section.question").count() == questions

    touched = page.evaluate(
        """(events) => {
          let n = 0;
          for (const el of document.querySelectorAll(".qbody *, .option *, .options *")) {
            for (const type of events) el.dispatchEvent(new Event(type, { bubbles: true }));
            n += 1;
          }
          return n;
        }""",
        EVENTS,
    )
    assert touched > len(PAYLOADS)
    page.wait_for_timeout(1500)  # timers, refreshes, animations a payload might start

    assert page.evaluate("window.__ran") == []
    assert dialogs == []
    assert popups == []
    assert page.url.endswith(url)
    assert page.evaluate("document.querySelectorAll('.qbody script, .qbody iframe').length") == 0
    # ordinary formatting is still drawn as formatting
    first = page.locator("section.question", has_text="underlined").locator(".qbody")
    for tag in ("strong", "em", "u", "table td", "ol li"):
        assert first.locator(tag).count() == 1, tag
