from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from emtihan.attempts import services
from emtihan.attempts.models import Attempt, AttemptStatus
from emtihan.attempts.tests.conftest import doc, make_exam
from emtihan.exams.models import TimeoutPolicy


@pytest.fixture
def student_client(client, world):
    client.force_login(world.student)
    return client


@pytest.fixture
def sitting_template(tmp_path):
    """The exam page template belongs to the front end; these tests use a stand-in."""
    (tmp_path / "attempts").mkdir()
    (tmp_path / "attempts" / "sitting.html").write_text(
        '<script type="application/json" id="attempt-state">{{ state_json|safe }}</script>'
    )
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with override_settings(TEMPLATES=templates):
        yield


def start(world, exam) -> Attempt:
    return services.attempt_start(student_user=world.student, exam_id=exam.pk)


def test_home_lists_the_open_exam_with_start(student_client, live_exam):
    response = student_client.get(reverse("attempts:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert live_exam.title in html
    assert reverse("attempts:exam", args=[live_exam.pk]) in html


def test_home_offers_continue_once_started(student_client, world, live_exam):
    attempt = start(world, live_exam)
    html = student_client.get(reverse("attempts:home")).content.decode()
    assert reverse("attempts:sitting", args=[attempt.pk]) in html


def test_the_exams_tab_sorts_upcoming_active_and_completed(student_client, world, live_exam):
    now = timezone.now()
    upcoming = make_exam(world, opens_at=now + dt.timedelta(days=2), title="Physics final")
    closed = make_exam(world, opens_at=now - dt.timedelta(days=2), title="History final")
    response = student_client.get(reverse("attempts:exams"))
    exams = response.context["exams"]
    assert [r.exam for r in exams.upcoming] == [upcoming]
    assert [r.exam for r in exams.active] == [live_exam]
    assert [r.exam for r in exams.completed] == [closed]
    assert "Asia/Almaty" in response.content.decode()


def test_other_groups_exams_are_not_listed(client, other_student, live_exam):
    client.force_login(other_student)
    assert client.get(reverse("attempts:exams")).context["exams"].active == []
    assert client.get(reverse("attempts:exam", args=[live_exam.pk])).status_code == 404


def test_the_description_shows_the_rules_and_the_policy(student_client, live_exam):
    live_exam.timeout_policy = TimeoutPolicy.EMPTY
    live_exam.allowed_other = "A periodic table"
    live_exam.save()
    html = student_client.get(reverse("attempts:exam", args=[live_exam.pk])).content.decode()
    assert "90 min" in html
    assert "A periodic table" in html
    assert "at most 20 min in total" in html
    assert "that answer counts as empty" in html
    assert "You can answer the questions in any order." in html
    assert "Asia/Almaty" in html


def test_start_redirects_to_the_sitting(student_client, live_exam):
    response = student_client.post(reverse("attempts:exam", args=[live_exam.pk]))
    attempt = Attempt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("attempts:sitting", args=[attempt.pk])


def test_start_before_the_window_shows_why(student_client, world):
    exam = make_exam(world, opens_at=timezone.now() + dt.timedelta(hours=1))
    response = student_client.post(reverse("attempts:exam", args=[exam.pk]), follow=True)
    assert services.ERR_NOT_OPEN_YET in response.content.decode()
    assert not Attempt.objects.exists()


def test_the_sitting_page_gets_the_state_and_the_api_base(
    student_client, world, live_exam, sitting_template
):
    attempt = start(world, live_exam)
    response = student_client.get(reverse("attempts:sitting", args=[attempt.pk]))
    assert response.status_code == 200
    assert response.context["api_base"] == "/api/v1/attempts/"
    assert response.context["attempt"] == attempt
    state = json.loads(response.context["state_json"])
    assert state["id"] == attempt.pk
    assert len(state["questions"]) == 6
    assert response.context["finished_url"] == reverse("attempts:finished", args=[attempt.pk])


def test_the_state_json_is_safe_inside_a_script_tag(
    student_client, world, live_exam, sitting_template
):
    live_exam.title = "</script><script>alert(1)</script>"
    live_exam.save()
    attempt = start(world, live_exam)
    response = student_client.get(reverse("attempts:sitting", args=[attempt.pk]))
    assert "<script>alert" not in response.content.decode()
    assert json.loads(response.context["state_json"])["exam"]["title"] == live_exam.title


def test_another_students_sitting_is_not_found(client, world, live_exam, other_student):
    attempt = start(world, live_exam)
    client.force_login(other_student)
    assert client.get(reverse("attempts:sitting", args=[attempt.pk])).status_code == 404
    assert client.get(reverse("attempts:finished", args=[attempt.pk])).status_code == 404


def test_a_finished_sitting_shows_the_receipts(student_client, world, live_exam):
    attempt = start(world, live_exam)
    written = next(e["q"] for e in attempt.layout if e["kind"] == "written")
    result = services.answer_send(
        attempt_id=attempt.pk,
        student_user=world.student,
        question_id=written,
        content=doc("final"),
        base_version=0,
        key="s1",
    )
    services.attempt_finish(attempt_id=attempt.pk, student_user=world.student)
    sitting_url = reverse("attempts:sitting", args=[attempt.pk])
    assert student_client.get(sitting_url)["Location"] == reverse(
        "attempts:finished", args=[attempt.pk]
    )
    html = student_client.get(reverse("attempts:finished", args=[attempt.pk])).content.decode()
    assert result.receipt is not None and result.receipt.digest in html


def test_the_finished_page_of_a_running_sitting_sends_back_to_it(student_client, world, live_exam):
    attempt = start(world, live_exam)
    response = student_client.get(reverse("attempts:finished", args=[attempt.pk]))
    assert response["Location"] == reverse("attempts:sitting", args=[attempt.pk])


def test_a_sitting_past_its_deadline_is_locked_by_opening_it(student_client, world, live_exam):
    attempt = start(world, live_exam)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    response = student_client.get(reverse("attempts:finished", args=[attempt.pk]))
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.TIMED_OUT
