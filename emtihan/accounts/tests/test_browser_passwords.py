"""In Chromium, as people fill the forms: a teacher the registry import created chooses a
first password through "Forgot password"; a student made to change the registry's
password at first login (FORCE_PASSWORD_CHANGE) does so and goes on."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from emtihan.accounts.models import User
from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import login
from emtihan.university.tests.registry_files import GOOD, write_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/accounts/password/reset/\S+/")


def test_an_imported_teacher_chooses_a_first_password_by_forgot_password(
    new_page, world, tmp_path, settings, live_server
):
    settings.SITE_URL = live_server.url
    call_command("registry_import", str(write_xlsx(tmp_path / "r.xlsx", GOOD)), stdout=StringIO())
    teacher = User.objects.get(email="boss@uni.kz")
    assert not teacher.has_usable_password()
    page = new_page()

    # Without a password the log-in fails; the page points at "Forgot password?".
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill("boss@uni.kz")
    page.get_by_label("Password").fill("anything")
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Wrong e-mail or password.").wait_for()
    page.get_by_role("link", name="Forgot password?").click()

    page.get_by_label("Email").fill("Boss@uni.kz")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    assert "If an account exists for that address" in page.inner_text("main")

    (message,) = mail.outbox
    assert message.to == ["boss@uni.kz"]
    link = LINK.search(message.body)[0]
    assert link.startswith(live_server.url)
    page.goto(link)
    page.get_by_role("heading", name="Choose a new password").wait_for()
    page.get_by_label("New password", exact=True).fill("Boss-first-pass-2026")
    page.get_by_label("New password confirmation").fill("Boss-first-pass-2026")
    page.get_by_role("button", name="Save the password").click()
    page.wait_for_url("**/accounts/password/reset/complete/")

    login(page, "boss@uni.kz", "Boss-first-pass-2026")
    assert page.locator(".whoami").inner_text().startswith("Boss Head")
    assert db(lambda: User.objects.get(email="boss@uni.kz").has_usable_password())


def test_a_mismatched_confirmation_is_shown_and_nothing_changes(
    new_page, world, settings, live_server
):
    settings.SITE_URL = live_server.url
    page = new_page()
    page.goto("/accounts/password/reset/")
    page.get_by_label("Email").fill("teacher@test.local")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()

    page.goto(LINK.search(mail.outbox[0].body)[0])
    page.get_by_label("New password", exact=True).fill("Teacher-new-pass-2026")
    page.get_by_label("New password confirmation").fill("Teacher-new-pass-2027")
    page.get_by_role("button", name="Save the password").click()

    page.get_by_text("The two password fields didn’t match.").wait_for()
    assert db(lambda: User.objects.get(pk=world.teacher.pk).check_password("pass-2026"))


def test_a_student_changes_the_registry_s_password_at_first_login(new_page, world, settings):
    settings.FORCE_PASSWORD_CHANGE = True
    User.objects.filter(pk=world.student.pk).update(must_change_password=True)
    page = new_page()

    login(page, "student1@test.local", "100001")
    page.wait_for_url("**/accounts/password/change/")
    assert "Please choose your own password before you continue." in page.inner_text("main")
    # Every other page leads back here until the password is changed.
    page.goto("/sitting/")
    page.wait_for_url("**/accounts/password/change/")

    page.get_by_label("Old password").fill("100001")
    page.get_by_label("New password", exact=True).fill("Asel-own-secret-2026")
    page.get_by_label("New password confirmation").fill("Asel-own-secret-2026")
    page.get_by_role("button", name="Save the password").click()

    page.wait_for_url("**/sitting/")
    assert "Your password has been changed." in page.inner_text("main")
    page.goto("/sitting/exams/")
    assert "/accounts/password/change/" not in page.url
    student = db(lambda: User.objects.get(pk=world.student.pk))
    assert student.must_change_password is False
    assert student.check_password("Asel-own-secret-2026")


def test_a_wrong_old_password_is_shown_and_the_student_stays_on_the_form(new_page, world, settings):
    settings.FORCE_PASSWORD_CHANGE = True
    User.objects.filter(pk=world.student.pk).update(must_change_password=True)
    page = new_page()
    login(page, "student1@test.local", "100001")
    page.wait_for_url("**/accounts/password/change/")

    page.get_by_label("Old password").fill("100002")
    page.get_by_label("New password", exact=True).fill("Asel-own-secret-2026")
    page.get_by_label("New password confirmation").fill("Asel-own-secret-2026")
    page.get_by_role("button", name="Save the password").click()

    page.get_by_text("Your old password was entered incorrectly.").wait_for()
    page.goto("/sitting/")
    page.wait_for_url("**/accounts/password/change/")
