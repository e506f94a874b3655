"""The student's log page and the recordings' one door (``proctoring:media``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from emtihan.exams.models import ExamProctor
from emtihan.proctoring import services
from emtihan.proctoring.models import Snapshot

from .conftest import NOW, make_exam
from .media import empty, frame, upload


@pytest.fixture
def recorded(world, recorded_sitting):
    exam, attempt = recorded_sitting
    for i, image in enumerate([frame("obama_1"), empty(), empty(), empty()]):
        at = NOW + dt.timedelta(seconds=20 * i)
        services.snapshot_upload(
            student_user=world.student,
            attempt_id=attempt.pk,
            file=upload(image),
            taken_at=at,
            now=at,
        )
    return exam, attempt


def test_the_student_reads_what_was_recorded_about_them(client, world, recorded):
    exam, _attempt = recorded
    client.force_login(world.student)
    page = client.get(reverse("proctoring:log", args=[exam.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "What was recorded about me" in html
    assert html.count('data-label="Faces seen"') == 4
    assert "Nobody in front of the camera" in html  # the absence flag
    assert "Only you, the proctors of this exam and the exam office see it." in html


def test_nothing_recorded_yet_says_so(client, world):
    exam = make_exam(world, proctoring="record")
    client.force_login(world.student)
    page = client.get(reverse("proctoring:log", args=[exam.pk]))
    assert "Nothing has been recorded about you in this exam." in page.content.decode()


def test_no_one_else_opens_the_log(client, world, recorded, other_student, proctor):
    exam, _attempt = recorded
    for person in (other_student, proctor, world.teacher):
        client.force_login(person)
        assert client.get(reverse("proctoring:log", args=[exam.pk])).status_code == 404


def test_a_recording_opens_for_the_student_and_the_exams_proctors_only(
    client, world, recorded, other_student, proctor, grader
):
    exam, _attempt = recorded
    snapshot = Snapshot.objects.first()
    url = reverse("proctoring:media", args=["snapshot", snapshot.pk])
    client.force_login(world.student)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    for person in (other_student, proctor, grader, world.teacher, world.head):
        client.force_login(person)
        assert client.get(url).status_code == 404
    ExamProctor.objects.create(exam=exam, user=proctor)
    client.force_login(proctor)
    assert client.get(url).status_code == 200
    client.force_login(world.registrar)  # the exam office
    assert client.get(url).status_code == 200
    client.force_login(world.student)
    assert client.get(reverse("proctoring:media", args=["poster", snapshot.pk])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_exam_page_links_the_log_when_the_exam_uses_the_camera(client, world):
    recorded = make_exam(world, proctoring="record")
    client.force_login(world.student)
    page = client.get(reverse("attempts:exam", args=[recorded.pk])).content.decode()
    assert reverse("proctoring:log", args=[recorded.pk]) in page
    assert "recorded when you allow it" in page
    without = make_exam(world, group=world.g1, title="No camera")
    page = client.get(reverse("attempts:exam", args=[without.pk])).content.decode()
    assert "/proctoring/" not in page
