"""Logging in by e-mail, students with their student ID, and throttling of failures."""

from __future__ import annotations

import axes.utils
import pytest
from django.test import override_settings
from django.urls import reverse

from emtihan.accounts.forms import EmailAuthenticationForm

LOGIN_URL = reverse("login")
WRONG_LOGIN = str(EmailAuthenticationForm.error_messages["invalid_login"])
LOCKED_OUT = "Too many failed log-in attempts"


@pytest.fixture(autouse=True)
def axes_clean(db):
    # The attempts live in the test database and roll back with it; resetting here also
    # covers a cache-backed axes handler.
    axes.utils.reset()
    yield
    axes.utils.reset()


def log_in(client, email: str, password: str):
    return client.post(LOGIN_URL, {"username": email, "password": password})


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


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_out(client, world):
    assert log_in(client, "teacher@test.local", "wrong-1").status_code == 200
    assert log_in(client, "teacher@test.local", "wrong-2").status_code == 200

    locked = log_in(client, "teacher@test.local", "wrong-3")
    assert locked.status_code == 429
    assert LOCKED_OUT in locked.text

    # Even the right password is refused while the lock holds.
    refused = log_in(client, "teacher@test.local", "pass-2026")
    assert refused.status_code == 429
    assert LOCKED_OUT in refused.text
    assert not logged_in_as(client).is_authenticated


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_lock_cannot_be_dodged_by_changing_the_e_mail_case(client, world):
    for email in ("teacher@test.local", "Teacher@test.local", "TEACHER@test.local"):
        log_in(client, email, "wrong")

    refused = log_in(client, "teacher@test.local", "pass-2026")
    assert refused.status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_lock_is_per_account(client, world):
    for _ in range(3):
        log_in(client, "teacher@test.local", "wrong")

    assert log_in(client, "student1@test.local", "100001").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_reset_lifts_the_lock(client, world):
    for _ in range(3):
        log_in(client, "teacher@test.local", "wrong")

    axes.utils.reset(username="teacher@test.local")

    assert log_in(client, "teacher@test.local", "pass-2026").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_success_clears_earlier_failures(client, world):
    for _ in range(2):
        log_in(client, "teacher@test.local", "wrong")
    assert log_in(client, "teacher@test.local", "pass-2026").status_code == 302
    client.logout()

    for _ in range(2):
        log_in(client, "teacher@test.local", "wrong")
    assert log_in(client, "teacher@test.local", "pass-2026").status_code == 302
