"""Logging in by e-mail, students with their student ID, and throttling of failures."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.db.models import F
from django.test import Client, override_settings
from django.urls import reverse

from emtihan.accounts import throttle
from emtihan.accounts.forms import EmailAuthenticationForm
from emtihan.accounts.models import ThrottleEvent

LOGIN_URL = reverse("login")
WRONG_LOGIN = str(EmailAuthenticationForm.error_messages["invalid_login"])
LOCKED_OUT = "Too many failed log-in attempts. Try again in {} minutes"
PROXY = "10.0.0.1"  # the reverse proxy every request comes through


def log_in(client, email: str, password: str, *, forwarded_for: str | None = None):
    headers = {"x-forwarded-for": forwarded_for} if forwarded_for else {}
    return client.post(
        LOGIN_URL, {"username": email, "password": password}, headers=headers, REMOTE_ADDR=PROXY
    )


def logged_in_as(client):
    return client.get(reverse("home")).wsgi_request.user


def test_the_login_page_renders(client, db):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert 'type="email"' in response.text


def test_a_teacher_logs_in_by_e_mail(client, world):
    response = log_in(client, "teacher@test.local", "pass-2026")

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert logged_in_as(client) == world.teacher


def test_the_e_mail_is_case_insensitive(client, world):
    response = log_in(client, "  Teacher@TEST.local ", "pass-2026")

    assert response.status_code == 302
    assert logged_in_as(client) == world.teacher


def test_a_student_logs_in_with_the_student_id(client, world):
    response = log_in(client, "student1@test.local", "100001")

    assert response.status_code == 302
    assert logged_in_as(client) == world.student


def test_a_wrong_password_shows_the_error(client, world):
    response = log_in(client, "teacher@test.local", "wrong")

    assert response.status_code == 200
    assert WRONG_LOGIN in response.text
    assert not logged_in_as(client).is_authenticated


def test_an_unknown_e_mail_shows_the_same_error(client, world):
    response = log_in(client, "nobody@test.local", "pass-2026")

    assert response.status_code == 200
    assert WRONG_LOGIN in response.text


def test_a_disabled_account_cannot_log_in(client, world):
    world.teacher.is_active = False
    world.teacher.save()

    response = log_in(client, "teacher@test.local", "pass-2026")

    assert response.status_code == 200
    assert not logged_in_as(client).is_authenticated


def test_the_next_parameter_is_followed(client, world):
    response = client.post(
        f"{LOGIN_URL}?next=/exam-forms/",
        {"username": "teacher@test.local", "password": "pass-2026", "next": "/exam-forms/"},
    )
    assert response.status_code == 302
    assert response.url == "/exam-forms/"


def test_a_logged_in_user_is_sent_on_from_the_login_page(client, world):
    client.force_login(world.teacher)
    assert client.get(LOGIN_URL).status_code == 302


# --- the throttle --------------------------------------------------------------------


def time_passes(minutes: int) -> None:
    ThrottleEvent.objects.update(at=F("at") - dt.timedelta(minutes=minutes))


def assert_refused(response, minutes: int = 15) -> None:
    assert response.status_code == 429
    assert LOCKED_OUT.format(minutes) in response.text
    assert int(response.headers["Retry-After"]) > (minutes - 1) * 60


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_out(client, world):
    for n in range(3):
        response = log_in(client, "teacher@test.local", f"wrong-{n}")
        assert response.status_code == 200
        assert WRONG_LOGIN in response.text

    # Even the right password is refused while the lock holds, and no password is checked.
    assert_refused(log_in(client, "teacher@test.local", "pass-2026"))
    assert not logged_in_as(client).is_authenticated


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_an_unknown_e_mail_is_locked_like_a_known_one(client, world):
    for _ in range(3):
        log_in(client, "nobody@test.local", "wrong")

    assert_refused(log_in(client, "nobody@test.local", "wrong"))


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_lock_cannot_be_dodged_by_changing_the_e_mail_case(client, world):
    for email in ("teacher@test.local", "Teacher@test.local", "TEACHER@test.local"):
        log_in(client, email, "wrong")

    assert_refused(log_in(client, "teacher@test.local", "pass-2026"))


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_lock_is_per_account(client, world):
    for _ in range(3):
        log_in(client, "teacher@test.local", "wrong")

    assert log_in(client, "student1@test.local", "100001").status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_lock_ends_after_the_cool_off(client, world):
    for _ in range(3):
        log_in(client, "teacher@test.local", "wrong")
    time_passes(13)
    assert_refused(log_in(client, "teacher@test.local", "pass-2026"), minutes=2)
    time_passes(1)
    last_minute = log_in(client, "teacher@test.local", "pass-2026")
    assert last_minute.status_code == 429
    assert "Try again in 1 minute," in last_minute.text

    time_passes(1)

    assert log_in(client, "teacher@test.local", "pass-2026").status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_hammering_a_locked_account_does_not_prolong_the_lock(client, world):
    for _ in range(3):
        log_in(client, "teacher@test.local", "wrong")
    for _ in range(10):
        assert log_in(client, "teacher@test.local", "wrong").status_code == 429

    assert ThrottleEvent.objects.count() == 3
    time_passes(16)
    assert log_in(client, "teacher@test.local", "pass-2026").status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_unlock_command_lifts_the_lock(client, world):
    for _ in range(3):
        log_in(client, "teacher@test.local", "wrong")

    call_command("login_unlock", "Teacher@test.local")

    assert log_in(client, "teacher@test.local", "pass-2026").status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_success_clears_earlier_failures(client, world):
    for _ in range(2):
        log_in(client, "teacher@test.local", "wrong")
    assert log_in(client, "teacher@test.local", "pass-2026").status_code == 302
    client.logout()

    for _ in range(2):
        log_in(client, "teacher@test.local", "wrong")
    assert log_in(client, "teacher@test.local", "pass-2026").status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_admin_log_in_is_throttled_too(client, world):
    for _ in range(3):
        log_in(client, "registrar@test.local", "wrong")

    response = client.post(
        reverse("admin:login"),
        {"username": "registrar@test.local", "password": "pass-2026"},
        REMOTE_ADDR=PROXY,
    )

    assert response.status_code == 200  # the admin's own "wrong password" page
    assert not logged_in_as(client).is_authenticated


# --- behind the reverse proxy ------------------------------------------------------------

STUDENT_HOME = "192.0.2.10"
CLASSMATE = "203.0.113.66"


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_FAILURE_LIMIT=5)
def test_a_classmate_cannot_lock_a_student_out_of_their_own_device(world):
    student = Client()
    assert (
        log_in(student, "student1@test.local", "100001", forwarded_for=STUDENT_HOME).status_code
        == 302
    )
    student.post(reverse("logout"))
    classmate = Client()
    for n in range(5):
        log_in(classmate, "student1@test.local", f"10000{n + 2}", forwarded_for=CLASSMATE)
    assert_refused(log_in(classmate, "student1@test.local", "100001", forwarded_for=CLASSMATE))

    # The student's own browser logged in before: the classmate's guesses do not count
    # against it, even through the same proxy and from the same address.
    response = log_in(student, "student1@test.local", "100001", forwarded_for=CLASSMATE)

    assert response.status_code == 302
    assert logged_in_as(student) == world.student


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_FAILURE_LIMIT=5)
def test_a_new_device_is_refused_while_the_account_is_locked(world):
    classmate = Client()
    for _ in range(5):
        log_in(classmate, "student1@test.local", "wrong", forwarded_for=CLASSMATE)

    assert_refused(log_in(Client(), "student1@test.local", "100001", forwarded_for=STUDENT_HOME))


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_FAILURE_LIMIT=3)
def test_a_known_device_is_throttled_by_its_own_failures(world):
    device = Client()
    assert (
        log_in(device, "student1@test.local", "100001", forwarded_for=STUDENT_HOME).status_code
        == 302
    )
    device.post(reverse("logout"))
    for _ in range(3):
        log_in(device, "student1@test.local", "wrong", forwarded_for=STUDENT_HOME)

    assert_refused(log_in(device, "student1@test.local", "100001", forwarded_for=STUDENT_HOME))
    # ... which locks only that device: the account is not locked for others.
    assert (
        log_in(Client(), "student1@test.local", "100001", forwarded_for=CLASSMATE).status_code
        == 302
    )


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_forged_device_cookie_is_not_a_known_device(world):
    client = Client()
    client.cookies[throttle.DEVICE_COOKIE] = "forged:value"
    for _ in range(5):
        log_in(client, "student1@test.local", "wrong", forwarded_for=CLASSMATE)

    assert_refused(log_in(client, "student1@test.local", "100001", forwarded_for=CLASSMATE))


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_IP_FAILURE_LIMIT=4)
def test_one_password_sprayed_over_many_accounts_from_one_address_is_throttled(world):
    sprayer = Client()
    for email in ("head@test.local", "teacher@test.local", "a@test.local", "b@test.local"):
        response = log_in(sprayer, email, "Password1", forwarded_for=CLASSMATE)
        assert response.status_code == 200

    # The next account, even with its right password, is refused from that address...
    assert_refused(log_in(sprayer, "student1@test.local", "100001", forwarded_for=CLASSMATE))
    # ... and only from that address: the proxy's other clients log in.
    assert (
        log_in(Client(), "student1@test.local", "100001", forwarded_for=STUDENT_HOME).status_code
        == 302
    )


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_IP_FAILURE_LIMIT=4)
def test_addresses_a_browser_adds_to_the_header_are_ignored(world):
    # Each proxy appends the address it saw; what the browser sent stays on the left.
    sprayer = Client()
    for n in range(4):
        forged = f"198.51.100.{n}, {CLASSMATE}"
        log_in(sprayer, f"user{n}@test.local", "Password1", forwarded_for=forged)

    assert_refused(
        log_in(sprayer, "user9@test.local", "Password1", forwarded_for=f"1.2.3.4, {CLASSMATE}")
    )


@override_settings(TRUSTED_PROXY_COUNT=0, LOGIN_IP_FAILURE_LIMIT=4)
def test_without_a_trusted_proxy_the_header_is_ignored(world):
    sprayer = Client()
    for n in range(4):
        log_in(sprayer, f"user{n}@test.local", "Password1", forwarded_for=f"198.51.100.{n}")

    assert_refused(log_in(sprayer, "user9@test.local", "x", forwarded_for="198.51.100.200"))
    assert set(ThrottleEvent.objects.values_list("ip", flat=True)) == {PROXY}


@override_settings(TRUSTED_PROXY_COUNT=0, LOGIN_FAILURE_LIMIT=5, LOGIN_IP_FAILURE_LIMIT=0)
def test_a_limit_of_zero_turns_that_throttle_off(world):
    client = Client()
    for n in range(6):
        log_in(client, f"user{n}@test.local", "Password1")

    assert log_in(client, "student1@test.local", "100001").status_code == 302
