"""A person's time zone: the service, the page that sets it, and the pages that use it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from emtihan.accounts import services
from emtihan.attempts.services import attempt_start
from emtihan.attempts.tests.conftest import make_exam
from emtihan.core.errors import ValidationFailed

URL = reverse("time_zone")
MOSCOW = "Europe/Moscow"  # UTC+3 all year, two hours behind Asia/Almaty (UTC+5)


def window_in(exam, zone: str) -> str:
    tz = zoneinfo.ZoneInfo(zone)
    return (
        f"{timezone.localtime(exam.opens_at, tz):%d.%m.%Y %H:%M} – "
        f"{timezone.localtime(exam.closes_at, tz):%d.%m.%Y %H:%M}"
    )


# --- the service ---------------------------------------------------------------------------


def test_it_sets_a_known_zone(world):
    services.user_time_zone_set(user=world.student, time_zone=f" {MOSCOW} ")
    world.student.refresh_from_db()
    assert world.student.time_zone == MOSCOW


def test_an_empty_zone_means_the_universitys(world):
    services.user_time_zone_set(user=world.student, time_zone=MOSCOW)
    services.user_time_zone_set(user=world.student, time_zone="")
    world.student.refresh_from_db()
    assert world.student.time_zone == ""


def test_it_refuses_an_unknown_zone_and_writes_nothing(world):
    services.user_time_zone_set(user=world.student, time_zone=MOSCOW)
    with pytest.raises(ValidationFailed) as refused:
        services.user_time_zone_set(user=world.student, time_zone="Mars/Olympus_Mons")
    assert refused.value.errors == {
        "time_zone": [services.ERR_UNKNOWN_TIME_ZONE % {"zone": "Mars/Olympus_Mons"}]
    }
    world.student.refresh_from_db()
    assert world.student.time_zone == MOSCOW


# --- the page ------------------------------------------------------------------------------


def test_the_page_needs_a_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_lists_the_universitys_zone_first_and_the_others(client, world):
    client.force_login(world.student)
    response = client.get(URL, {"next": reverse("attempts:exams")})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"The university&#x27;s time zone ({settings.TIME_ZONE})" in html
    assert f'<option value="{MOSCOW}">{MOSCOW}</option>' in html
    assert html.index('<option value="" selected>') < html.index(f'value="{MOSCOW}"')


def test_saving_a_zone_returns_to_the_page_the_person_came_from(client, world):
    client.force_login(world.student)
    response = client.post(URL, {"time_zone": MOSCOW, "next": reverse("attempts:exams")})
    assert response.status_code == 302
    assert response["Location"] == reverse("attempts:exams")
    world.student.refresh_from_db()
    assert world.student.time_zone == MOSCOW
    page = client.get(reverse("attempts:exams")).content.decode()
    assert f"Dates and times are now shown in the {MOSCOW} time zone." in page
    assert f"Times are shown in the {MOSCOW} time zone." in page


def test_an_unknown_zone_is_shown_beside_the_field(client, world):
    client.force_login(world.student)
    response = client.post(URL, {"time_zone": "Nowhere/Else", "next": "/"})
    assert response.status_code == 400
    assert "“Nowhere/Else” is not a time zone this server knows." in response.content.decode()
    world.student.refresh_from_db()
    assert world.student.time_zone == ""


def test_it_never_sends_the_person_to_another_site(client, world):
    client.force_login(world.student)
    response = client.post(URL, {"time_zone": MOSCOW, "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


# --- the pages that show times -------------------------------------------------------------


def test_the_exam_window_is_shown_in_the_persons_zone(client, world):
    exam = make_exam(world, opens_at=timezone.now() + dt.timedelta(days=1))
    client.force_login(world.student)
    url = reverse("attempts:exam", args=[exam.pk])
    assert window_in(exam, settings.TIME_ZONE) in client.get(url).content.decode()
    services.user_time_zone_set(user=world.student, time_zone=MOSCOW)
    html = client.get(url).content.decode()
    assert window_in(exam, MOSCOW) in html
    assert window_in(exam, settings.TIME_ZONE) not in html


def test_the_zone_of_one_person_does_not_leak_to_the_next_request(client, world):
    exam = make_exam(world, opens_at=timezone.now() + dt.timedelta(days=1))
    url = reverse("attempts:exam", args=[exam.pk])
    services.user_time_zone_set(user=world.student, time_zone=MOSCOW)
    client.force_login(world.student)
    client.get(url)
    client.force_login(world.teacher)
    html = client.get(reverse("exams:detail", args=[exam.pk])).content.decode()
    assert f"Times are shown in the {settings.TIME_ZONE} time zone." in html


def test_the_device_offer_is_there_only_until_the_person_chose(client, world):
    client.force_login(world.student)
    assert "data-tz-offer" in client.get(reverse("attempts:home")).content.decode()
    services.user_time_zone_set(user=world.student, time_zone=MOSCOW)
    assert "data-tz-offer" not in client.get(reverse("attempts:home")).content.decode()


def test_the_exam_page_gets_the_zone_for_its_receipts(client, world):
    exam = make_exam(world, opens_at=timezone.now() - dt.timedelta(minutes=5))
    services.user_time_zone_set(user=world.student, time_zone=MOSCOW)
    attempt = attempt_start(student_user=world.student, exam_id=exam.pk)
    client.force_login(world.student)
    html = client.get(reverse("attempts:sitting", args=[attempt.pk])).content.decode()
    assert f'data-time-zone="{MOSCOW}"' in html
