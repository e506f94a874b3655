"""FORCE_PASSWORD_CHANGE: a password the registry chose must be replaced before anything else."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

CHANGE_URL = reverse("password_change")
NEW_PASSWORD = "my-own-secret-2026"


@pytest.fixture
def student(world):
    world.student.must_change_password = True
    world.student.save(update_fields=["must_change_password"])
    return world.student


def change_password(client, old: str, new: str = NEW_PASSWORD):
    return client.post(
        CHANGE_URL, {"old_password": old, "new_password1": new, "new_password2": new}
    )


@override_settings(FORCE_PASSWORD_CHANGE=True)
@pytest.mark.parametrize("path", ["/", "/exam-forms/", "/umkd/", "/admin/"])
def test_every_page_redirects_to_the_password_change(client, student, path):
    client.force_login(student)

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == CHANGE_URL


@override_settings(FORCE_PASSWORD_CHANGE=True)
def test_the_password_change_page_itself_opens(client, student):
    client.force_login(student)

    response = client.get(CHANGE_URL)

    assert response.status_code == 200
    assert "Please choose your own password before you continue." in response.text


@override_settings(FORCE_PASSWORD_CHANGE=True)
def test_logging_out_and_switching_language_stay_possible(client, student):
    client.force_login(student)

    assert client.post("/i18n/setlang/", {"language": "ru", "next": "/"}).url == "/"
    assert client.post(reverse("logout")).url == reverse("login")


@override_settings(FORCE_PASSWORD_CHANGE=True)
def test_changing_the_password_clears_the_flag(client, student):
    client.force_login(student)

    response = change_password(client, old="100001")

    assert response.status_code == 302
    assert response.url == reverse("home")
    student.refresh_from_db()
    assert student.must_change_password is False
    assert student.check_password(NEW_PASSWORD)
    # Still logged in (the session survived the password change) and free to go on.
    home = client.get("/", follow=True)
    assert home.redirect_chain == [(reverse("attempts:home"), 302)]
    assert home.status_code == 200
    assert home.wsgi_request.user == student


@override_settings(FORCE_PASSWORD_CHANGE=True)
def test_a_wrong_old_password_keeps_the_flag(client, student):
    client.force_login(student)

    response = change_password(client, old="wrong")

    assert response.status_code == 200
    student.refresh_from_db()
    assert student.must_change_password is True
    assert client.get("/").url == CHANGE_URL


@override_settings(FORCE_PASSWORD_CHANGE=True)
def test_users_without_the_flag_are_not_redirected(client, world):
    client.force_login(world.outsider)
    assert client.get("/").status_code == 200


@override_settings(FORCE_PASSWORD_CHANGE=True)
def test_anonymous_visitors_go_to_the_login_page(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@override_settings(FORCE_PASSWORD_CHANGE=False)
def test_with_the_setting_off_nothing_happens(client, student):
    client.force_login(student)

    response = client.get("/", follow=True)

    assert response.status_code == 200
    assert reverse("password_change") not in [url for url, _status in response.redirect_chain]
    student.refresh_from_db()
    assert student.must_change_password is True


@override_settings(FORCE_PASSWORD_CHANGE=True)
def test_the_api_refuses_the_session_until_the_password_is_changed(client, student):
    from emtihan.accounts.middleware import ERR_CHOOSE_PASSWORD_FIRST

    client.force_login(student)

    response = client.get("/api/v1/attempts/999")

    assert response.status_code == 403
    assert response.json() == {"detail": ERR_CHOOSE_PASSWORD_FIRST}
    change_password(client, old="100001")
    assert client.get("/api/v1/attempts/999").status_code == 404  # no such attempt: past the gate
