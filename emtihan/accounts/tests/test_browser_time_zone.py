"""In Chromium: a student whose device is in another time zone is offered it, takes it
with one click, and the exam page's receipts then show the same clock as the pages."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.conf import settings
from django.utils import timezone

from emtihan.accounts.models import User
from emtihan.attempts.tests.conftest import make_exam
from emtihan.attempts.tests.test_browser_sitting import (
    db,
    numbers,
    open_sitting,
    start_sitting,
    type_into,
)
from emtihan.conftest import login
from emtihan.exams.models import QuestionKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOSCOW = "Europe/Moscow"  # UTC+3, two hours behind the university's Asia/Almaty


def zone_of(user: User) -> str:
    return db(lambda: User.objects.get(pk=user.pk).time_zone)


def test_a_device_in_another_zone_is_offered_it(new_page, world):
    exam = make_exam(world, opens_at=timezone.now() + dt.timedelta(days=1))
    page = new_page(timezone_id=MOSCOW)
    login(page, world.student.email, "100001")
    page.goto(f"/sitting/exams/{exam.pk}/")
    note = page.locator(".tz-note")
    assert f"in the {settings.TIME_ZONE} time zone" in note.inner_text()
    offer = page.locator(".tz-offer")
    offer.wait_for()
    assert f"This device is set to the {MOSCOW} time zone." in offer.inner_text()

    offer.get_by_role("button", name="Show times in it").click()
    page.wait_for_url(f"**/sitting/exams/{exam.pk}/")
    assert f"in the {MOSCOW} time zone" in page.locator(".tz-note").inner_text()
    assert page.locator(".tz-offer").count() == 0
    opens = timezone.localtime(exam.opens_at, zoneinfo.ZoneInfo(MOSCOW))
    assert f"{opens:%d.%m.%Y %H:%M}" in page.inner_text("main")
    assert zone_of(world.student) == MOSCOW


def test_a_device_in_the_universitys_zone_is_offered_nothing(new_page, world):
    page = new_page(timezone_id=settings.TIME_ZONE)
    login(page, world.student.email, "100001")
    page.goto("/sitting/")
    page.wait_for_load_state("load")
    assert page.locator(".tz-offer").is_hidden()


def test_the_time_zone_page_picks_the_devices_zone(new_page, world):
    page = new_page(timezone_id=MOSCOW)
    login(page, world.student.email, "100001")
    page.goto("/accounts/time-zone/?next=/sitting/")
    page.get_by_role("button", name=f"Use this device's time zone ({MOSCOW})").click()
    assert page.locator("select[name=time_zone]").input_value() == MOSCOW
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/sitting/")
    assert zone_of(world.student) == MOSCOW


def test_receipts_on_the_exam_page_follow_the_chosen_zone_not_the_device(new_page, world):
    attempt = start_sitting(world, extra_written=0)
    User.objects.filter(pk=world.student.pk).update(time_zone=MOSCOW)
    # a device set to Tokyo (UTC+9): the receipt must still read Moscow's clock
    page = open_sitting(lambda: new_page(timezone_id="Asia/Tokyo"), world, attempt)
    number = numbers(attempt, QuestionKind.WRITTEN)[0]
    type_into(page, number, "Жауап")
    page.click(f'#q-{number} button.send[data-action="send"]')
    receipt = page.locator(f"#q-{number} .receipt-code")
    receipt.wait_for()
    shown = re.search(r"(\d\d):(\d\d):\d\d", receipt.inner_text())
    assert shown
    moscow_now = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(MOSCOW))
    minutes_apart = abs(
        (int(shown[1]) * 60 + int(shown[2])) - (moscow_now.hour * 60 + moscow_now.minute)
    )
    assert min(minutes_apart, 24 * 60 - minutes_apart) <= 1
