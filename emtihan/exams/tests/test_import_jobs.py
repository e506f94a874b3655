"""Imports are bounded (bytes, the exam's room for questions, time), big ones are read in
the background while the teacher watches their progress, and a failed one writes
nothing. An exam holds at most EXAM_MAX_QUESTIONS questions, however they are added."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from emtihan.core.errors import DomainError, ValidationFailed
from emtihan.exams import services
from emtihan.exams.importers import gift
from emtihan.exams.importers.base import ERR_NO_ROOM, ERR_TOO_SLOW
from emtihan.exams.models import (
    IMPORT_STALLED,
    ExamStatus,
    ImportStatus,
    Question,
    QuestionImport,
)

from .conftest import add_question
from .test_api import api_for


def gift_file(count: int, name: str = "bank.gift") -> SimpleUploadedFile:
    text = "\n\n".join(f"::Q{n}::What is {n} + {n}?{{#{2 * n}}}" for n in range(1, count + 1))
    return SimpleUploadedFile(name, text.encode())


def start(world, exam, file, **kwargs) -> QuestionImport:
    return services.question_import_start(actor=world.teacher, exam=exam, file=file, **kwargs)


# --- the cap on questions per exam ----------------------------------------------------------


def test_an_exam_holds_at_most_the_cap_through_the_service(world, exam, settings):
    settings.EXAM_MAX_QUESTIONS = 2
    add_question(world, exam)
    add_question(world, exam)
    with pytest.raises(DomainError) as exc:
        add_question(world, exam)
    assert exc.value.message == services.ERR_EXAM_FULL % {"max": 2}
    assert exam.questions.count() == 2


def test_the_api_and_the_form_say_the_same(client, world, exam, settings):
    settings.EXAM_MAX_QUESTIONS = 1
    add_question(world, exam)
    api = api_for(client, world.teacher)
    response = api.send("post", f"{exam.pk}/questions", {"kind": "written", "body": "<p>x</p>"})
    assert response.status_code == 409
    assert response.json()["detail"] == services.ERR_EXAM_FULL % {"max": 1}
    client.force_login(world.teacher)
    url = reverse("exams:question_create", args=[exam.pk, "written"])
    response = client.post(url, {"kind": "written", "body": "<p>Explain.</p>", "points": "1"})
    assert services.ERR_EXAM_FULL % {"max": 1} in response.content.decode()
    assert exam.questions.count() == 1


def test_an_import_larger_than_the_room_left_imports_nothing(world, exam, settings):
    settings.EXAM_MAX_QUESTIONS = 10
    for _n in range(4):
        add_question(world, exam)
    result = services.questions_import(actor=world.teacher, exam=exam, file=gift_file(7))
    assert [e.message for e in result.errors] == [ERR_NO_ROOM % {"max": 10, "room": 6}]
    assert result.imported == 0 and exam.questions.count() == 4
    result = services.questions_import(actor=world.teacher, exam=exam, file=gift_file(6))
    assert result.imported == 6 and exam.questions.count() == 10


def test_twenty_thousand_questions_are_refused_after_reading_a_thousand(world, exam):
    """One exam used to take 20,000 imported questions."""
    file = gift_file(20_000)
    started = time.process_time()
    result = services.questions_import(actor=world.teacher, exam=exam, file=file)
    assert time.process_time() - started < 5
    assert [e.message for e in result.errors] == [ERR_NO_ROOM % {"max": 1000, "room": 1000}]
    assert len(result.questions) == 1001  # it stopped reading there
    assert not exam.questions.exists()


# --- size and time ---------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_anything_is_kept(world, exam, settings):
    settings.QUESTION_IMPORT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.gift", b"// " + b"x" * (1024 * 1024))
    with pytest.raises(ValidationFailed) as exc:
        start(world, exam, big)
    assert exc.value.errors == {"file": [services.ERR_IMPORT_TOO_BIG % {"mb": 1}]}
    assert not QuestionImport.objects.exists()


def test_reading_stops_at_the_deadline_and_nothing_is_written(world, exam, settings):
    settings.QUESTION_IMPORT_MAX_SECONDS = 180
    result = services.questions_import(
        actor=world.teacher, exam=exam, file=gift_file(50), deadline=time.monotonic() - 1
    )
    assert [e.message for e in result.errors] == [ERR_TOO_SLOW % {"minutes": 3}]
    assert not exam.questions.exists()


# --- small files now, big files in the background -------------------------------------------------


def test_a_small_file_is_read_at_once(world, exam):
    job = start(world, exam, gift_file(3), language="ru")
    assert job.status == ImportStatus.DONE and job.data == b""
    assert (job.done, job.total, job.report["imported"]) == (3, 3, 3)
    assert exam.questions.count() == 3


def test_a_big_file_is_read_in_the_background_with_its_progress(
    world, exam, settings, client, django_capture_on_commit_callbacks
):
    settings.QUESTION_IMPORT_INLINE_BYTES = 100
    seen: list[tuple[int, int]] = []
    real = QuestionImport.set_progress

    def spy(import_id, done, total):
        seen.append((done, total))
        real(import_id, done, total)

    with django_capture_on_commit_callbacks() as queued:
        job = start(world, exam, gift_file(45))
    assert job.status == ImportStatus.QUEUED and len(queued) == 1
    client.force_login(world.teacher)
    url = reverse("exams:import_detail", args=[exam.pk, job.pk])
    waiting = client.get(url).content.decode()
    assert "Waiting for the background worker" in waiting
    assert 'hx-trigger="every 1s"' in waiting

    QuestionImport.set_progress = staticmethod(spy)  # type: ignore[method-assign]
    try:
        queued[0]()  # the worker (the test settings' immediate backend) runs it
    finally:
        QuestionImport.set_progress = real  # type: ignore[method-assign]
    assert seen == [(0, 45), (20, 45), (40, 45), (45, 45)]
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and exam.questions.count() == 45
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "45 questions were imported." in done and "hx-trigger" not in done


def test_the_page_shows_how_far_reading_has_got(world, exam, client):
    job = QuestionImport.objects.create(
        exam=exam,
        created_by=world.teacher,
        source="bank.xml",
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        done=40,
        total=160,
    )
    client.force_login(world.teacher)
    url = reverse("exams:import_detail", args=[exam.pk, job.pk])
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Reading the file: 40 of 160 questions." in html
    assert '<progress max="100" value="25">' in html


def test_an_import_whose_worker_stopped_says_so(world, exam, client, settings):
    settings.QUESTION_IMPORT_MAX_SECONDS = 60
    job = QuestionImport.objects.create(
        exam=exam,
        created_by=world.teacher,
        status=ImportStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=5),
    )
    client.force_login(world.teacher)
    html = client.get(reverse("exams:import_detail", args=[exam.pk, job.pk])).content.decode()
    assert IMPORT_STALLED in html and "hx-trigger" not in html
    body = api_for(client, world.teacher).get(f"{exam.pk}/imports/{job.pk}").json()
    assert (body["status"], body["failure"], body["ok"]) == ("failed", IMPORT_STALLED, False)


def test_an_import_refused_when_its_turn_comes_writes_nothing(
    world, exam, settings, django_capture_on_commit_callbacks
):
    settings.QUESTION_IMPORT_INLINE_BYTES = 100
    with django_capture_on_commit_callbacks() as queued:
        job = start(world, exam, gift_file(5))
    exam.opens_at = timezone.now() - dt.timedelta(minutes=1)  # published; the window opened
    exam.status = ExamStatus.PUBLISHED
    exam.save()
    queued[0]()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.failure == services.ERR_LOCKED
    assert not Question.objects.exists()


def test_a_crash_fails_the_import_writes_nothing_and_is_logged(world, exam, monkeypatch):
    def broken(data, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(gift, "parse", broken)
    with pytest.raises(RuntimeError):
        start(world, exam, gift_file(2))
    job = QuestionImport.objects.get()
    assert (job.status, job.failure) == (ImportStatus.FAILED, services.ERR_IMPORT_CRASHED)
    assert job.data == b"" and not Question.objects.exists()


def test_the_api_answers_202_for_a_big_file_then_the_report(
    client, world, exam, settings, django_capture_on_commit_callbacks
):
    settings.QUESTION_IMPORT_INLINE_BYTES = 100
    api = api_for(client, world.teacher)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = api.client.post(
            f"/api/v1/exams/{exam.pk}/import", {"file": gift_file(30)}, **api.auth
        )
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["ok"], body["imported"]) == ("queued", False, 0)
    queued[0]()
    body = api.get(f"{exam.pk}/imports/{body['id']}").json()
    assert (body["status"], body["ok"], body["imported"], body["done"]) == ("done", True, 30, 30)
    other = api_for(client, world.other_teacher)
    assert other.get(f"{exam.pk}/imports/{body['id']}").status_code == 404
