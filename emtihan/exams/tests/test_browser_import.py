"""A teacher imports questions in Chromium: fills and submits the import form, lands on the
import's page with its report; a big import's page shows its progress and turns into
the report by itself when the background worker finishes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from emtihan.attempts.tests.conftest import make_exam
from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import login
from emtihan.exams.importers.base import ImportResult
from emtihan.exams.models import ExamStatus, ImportStatus, QuestionImport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GIFT = "\n\n".join(f"::Q{n}::What is {n} + {n}?{{#{2 * n}}}" for n in range(1, 6))


def draft_exam(world):
    exam = make_exam(world, opens_at=timezone.now() + dt.timedelta(days=1), status=ExamStatus.DRAFT)
    exam.questions.all().delete()
    return exam


def test_a_teacher_imports_a_file_and_reads_the_report(new_page, world, tmp_path):
    exam = draft_exam(world)
    path = tmp_path / "bank.gift"
    path.write_text(GIFT)
    page = new_page()
    login(page, world.teacher.email)
    page.goto(f"/exams/{exam.pk}/import/")
    page.set_input_files("#import-form input[type=file]", str(path))
    page.select_option("#import-form select[name=fmt]", "gift")
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-report :text('5 questions were imported.')")
    assert "/imports/" in page.url
    assert db(lambda: exam.questions.count()) == 5
    page.click("text=Import another file")
    page.wait_for_selector("#import-list :text('bank.gift')")


def test_the_page_of_a_big_import_follows_it_to_its_report(new_page, world):
    exam = draft_exam(world)
    job = QuestionImport.objects.create(
        exam=exam,
        created_by=world.teacher,
        source="bank.xml",
        size=3 << 20,
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        done=20,
        total=80,
    )
    page = new_page()
    login(page, world.teacher.email)
    page.goto(f"/exams/{exam.pk}/imports/{job.pk}/")
    page.wait_for_selector("#import-progress :text('Reading the file: 20 of 80 questions.')")
    db(lambda: QuestionImport.set_progress(job.pk, 60, 80))
    page.wait_for_selector("#import-progress :text('Reading the file: 60 of 80 questions.')")
    report = ImportResult(fmt="moodle_xml", encoding="utf-8")
    report.imported = 80
    db(lambda: QuestionImport.objects.get(pk=job.pk).finish(report.to_dict()))
    page.wait_for_selector("#import-report :text('80 questions were imported.')")
    assert page.locator("#import-progress[hx-trigger]").count() == 0  # it stopped asking
