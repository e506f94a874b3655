""" "Forgot password": an e-mail with a one-time link, and no hint whether an account exists."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from emtihan.accounts.models import ThrottleEvent
from emtihan.accounts.tasks import password_reset_mail

RESET_URL = reverse("password_reset")
DONE_URL = reverse("password_reset_done")
LINK = re.compile(r"(https?://[^/\s]+)(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def ask_for_reset(client, email: str, **extra):
    return client.post(RESET_URL, {"email": email}, **extra)


def reset_link(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    assert found[1] == settings.SITE_URL  # the link goes to the site, whatever Host was sent
    return found[2]


def choose_password(client, link: str, password: str):
    # The link redirects to a URL without the token (kept in the session instead).
    form_url = client.get(link).url
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_the_form_renders(client, db):
    response = client.get(RESET_URL)
    assert response.status_code == 200
    assert 'name="email"' in response.text


def test_it_sends_a_link_by_e_mail(client, world):
    response = ask_for_reset(client, "teacher@test.local")

    assert response.status_code == 302
    assert response.url == DONE_URL
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["teacher@test.local"]
    assert "\n" not in message.subject
    reset_link(message)


def test_the_e_mail_is_matched_without_case(client, world):
    ask_for_reset(client, "TEACHER@test.local")
    assert len(mail.outbox) == 1


def test_the_link_sets_a_new_password(client, world):
    ask_for_reset(client, "teacher@test.local")
    link = reset_link(mail.outbox[0])

    response = choose_password(client, link, "a-brand-new-secret-77")

    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    world.teacher.refresh_from_db()
    assert world.teacher.check_password("a-brand-new-secret-77")
    assert not world.teacher.check_password("pass-2026")
    # Through the log-in page, as the person would (and past the log-in throttle).
    login = client.post(
        reverse("login"), {"username": "teacher@test.local", "password": "a-brand-new-secret-77"}
    )
    assert login.status_code == 302


def test_the_link_works_only_once(client, world):
    ask_for_reset(client, "teacher@test.local")
    link = reset_link(mail.outbox[0])
    choose_password(client, link, "a-brand-new-secret-77")

    response = client.get(link)

    assert response.status_code == 200
    assert "This link is invalid or has already been used." in response.text


def test_a_tampered_link_is_refused(client, world):
    ask_for_reset(client, "teacher@test.local")
    link = reset_link(mail.outbox[0])

    response = client.get(link[:-3] + "xx/")

    assert response.status_code == 200
    assert "This link is invalid or has already been used." in response.text
    world.teacher.refresh_from_db()
    assert world.teacher.check_password("pass-2026")


def test_an_unknown_e_mail_shows_the_same_page_and_sends_nothing(client, world):
    known = client.post(RESET_URL, {"email": "teacher@test.local"}, follow=True)
    mail.outbox.clear()

    unknown = client.post(RESET_URL, {"email": "nobody@test.local"}, follow=True)

    assert unknown.redirect_chain == known.redirect_chain == [(DONE_URL, 302)]
    assert unknown.status_code == known.status_code == 200
    assert "If an account exists for that address" in unknown.text
    assert mail.outbox == []


def test_a_disabled_account_gets_no_e_mail(client, world):
    world.teacher.is_active = False
    world.teacher.save()

    response = ask_for_reset(client, "teacher@test.local")

    assert response.url == DONE_URL
    assert mail.outbox == []


# --- accounts without a usable password (registry-imported teachers) ---------------------


def test_an_account_without_a_usable_password_gets_the_mail(client, world):
    world.teacher.password = make_password(None)
    world.teacher.save(update_fields=["password"])

    ask_for_reset(client, "teacher@test.local")

    assert len(mail.outbox) == 1
    response = choose_password(client, reset_link(mail.outbox[0]), "my-first-password-42")
    assert response.url == reverse("password_reset_complete")
    world.teacher.refresh_from_db()
    assert world.teacher.check_password("my-first-password-42")


def test_choosing_a_password_by_the_link_clears_the_registry_s_flag(client, world):
    world.student.must_change_password = True
    world.student.save(update_fields=["must_change_password"])
    ask_for_reset(client, "student1@test.local")

    choose_password(client, reset_link(mail.outbox[0]), "my-own-secret-2026")

    world.student.refresh_from_db()
    assert world.student.must_change_password is False


# --- the mail goes out from a task, with the site's address ------------------------------


@override_settings(SITE_URL="https://exams.example.edu")
def test_the_link_uses_site_url_not_the_host_header(client, world):
    ask_for_reset(client, "teacher@test.local", headers={"host": "localhost"})

    assert mail.outbox[0].body.count("https://exams.example.edu/accounts/password/reset/") == 1
    assert "localhost" not in mail.outbox[0].body


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
)
def test_the_mail_is_sent_by_a_background_task_not_the_request(world):
    from django_tasks import default_task_backend

    default_task_backend.clear()
    client = Client(headers={"accept-language": "ru"})

    response = client.post(
        RESET_URL, {"email": "teacher@test.local"}, headers={"accept-language": "ru"}
    )

    assert response.status_code == 302
    assert mail.outbox == []
    (queued,) = default_task_backend.results
    assert queued.task.name == password_reset_mail.name
    assert list(queued.args) == []
    assert queued.kwargs == {"email": "teacher@test.local", "language": "ru"}
    password_reset_mail.call(**queued.kwargs)  # what the worker does
    assert len(mail.outbox) == 1
    # in the language of the person who asked
    assert "Чтобы задать новый пароль, откройте эту ссылку:" in mail.outbox[0].body


# --- rate limits ---------------------------------------------------------------------------


@override_settings(PASSWORD_RESET_LIMIT=3)
@pytest.mark.parametrize("email", ["teacher@test.local", "nobody@test.local"])
def test_one_address_gets_at_most_the_limit_and_the_same_answer(client, world, email):
    answers = [client.post(RESET_URL, {"email": email}, follow=True) for _ in range(5)]

    known = email == "teacher@test.local"
    assert len(mail.outbox) == (3 if known else 0)
    for answer in answers:
        assert answer.redirect_chain == [(DONE_URL, 302)]
        assert "If an account exists for that address" in answer.text
    # Refused requests are not counted (they could not keep the owner from resetting).
    assert ThrottleEvent.objects.filter(kind="password_reset").count() == 3


@override_settings(PASSWORD_RESET_LIMIT=3)
def test_the_limit_is_per_e_mail(client, world):
    for _ in range(4):
        ask_for_reset(client, "nobody@test.local")

    ask_for_reset(client, "teacher@test.local")

    assert len(mail.outbox) == 1


@override_settings(PASSWORD_RESET_IP_LIMIT=4, TRUSTED_PROXY_COUNT=1)
def test_one_client_address_gets_at_most_its_limit(world):
    asker = Client()
    for n in range(4):
        ask_for_reset(asker, f"user{n}@test.local", headers={"x-forwarded-for": "203.0.113.9"})

    ask_for_reset(asker, "teacher@test.local", headers={"x-forwarded-for": "203.0.113.9"})
    assert mail.outbox == []

    ask_for_reset(Client(), "teacher@test.local", headers={"x-forwarded-for": "192.0.2.1"})
    assert len(mail.outbox) == 1


@override_settings(PASSWORD_RESET_LIMIT=3)
def test_the_limit_ends_with_the_window(client, world):
    import datetime as dt

    from django.db.models import F

    for _ in range(3):
        ask_for_reset(client, "teacher@test.local")
    ThrottleEvent.objects.update(at=F("at") - dt.timedelta(minutes=61))

    ask_for_reset(client, "teacher@test.local")

    assert len(mail.outbox) == 4
