"""The exam page's API, through the session like the browser (docs/EXAM-SITTING.md)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from emtihan.attempts import services
from emtihan.attempts.models import AnswerVersion, Attempt
from emtihan.attempts.tests.conftest import doc
from emtihan.exams.models import QuestionKind

API = "/api/v1/attempts"


@pytest.fixture
def api(client, world):
    client.force_login(world.student)
    return client


@pytest.fixture
def state(api, live_exam) -> dict:
    response = api.post(f"{API}/start", {"exam_id": live_exam.pk}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def question(state, kind) -> dict:
    return next(q for q in state["questions"] if q["kind"] == kind)


def draft(api, state, content, *, base=0, key="k1", kind=QuestionKind.WRITTEN):
    q = question(state, kind)
    return api.put(
        f"{API}/{state['id']}/answers/{q['id']}/draft",
        {"content": content, "base_version": base, "key": key},
        content_type="application/json",
    )


def send(api, state, content, *, base=0, key="s1", kind=QuestionKind.WRITTEN):
    q = question(state, kind)
    return api.post(
        f"{API}/{state['id']}/answers/{q['id']}/send",
        {"content": content, "base_version": base, "key": key},
        content_type="application/json",
    )


def test_start_returns_the_attempt_state(state, live_exam):
    assert state["exam"]["id"] == live_exam.pk
    assert state["status"] == "in_progress"
    assert [q["number"] for q in state["questions"]] == [1, 2, 3, 4, 5, 6]
    single = question(state, QuestionKind.SINGLE)
    assert sorted(o["id"] for o in single["options"]) == ["a", "b", "c"]
    assert question(state, QuestionKind.TRUE_FALSE)["options"] == [
        {"id": "true", "html": "True"},
        {"id": "false", "html": "False"},
    ]
    assert question(state, QuestionKind.WRITTEN)["answer"] == {
        "question_id": question(state, QuestionKind.WRITTEN)["id"],
        "content": None,
        "draft_version": 0,
        "saved_at": None,
        "state": "empty",
        "receipt": None,
    }
    deadline = dt.datetime.fromisoformat(state["deadline"])
    started = dt.datetime.fromisoformat(state["started_at"])
    assert deadline - started == dt.timedelta(minutes=90)


def test_the_state_never_shows_the_correct_answers(api, state):
    body = api.get(f"{API}/{state['id']}").content.decode()
    for secret in ("fraction", "correct", "tolerance", '"answers"'):
        assert secret not in body


def test_start_again_returns_the_same_attempt(api, state, live_exam):
    again = api.post(f"{API}/start", {"exam_id": live_exam.pk}, content_type="application/json")
    assert again.json()["id"] == state["id"]
    assert again.json()["deadline"] == state["deadline"]


def test_start_refusals(client, other_student, live_exam, world):
    client.force_login(other_student)
    response = client.post(
        f"{API}/start", {"exam_id": live_exam.pk}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == services.ERR_NOT_YOUR_GROUP
    missing = client.post(f"{API}/start", {"exam_id": 999_999}, content_type="application/json")
    assert missing.status_code == 404


def test_draft_save_then_a_stale_save_gets_409_with_current(api, state):
    ok = draft(api, state, doc("one"))
    assert ok.status_code == 200
    assert ok.json()["draft_version"] == 1
    assert set(ok.json()) == {"draft_version", "saved_at", "server_time"}
    stale = draft(api, state, doc("other tab"), base=0, key="k2")
    assert stale.status_code == 409
    body = stale.json()
    assert body["detail"] == services.ERR_STALE
    assert body["current"]["content"] == doc("one")
    assert body["current"]["draft_version"] == 1
    assert body["current"]["state"] == "draft"


def test_a_retried_draft_is_acknowledged(api, state):
    first = draft(api, state, doc("one"), key="same")
    again = draft(api, state, doc("one"), key="same")
    assert again.status_code == 200
    assert again.json()["draft_version"] == first.json()["draft_version"] == 1


def test_invalid_content_is_400(api, state):
    response = draft(api, state, {"choice": "z"}, kind=QuestionKind.SINGLE)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "content": ["This option is not one of the question's options."]
    }


def test_send_returns_a_receipt(api, state):
    response = send(api, state, doc("final"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["receipt"]["version"] == 1
    assert len(body["receipt"]["digest"]) == 12
    assert body["draft_version"] == 1
    after = api.get(f"{API}/{state['id']}").json()
    assert question(after, QuestionKind.WRITTEN)["answer"]["state"] == "sent"
    assert question(after, QuestionKind.WRITTEN)["answer"]["receipt"] == body["receipt"]


def test_after_the_deadline_writes_get_410(api, state):
    draft(api, state, doc("typed in time"))
    Attempt.objects.filter(pk=state["id"]).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    late = draft(api, state, doc("late"), base=1, key="k2")
    assert late.status_code == 410
    assert late.json()["detail"] == "The time is over: this answer can no longer be changed."
    assert send(api, state, doc("late"), base=1, key="s2").status_code == 410
    beat = api.post(f"{API}/{state['id']}/heartbeat", {}, content_type="application/json")
    assert beat.status_code == 200 and beat.json()["status"] == "timed_out"
    assert AnswerVersion.objects.get().content == doc("typed in time")  # last_draft policy


def test_another_students_attempt_is_404(client, state, other_student):
    client.force_login(other_student)
    assert client.get(f"{API}/{state['id']}").status_code == 404
    response = client.post(f"{API}/{state['id']}/heartbeat", {}, content_type="application/json")
    assert response.status_code == 404


def test_anonymous_requests_are_401(state):
    assert Client().get(f"{API}/{state['id']}").status_code == 401


def test_writes_need_the_csrf_token(world, state):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.student)
    response = browser.post(f"{API}/{state['id']}/heartbeat", {}, content_type="application/json")
    assert response.status_code == 403


def test_heartbeat(api, state):
    response = api.post(f"{API}/{state['id']}/heartbeat", {}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "server_time",
        "deadline",
        "status",
        "absence_seconds",
        "absence_cap_seconds",
        "attempt_token",
    }
    assert body["status"] == "in_progress"
    assert body["absence_cap_seconds"] == 20 * 60


def test_finish_is_idempotent(api, state):
    first = api.post(f"{API}/{state['id']}/finish", {"key": "f1"}, content_type="application/json")
    again = api.post(f"{API}/{state['id']}/finish", {"key": "f1"}, content_type="application/json")
    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == again.json()["status"] == "finished"


def test_picture_upload(api, state, live_exam):
    live_exam.allow_pictures = True
    live_exam.save()
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "blue").save(out, format="PNG")
    response = api.post(
        f"{API}/{state['id']}/pictures", {"file": SimpleUploadedFile("p.png", out.getvalue())}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["src"] == f"/sitting/{state['id']}/pictures/{body['id']}/"
    assert (body["width"], body["height"]) == (20, 10)
    assert api.get(body["src"]).status_code == 200
