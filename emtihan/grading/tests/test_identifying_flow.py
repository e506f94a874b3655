"""Identifying marks in the pile: a work whose answer names its author is flagged when
its code is given; the exam office sees the matching text highlighted and decides
(dismiss, or send to the sitting's decision), audited; graders never see any of it."""

from __future__ import annotations

import pytest
from django.test import Client

from emtihan.attempts.models import AnswerVersion
from emtihan.attempts.tests.conftest import doc
from emtihan.audit.models import AuditEntry
from emtihan.exams.models import QuestionKind
from emtihan.grading.models import FlagState, IdentityFlag, Work
from emtihan.grading.services import works_ensure
from emtihan.grading.services.identifying import doc_text

pytestmark = pytest.mark.django_db

SIGNED = "Жауап: 3НФ. Бұл жұмысты Сейітованың өзі орындады."


def test_doc_text_reads_paragraphs_and_caps():
    assert doc_text(doc("один")["doc"]).strip() == "один"
    deep: dict = {"type": "text", "text": "x"}
    for _ in range(100):
        deep = {"type": "paragraph", "content": [deep]}
    assert doc_text(deep).strip() == ""  # deeper than MAX_DEPTH: not read
    assert (
        len(doc_text({"type": "doc", "content": [{"type": "text", "text": "a" * 50_000}]}))
        == 20_000
    )


def test_flags_made_when_codes_are_given(pile, world):
    attempt = pile.attempts[0]
    works_ensure(exam=pile.exam)
    work = Work.objects.get(attempt=attempt)
    assert work.scanned_at is not None
    # the pile's answers ("Жауап 0: E = mc²") name nobody
    assert not IdentityFlag.objects.filter(work=work).exists()


def test_a_signed_answer_is_flagged_and_the_exam_office_decides(pile, world):
    # The first sitting's final written answer names its author (before codes are given).
    attempt = pile.attempts[0]
    written = next(e["q"] for e in attempt.layout if e["kind"] == QuestionKind.WRITTEN)
    version = (
        AnswerVersion.objects.filter(answer__attempt=attempt, answer__question_id=written)
        .order_by("-number")
        .first()
    )
    version.content = doc(SIGNED)
    version.save()
    works_ensure(exam=pile.exam)
    work = Work.objects.get(attempt=attempt)
    flag = IdentityFlag.objects.get(work=work)
    assert flag.kind == "surname" and flag.excerpt[flag.start : flag.end] == "Сейітованың"

    # graders never see it
    grader = Client()
    grader.force_login(pile.grader)
    for url in (
        f"/grading/exams/{pile.exam.pk}/",
        f"/grading/exams/{pile.exam.pk}/works/{work.code}/",
    ):
        page = grader.get(url).content.decode()
        assert "Identifying" not in page and "<mark>" not in page
    assert grader.get("/grading/identifying-marks/").status_code == 403

    office = Client()
    office.force_login(world.registrar)
    page = office.get("/grading/identifying-marks/").content.decode()
    assert "<mark>Сейітованың</mark>" in page and work.code in page
    response = office.post(
        f"/grading/identifying-marks/{work.pk}/", {"action": "refer", "note": "§6.2"}
    )
    assert response.status_code == 302 and response["Location"].endswith(
        f"/decisions/exams/{pile.exam.pk}/"
    )
    flag.refresh_from_db()
    assert flag.state == FlagState.REFERRED and flag.decided_by == world.registrar
    entry = AuditEntry.objects.get(action="grading.identifying")
    assert entry.data["decision"] == "refer" and entry.data["kinds"] == ["surname"]
    assert "Сейітованың" not in office.get("/grading/identifying-marks/").content.decode()
