"""The exams API runs the same services with the same permissions as the pages."""

from __future__ import annotations

import json

import pytest

from emtihan.accounts.models import ApiToken
from emtihan.exams import services
from emtihan.exams.models import Exam, ExamStatus, Question

from .conftest import FIXTURES, SPECS, add_question, window

BASE = "/api/v1/exams/"


class Api:
    def __init__(self, client, key: str) -> None:
        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, path: str):
        return self.client.get(BASE + path, **self.auth)

    def send(self, method: str, path: str, payload=None):
        return getattr(self.client, method)(
            BASE + path,
            data=json.dumps(payload or {}),
            content_type="application/json",
            **self.auth,
        )


def api_for(client, user) -> Api:
    _token, key = ApiToken.issue(user=user, name="test")
    return Api(client, key)


@pytest.fixture
def api(client, world):
    return api_for(client, world.teacher)


def create_payload(choice, **over):
    opens, closes = window()
    data = {
        "choice_id": choice.pk,
        "title": "Algebra final",
        "opens_at": opens.isoformat(),
        "closes_at": closes.isoformat(),
        "duration_minutes": 90,
    }
    data.update(over)
    return data


def test_the_paths_are_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/", "/choices", "/{exam_id}", "/{exam_id}/questions", "/{exam_id}/import"):
        assert "/api/v1/exams" + path in paths


def test_anonymous_requests_are_refused(client, db):
    assert client.get(BASE).status_code == 401


def test_create_list_and_get(api, world, choice):
    assert [c["id"] for c in api.get("choices").json()] == [choice.pk]
    response = api.send("post", "", create_payload(choice, absence_cap_minutes=30))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["absence_cap_minutes"] == 30
    assert body["group_code"] == "IS-2301"
    assert body["warnings"] == []
    assert api.get("choices").json() == []
    assert [e["id"] for e in api.get("").json()] == [body["id"]]
    detail = api.get(f"{body['id']}").json()
    assert detail["questions"] == [] and detail["pools"] == []
    assert detail["publish_problems"] == [services.ERR_NO_QUESTIONS]


def test_create_errors(api, world, choice):
    opens, _closes = window()
    response = api.send(
        "post", "", create_payload(choice, closes_at=opens.isoformat(), opens_at=opens.isoformat())
    )
    assert response.status_code == 400
    assert response.json()["errors"]["closes_at"] == [services.ERR_WINDOW_ORDER]
    assert api.send("post", "", create_payload(choice, choice_id=999999)).status_code == 404
    other = api_for(api.client, world.other_teacher)
    response = other.send("post", "", create_payload(choice))
    assert response.status_code == 403
    assert response.json()["detail"] == services.ERR_NOT_YOUR_EXAM
    api.send("post", "", create_payload(choice))
    response = api.send("post", "", create_payload(choice))
    assert response.status_code == 409
    assert response.json()["detail"] == services.ERR_EXAM_EXISTS


def test_patch_and_publish(api, world, exam):
    response = api.send("patch", f"{exam.pk}", {"duration_minutes": 600})
    assert response.status_code == 200
    assert response.json()["duration_minutes"] == 600
    assert response.json()["warnings"][0].startswith("The duration (600 min) is longer")
    assert api.send("post", f"{exam.pk}/publish").status_code == 400
    add_question(world, exam)
    response = api.send("post", f"{exam.pk}/publish")
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert api.send("post", f"{exam.pk}/unpublish").json()["status"] == "draft"


def test_questions_through_the_api(api, world, exam):
    pool = services.pool_create(actor=world.teacher, exam=exam, name="P", pick=1)
    response = api.send(
        "post",
        f"{exam.pk}/questions",
        {"kind": "single", "body": "<p>Q<script>x</script></p>", "spec": SPECS["single"], "pool_id": pool.pk, "points": "1.5"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["body"] == "<p>Q</p>"
    assert created["pool_id"] == pool.pk
    assert created["points"] == "1.50"
    response = api.send(
        "post", f"{exam.pk}/questions", {"kind": "single", "body": "<p>Q</p>", "spec": {}}
    )
    assert response.status_code == 400
    assert "spec" in response.json()["errors"]
    response = api.send(
        "put",
        f"{exam.pk}/questions/{created['id']}",
        {"kind": "true_false", "body": "<p>T?</p>", "spec": {"correct": False}},
    )
    assert response.status_code == 200 and response.json()["spec"] == {"correct": False}
    assert [q["id"] for q in api.get(f"{exam.pk}/questions").json()] == [created["id"]]
    assert api.send("delete", f"{exam.pk}/questions/{created['id']}").status_code == 204
    assert not Question.objects.exists()
    response = api.send("post", f"{exam.pk}/pools", {"name": "Q", "pick": 2})
    assert response.status_code == 201 and response.json()["pick"] == 2


def test_import_through_the_api(api, exam):
    with open(FIXTURES / "moodle" / "truefalse.xml", "rb") as handle:
        response = api.client.post(
            f"{BASE}{exam.pk}/import", {"file": handle, "fmt": "moodle_xml"}, **api.auth
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] and body["imported"] == 2 and body["format"] == "moodle_xml"
    assert [q["kind"] for q in body["questions"]] == ["true_false", "true_false"]
    with open(FIXTURES / "moodle" / "error_invalid_grades.xml", "rb") as handle:
        response = api.client.post(f"{BASE}{exam.pk}/import", {"file": handle}, **api.auth)
    body = response.json()
    assert response.status_code == 200
    assert not body["ok"] and body["imported"] == 0
    assert body["errors"][0]["index"] == 1
    assert exam.questions.count() == 2
    response = api.client.post(f"{BASE}{exam.pk}/import", {}, **api.auth)
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == [services.ERR_IMPORT_EMPTY]


def test_other_peoples_exams_are_404(client, world, exam):
    other = api_for(client, world.other_teacher)
    assert other.get(f"{exam.pk}").status_code == 404
    assert other.get(f"{exam.pk}/questions").status_code == 404
    assert other.send("patch", f"{exam.pk}", {"title": "Mine"}).status_code == 404
    assert other.send("post", f"{exam.pk}/publish").status_code == 404
    assert other.get("").json() == []
    staff = api_for(client, world.registrar)
    assert staff.get(f"{exam.pk}").status_code == 200


def test_students_never_see_specs_here(client, world, exam):
    add_question(world, exam)
    Exam.objects.filter(pk=exam.pk).update(status=ExamStatus.PUBLISHED)
    student = api_for(client, world.student)
    assert student.get(f"{exam.pk}/questions").status_code == 404
