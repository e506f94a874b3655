"""A proctor cancelling a student's work is asked again first (core/confirm.py): the page
names the student and the exam, "Cancel" leaves the sitting as it was, the confirmation
records the decision with the reason typed before."""

from __future__ import annotations

import pytest

from emtihan.attempts import services
from emtihan.attempts.models import Attempt, Decision
from emtihan.attempts.tests.conftest import MINUTE, NOW
from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pending(sitting):
    sitting.beat(NOW + 43 * MINUTE)
    services.attempt_finish(
        attempt_id=sitting.attempt.pk, student_user=sitting.user, now=NOW + 44 * MINUTE
    )
    return sitting.reload()


def test_the_proctor_confirms_before_cancelling_a_work(new_page, exam_proctor, pending):
    page = new_page()
    login(page, exam_proctor.email)
    page.goto("/sitting/decisions/")
    row = page.locator(f'tr[data-attempt="{pending.pk}"]')
    row.locator("select[name=decision]").select_option(Decision.CANCEL)
    row.locator("input[name=reason]").fill("Away 42 minutes, no proof of a power cut")
    row.get_by_role("button", name="Decide").click()

    page.get_by_role("heading", name="Cancel the work?").wait_for()
    assert "Cancel the work of Student One in “Algebra final”?" in page.inner_text("main")
    page.get_by_role("link", name="Cancel", exact=True).click()
    page.wait_for_url("**/sitting/decisions/")
    assert db(lambda: Attempt.objects.get(pk=pending.pk).decision) == Decision.PENDING

    row = page.locator(f'tr[data-attempt="{pending.pk}"]')
    row.locator("select[name=decision]").select_option(Decision.CANCEL)
    row.locator("input[name=reason]").fill("Away 42 minutes, no proof of a power cut")
    row.get_by_role("button", name="Decide").click()
    page.get_by_role("button", name="Cancel the work").click()
    page.get_by_text("Decision recorded for").wait_for()
    attempt = db(lambda: Attempt.objects.get(pk=pending.pk))
    assert attempt.decision == Decision.CANCEL
    assert attempt.decision_reason == "Away 42 minutes, no proof of a power cut"
