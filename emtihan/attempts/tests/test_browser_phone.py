"""Every student page on a phone (390 x 844, the student guide allows phones): nothing
scrolls sideways, nothing sticks out of the screen, and the buttons a student needs are
on screen and take a tap (issue 8: below 700 px the Start / Continue / Receipts column was
hidden and the page still overflowed). Lists are cards there, not tables.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from emtihan.attempts import services
from emtihan.attempts.tests.conftest import make_exam
from emtihan.attempts.tests.test_browser_sitting import start_sitting
from emtihan.conftest import login
from emtihan.exams.models import QuestionKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Long names, as the university writes them (Kazakh / English titles on one line).
TITLES = {
    "open": "Сызықтық алгебра және аналитикалық геометрия: қорытынды емтихан / Linear Algebra",
    "sitting": "Ықтималдықтар теориясы және математикалық статистика / Probability Theory",
    "upcoming": "Бағдарламалау негіздері: қорытынды жазбаша емтихан / Programming Fundamentals",
    "done": "Деректер қоры және ақпараттық жүйелер: қорытынды емтихан / Databases",
}

# Everything on the page that reaches past the right or left edge of the screen.
OUTSIDE = """() => {
  const width = window.innerWidth, out = [];
  // Shown to screen readers only: inside a 1 px box that clips what it holds.
  const offscreen = (el) => {
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      const box = node.getBoundingClientRect(), style = getComputedStyle(node);
      if (box.width <= 1 && box.height <= 1 && style.overflow === "hidden") return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === "hidden") continue;
    if (offscreen(el)) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      const text = (el.innerText || el.value || "").trim().slice(0, 40);
      out.push(`${el.tagName.toLowerCase()}.${el.className} [${Math.round(box.left)}..${Math.round(box.right)}] ${text}`);
    }
  }
  return out;
}"""


def assert_fits(page, where: str) -> None:
    page.wait_for_load_state("load")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    width = page.evaluate("window.innerWidth")
    assert width == 390, (
        f"{where}: the layout viewport grew to {width} px (the page is wider than the screen)"
    )
    assert scroll <= width, f"{where}: the page scrolls sideways ({scroll} px wide)"
    assert page.evaluate(OUTSIDE) == [], f"{where}: elements reach past the screen"


def assert_tappable(locator, where: str) -> None:
    """On screen, not covered, enabled: a tap would reach it (Playwright's trial click
    runs every actionability check without clicking)."""
    assert locator.count() >= 1, f"{where}: no such button"
    for n in range(locator.count()):
        button = locator.nth(n)
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, where
        assert box["height"] >= 24, f"{where}: {box['height']} px is too small a target"
        button.click(trial=True)


@pytest.fixture
def exams(world):
    now = timezone.now()
    open_exam = make_exam(world, opens_at=now - dt.timedelta(minutes=30), title=TITLES["open"])
    attempt = start_sitting(world, title=TITLES["sitting"])
    upcoming = make_exam(world, opens_at=now + dt.timedelta(days=2), title=TITLES["upcoming"])
    done = make_exam(world, opens_at=now - dt.timedelta(hours=2), title=TITLES["done"])
    finished = services.attempt_start(
        student_user=world.student, exam_id=done.pk, now=now - dt.timedelta(minutes=100)
    )
    question = next(e["q"] for e in finished.layout if e["kind"] == QuestionKind.TRUE_FALSE)
    services.answer_send(
        attempt_id=finished.pk, student_user=world.student, question_id=question,
        content={"choice": "true"}, base_version=0, key="phone", now=now - dt.timedelta(minutes=90),
    )  # fmt: skip
    services.attempt_finish(
        attempt_id=finished.pk, student_user=world.student, key="phone-finish",
        now=now - dt.timedelta(minutes=80),
    )  # fmt: skip
    return {"open": open_exam, "sitting": attempt, "upcoming": upcoming, "finished": finished}


def test_every_student_page_fits_a_phone_and_its_buttons_take_a_tap(new_page, world, exams):
    page = new_page(phone=True, timezone_id="Europe/Moscow")  # the time-zone offer shows too

    page.goto("/accounts/login/")
    assert_fits(page, "login")
    assert_tappable(page.locator("main button[type=submit]"), "login: Log in")
    login(page, world.student.email, "100001")

    page.goto("/sitting/")
    assert_fits(page, "home")
    assert_tappable(page.get_by_role("link", name="Start"), "home: Start")
    assert_tappable(page.get_by_role("link", name="Continue"), "home: Continue")
    assert_tappable(page.locator(".tz-offer button"), "home: the time-zone offer")

    page.goto("/sitting/exams/")
    assert_fits(page, "exams")
    for name in ("Start", "Continue", "Receipts"):
        assert_tappable(page.get_by_role("link", name=name), f"exams: {name}")
    assert page.get_by_text(TITLES["upcoming"]).is_visible()

    page.goto(f"/sitting/exams/{exams['open'].pk}/")
    assert_fits(page, "exam rules")
    assert_tappable(page.get_by_role("button", name="Start"), "exam rules: Start")

    page.goto(f"/sitting/exams/{exams['sitting'].exam_id}/")
    assert_fits(page, "exam rules of a started exam")
    assert_tappable(page.get_by_role("link", name="Continue"), "exam rules: Continue")

    page.goto(f"/sitting/{exams['finished'].pk}/finished/")
    assert_fits(page, "receipts")
    assert page.locator("#receipts code").first.is_visible()

    page.goto("/accounts/time-zone/?next=/sitting/")
    assert_fits(page, "time zone")
    assert_tappable(page.get_by_role("button", name="Save"), "time zone: Save")

    page.goto("/accounts/password/change/")
    assert_fits(page, "password change")
    assert_tappable(page.get_by_role("button", name="Save the password"), "password: Save")

    # The menu and the log-out are reachable on every page.
    assert_tappable(page.get_by_role("button", name="Log out"), "Log out")
    assert_tappable(page.locator(".mainnav a", has_text="Exams"), "menu: Exams")

    page.goto(f"/sitting/{exams['sitting'].pk}/")
    page.wait_for_selector(".sit-header")
    assert_fits(page, "the exam sitting")
    assert_tappable(page.locator("button:visible", has_text="Send"), "sitting: Send")
    assert_tappable(page.locator("button:visible", has_text="Finish"), "sitting: Finish")
    assert_tappable(page.locator(".nav-btn"), "sitting: the question navigator")


def test_the_start_button_on_a_phone_starts_the_exam(new_page, world, exams):
    page = new_page(phone=True)
    login(page, world.student.email, "100001")
    page.goto("/sitting/")
    page.get_by_role("link", name="Start").tap()
    page.wait_for_url(f"**/sitting/exams/{exams['open'].pk}/")
    page.get_by_role("button", name="Start").tap()
    page.wait_for_selector(".sit-header")
    assert_fits(page, "the exam sitting just started")


@pytest.mark.parametrize("locale", ["kk-KZ", "ru-RU"])
def test_the_pages_fit_in_kazakh_and_russian_too(new_page, world, exams, locale):
    """Longer words than English: still nothing reaches past the screen."""
    page = new_page(phone=True, locale=locale, timezone_id="Europe/Moscow")
    login(page, world.student.email, "100001")
    for path in (
        "/sitting/",
        "/sitting/exams/",
        f"/sitting/exams/{exams['open'].pk}/",
        f"/sitting/{exams['finished'].pk}/finished/",
        "/accounts/time-zone/",
        "/accounts/password/change/",
    ):
        page.goto(path)
        assert_fits(page, f"{locale} {path}")
    page.goto(f"/sitting/{exams['sitting'].pk}/")
    page.wait_for_selector(".sit-header")
    assert_fits(page, f"{locale} the exam sitting")
