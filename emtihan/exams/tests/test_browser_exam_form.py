"""The teacher's exam settings form in Chromium, filled and submitted as a teacher would:
"My exams" -> "Create exam", then "Edit settings" -> "Save".

The teacher has not chosen a time zone (nobody has, at first) and their device's clock is
in another zone, so the page offers the device's zone inside the form's time-zone note:
that offer once carried its own <form>, the browser closed the exam form there, and the
fields after it and the submit button did nothing (issue 8).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.utils import timezone

from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import login
from emtihan.exams.models import Exam, ExamStatus, ProctoringLevel, TimeoutPolicy
from emtihan.exams.tests.conftest import approve, new_exam

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ABROAD = "Europe/Berlin"  # the teacher's laptop clock; the pages show Asia/Almaty


def local(value: dt.datetime) -> str:
    """A datetime-local value in the university's zone (the teacher has chosen none)."""
    return value.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%dT%H:%M")


def test_teacher_creates_an_exam_from_my_exams(new_page, world):
    choice = approve(world)
    page = new_page(timezone_id=ABROAD)
    login(page, world.teacher.email)
    page.goto("/exams/")
    page.locator("#choice-table").get_by_role("link", name="Create exam").click()
    page.wait_for_url(f"**/exams/new/{choice.pk}/")
    # The device's zone is offered (its own little form), beside the window's fields.
    offer = page.locator("[data-tz-offer]")
    offer.wait_for()
    assert ABROAD in offer.inner_text()

    opens = (timezone.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    page.fill("#id_title", "Algebra final, written")
    page.fill("#id_opens_at", local(opens))
    page.fill("#id_closes_at", local(opens + dt.timedelta(hours=3)))
    page.fill("#id_duration_minutes", "120")
    page.fill("#id_description", "Bring your student card.")
    page.check("#id_allow_drawings")
    page.fill("#id_allowed_other", "A calculator")
    page.check(f"input[name=timeout_policy][value={TimeoutPolicy.EMPTY}]")
    page.fill("#id_absence_cap_minutes", "15")
    page.uncheck("#id_shuffle_options")
    page.check(f"input[name=proctoring][value={ProctoringLevel.REQUIRED}]")
    page.fill("#id_snapshot_interval_seconds", "30")
    page.fill("#id_identity_check_attempts", "2")
    page.fill("#id_proctoring_retention_days", "60")
    page.get_by_role("button", name="Create exam").click()

    page.wait_for_url("**/exams/*/")
    page.get_by_text("The exam was created. Now add its questions.").wait_for()
    exam = db(lambda: Exam.objects.get(choice=choice))
    assert exam.title == "Algebra final, written"
    assert exam.opens_at == opens
    assert exam.closes_at == opens + dt.timedelta(hours=3)
    assert exam.duration_minutes == 120
    assert exam.description == "Bring your student card."
    assert exam.allow_drawings and exam.allow_formulas and not exam.allow_pictures
    assert exam.allowed_other == "A calculator"
    assert exam.timeout_policy == TimeoutPolicy.EMPTY
    assert exam.absence_cap_seconds == 15 * 60
    assert exam.shuffle_questions and not exam.shuffle_options
    assert exam.proctoring == ProctoringLevel.REQUIRED
    assert exam.snapshot_interval_seconds == 30
    assert exam.identity_check_attempts == 2
    assert exam.proctoring_retention_days == 60
    assert exam.status == ExamStatus.DRAFT
    assert page.url.endswith(f"/exams/{exam.pk}/")


def test_teacher_edits_the_settings_and_saves(new_page, world):
    exam = new_exam(world, approve(world))
    page = new_page(timezone_id=ABROAD)
    login(page, world.teacher.email)
    page.goto(f"/exams/{exam.pk}/")
    page.get_by_role("link", name="Edit settings").click()
    page.wait_for_url(f"**/exams/{exam.pk}/edit/")
    page.locator("[data-tz-offer]").wait_for()

    page.fill("#id_title", "Algebra final (moved)")
    later = (exam.closes_at + dt.timedelta(hours=1)).replace(second=0)
    page.fill("#id_closes_at", local(later))
    page.fill("#id_absence_cap_minutes", "30")
    page.check(f"input[name=proctoring][value={ProctoringLevel.RECORD}]")
    page.fill("#id_snapshot_interval_seconds", "45")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(f"**/exams/{exam.pk}/")
    page.get_by_text("The exam was saved.").wait_for()
    exam = db(lambda: Exam.objects.get(pk=exam.pk))
    assert exam.title == "Algebra final (moved)"
    assert exam.closes_at == later
    assert exam.absence_cap_seconds == 30 * 60
    assert exam.proctoring == ProctoringLevel.RECORD
    assert exam.snapshot_interval_seconds == 45


def test_an_invalid_form_shows_the_errors_and_keeps_the_input(new_page, world):
    choice = approve(world)
    page = new_page(timezone_id=ABROAD)
    login(page, world.teacher.email)
    page.goto(f"/exams/new/{choice.pk}/")
    opens = timezone.now() + dt.timedelta(days=3)
    page.fill("#id_opens_at", local(opens))
    page.fill("#id_closes_at", local(opens - dt.timedelta(hours=1)))
    page.get_by_role("button", name="Create exam").click()
    page.get_by_text("The window must close after it opens.").wait_for()
    assert page.input_value("#id_opens_at") == local(opens)
    assert db(lambda: Exam.objects.filter(choice=choice).count()) == 0


def test_the_time_zone_offer_inside_the_exam_form_still_works(new_page, world):
    choice = approve(world)
    page = new_page(timezone_id=ABROAD)
    login(page, world.teacher.email)
    page.goto(f"/exams/new/{choice.pk}/")
    page.locator("[data-tz-offer]").get_by_role("button", name="Show times in it").click()
    page.wait_for_url(f"**/exams/new/{choice.pk}/")
    page.get_by_text(f"Times are shown in the {ABROAD} time zone.").wait_for()
    world.teacher.refresh_from_db()
    assert world.teacher.time_zone == ABROAD
    assert db(lambda: Exam.objects.filter(choice=choice).count()) == 0
