"""The language switcher in the top bar changes the interface language."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

LOGIN_URL = reverse("login")
TITLE = re.compile(r"<h1>(.*?)</h1>", re.S)


def switch_language(client, language: str):
    return client.post("/i18n/setlang/", {"language": language, "next": LOGIN_URL})


def heading(response) -> str:
    found = TITLE.search(response.text)
    assert found, response.text
    return html.unescape(found[1]).strip()


def login_title_in(language: str) -> str:
    with translation.override(language):
        return translation.gettext("Log in")


def test_the_page_starts_in_english_in_tests(client, db):
    response = client.get(LOGIN_URL)
    assert '<html lang="en">' in response.text
    assert heading(response) == "Log in"


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_switcher_changes_the_page_language(client, db, language):
    response = switch_language(client, language)

    assert response.status_code == 302
    assert response.url == LOGIN_URL
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    page = client.get(LOGIN_URL)
    assert f'<html lang="{language}">' in page.text
    assert heading(page) == login_title_in(language)


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_title_is_translated(client, db, language):
    switch_language(client, language)

    title = heading(client.get(LOGIN_URL))

    # Whichever catalog supplies it (ours or Django's admin), it is not the English text.
    assert title != "Log in"


def test_the_choice_sticks_across_pages(client, world):
    switch_language(client, "ru")
    client.force_login(world.outsider)

    assert '<html lang="ru">' in client.get("/").text


def test_the_current_language_is_marked_in_the_switcher(client, db):
    switch_language(client, "kk")

    text = client.get(LOGIN_URL).text

    assert re.search(r'value="kk" class="lang current"[^>]*aria-current="true"', text)


def test_an_unknown_language_is_ignored(client, db):
    switch_language(client, "xx")
    assert '<html lang="en">' in client.get(LOGIN_URL).text


def test_the_chosen_language_is_remembered_on_the_account(client, world):
    client.force_login(world.student)
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    world.student.refresh_from_db()
    assert world.student.language == "ru"
    # Another device: no language cookie, an English browser; the account's choice wins.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(world.student)
    assert '<html lang="ru">' in other.get("/accounts/password/change/").content.decode()
