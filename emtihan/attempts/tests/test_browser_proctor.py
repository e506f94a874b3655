"""A proctor's way to an exam's sittings in Chromium: they land on their exams, open one,
read each sitting's state, time left and absence in minutes, and propose a decision on one
that has ended through its form (a postpone waits for a second reviewer)."""

from __future__ import annotations

import pytest

from emtihan.attempts.models import Attempt, Decision, DecisionProposal
from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_proctor_reaches_the_sittings_of_their_exam_and_decides(new_page, cast):
    page = new_page()
    login(page, cast.user("proctor").email)
    page.wait_for_url("**/sitting/proctor/")
    exams = page.locator("#proctor-exams")
    assert "Anatomy final" not in exams.inner_text()  # not theirs
    exams.get_by_role("link", name="Algebra final").click()
    page.wait_for_url(f"**/sitting/decisions/exams/{cast.exam.pk}/")

    sittings = page.locator("#sittings")
    writing = sittings.locator("tr", has_text=cast.user("student").full_name)
    assert "In progress" in writing.inner_text()
    assert "Decide once the sitting has ended." in writing.inner_text()
    assert writing.get_by_role("button", name="Decide").count() == 0
    assert " min" in writing.locator("td").nth(4).inner_text()  # time left

    away = sittings.locator("tr", has_text=cast.user("classmate").full_name)
    assert "49 minutes of 20 minutes" in away.inner_text()  # 50 minutes gone, 60 s of grace
    assert "Waiting for a decision" in away.inner_text()
    away.get_by_label("Decision and reason").select_option(label="Technical failure")
    away.get_by_label("Comment").fill("Power cut in the dormitory, confirmed by the warden")
    away.get_by_role("button", name="Decide").click()
    page.get_by_text(f"Proposed for {cast.user('classmate')}").wait_for()
    # A postpone waits for a second reviewer: the row now offers its review instead.
    away = page.locator("#sittings tr", has_text=cast.user("classmate").full_name)
    assert "Awaiting second review" in away.inner_text()
    proposal = db(lambda: DecisionProposal.objects.get(attempt=cast.classmate_attempt))
    assert (proposal.decision, proposal.category, proposal.proposed_by_id) == (
        Decision.POSTPONE,
        "technical_failure",
        cast.user("proctor").pk,
    )
    assert db(lambda: Attempt.objects.get(pk=cast.classmate_attempt.pk).decision) == (
        Decision.PENDING
    )
