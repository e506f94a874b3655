""" "Forgot password": an e-mail with a one-time link, and no hint whether an account exists."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

RESET_URL = reverse("password_reset")
DONE_URL = reverse("password_reset_done")
LINK = re.compile(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def ask_for_reset(client, email: str):
    return client.post(RESET_URL, {"email": email})


def reset_link(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found[1]


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
