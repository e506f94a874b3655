"""The demo's marking, results and archive (issue 11, "make demo"): the completed
Databases exam has a released work, a marked one waiting for release and an unmarked one;
student1 has an open appeal; and the PDF of a demo work reads back with the student's
Kazakh text, the formula drawn as mathematics and every receipt's digest."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from emtihan.attempts.models import AnswerVersion
from emtihan.demo.exams import completed_exam
from emtihan.grading import archive
from emtihan.grading.models import Appeal, Work, WorkState

pytestmark = pytest.mark.django_db


@pytest.fixture
def works() -> dict[str, Work]:
    call_command("demo_seed", stdout=io.StringIO())
    exam = completed_exam()
    assert exam is not None
    return {
        w.attempt.student.user.email: w
        for w in Work.objects.filter(exam=exam).select_related("attempt__student__user")
    }


def test_the_completed_exam_has_released_marked_and_unmarked_works_and_an_open_appeal(works):
    released = works["student1@demo.local"]
    assert released.released_at is not None and released.result_letter
    waiting = works["student2@demo.local"]
    assert waiting.state == WorkState.MARKED and waiting.released_at is None
    unmarked = works["student21@demo.local"]
    assert unmarked.state != WorkState.MARKED and unmarked.released_at is None
    appeal = Appeal.objects.get(work=released)
    assert appeal.is_open


def test_the_pdf_of_a_demo_work_reads_back(works):
    work = works["student1@demo.local"]
    pdf = archive.work_pdf(work)
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = "\n".join(page.extract_text() or "" for page in pages)
    flat = re.sub(r"\s+", "", text)
    student = work.attempt.student
    assert student.user.full_name in text and student.student_id in text
    assert "транзитивті тәуелділіктер жоқ" in text  # the student's Kazakh answer
    assert "Жақсы жауап" in text  # the grader's comment
    assert f"{work.code} · 1 / {len(pages)}" in text  # the page footer of the stylesheet
    for version in AnswerVersion.objects.filter(answer__attempt=work.attempt):
        assert version.digest in flat  # every receipt's digest
    # The formula A -> B is drawn as paths, not written out as its LaTeX.
    assert "\\to" not in text and "not\\to" not in text
    assert sum(p.get_contents().get_data().count(b" c\n") for p in pages) > 10
