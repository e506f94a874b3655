"""The proctor's console refreshes its table by itself under the pages' strict CSP: a
flag raised after the page opened reorders the sittings without a reload."""

from __future__ import annotations

import pytest
from django.utils import timezone

from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import login
from emtihan.exams.models import ExamProctor
from emtihan.proctoring.models import FlagKind

from .test_console import flag, live  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_flag_reaches_the_open_console_without_a_reload(new_page, live, proctor):  # noqa: F811
    exam, one, three = live
    ExamProctor.objects.create(exam=exam, user=proctor)
    page = new_page()
    login(page, proctor.email)
    page.goto(f"/proctoring/console/{exam.pk}/")
    first = page.locator("#console tbody tr").first
    assert first.get_attribute("data-attempt") == str(one.pk)  # equal priority: by name
    page.evaluate("() => { window.keptSincePageLoad = true; }")

    db(lambda: flag(three, FlagKind.MULTIPLE_FACES, ended_at=timezone.now()))
    page.locator(f'#console tbody tr[data-attempt="{three.pk}"]:first-child').wait_for(
        timeout=15_000
    )
    assert "Someone else in view × 1" in page.locator("#console tbody tr").first.inner_text()
    assert page.evaluate("() => window.keptSincePageLoad") is True  # the same page
