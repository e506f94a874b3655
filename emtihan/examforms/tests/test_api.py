"""The JSON API runs the same services with the same permissions."""

from __future__ import annotations

import json

import pytest

from emtihan.accounts.models import ApiToken
from emtihan.examforms import services
from emtihan.examforms.models import ExamFormChoice


def put_choice(client, payload, **headers):
    return client.put(
        "/api/v1/exam-forms/choices",
        data=json.dumps(payload),
        content_type="application/json",
        **headers,
    )


def payload(world, programme, **over):
    data = {"discipline_id": world.algebra.pk, "group_id": world.g1.pk, "platform": "UNIVER", "form": "ORAL",
            "additional_info": "Zoom", "programme_id": programme.pk}  # fmt: skip
    data.update(over)
    return data


def test_the_openapi_schema_is_published(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/exam-forms/choices" in schema["paths"]
    assert "/api/v1/exam-forms/choices/{choice_id}/approve" in schema["paths"]


def test_anonymous_requests_are_refused(client, world):
    assert client.get("/api/v1/exam-forms/my-rows").status_code == 401


def test_a_teacher_saves_through_the_api_with_a_token(client, world, programmes):
    _token, key = ApiToken.issue(user=world.teacher, name="integration")
    response = put_choice(
        client, payload(world, programmes["algebra"]), HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    rows = client.get("/api/v1/exam-forms/my-rows", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert {(r["discipline_code"], r["group_code"]) for r in rows} == {
        ("ALG", "IS-2301"),
        ("PHY", "IS-2301"),
        ("ALG", "IS-2302"),
    }


def test_validation_errors_come_back_per_field(client, world, programmes):
    client.force_login(world.teacher)
    response = put_choice(client, payload(world, programmes["physics"], additional_info=""))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["additional_info"] == [services.ERR_INFO_VIDEO]
    assert errors["programme"] == [services.ERR_PROGRAMME_WRONG]


def test_a_teacher_of_another_discipline_gets_403(client, world, programmes):
    client.force_login(world.other_teacher)
    assert put_choice(client, payload(world, programmes["algebra"])).status_code == 403


def test_the_review_cycle_over_the_api(client, world, programmes):
    client.force_login(world.teacher)
    choice_id = put_choice(client, payload(world, programmes["algebra"])).json()["id"]
    client.force_login(world.other_head)
    url = f"/api/v1/exam-forms/choices/{choice_id}/approve"
    body = json.dumps({"expected_revision": 1})
    assert client.post(url, data=body, content_type="application/json").status_code == 403
    client.force_login(world.head)
    ret = client.post(f"/api/v1/exam-forms/choices/{choice_id}/return", data=json.dumps({"expected_revision": 1}),
                      content_type="application/json")  # fmt: skip
    assert ret.status_code == 400 and "comment" in ret.json()["errors"]
    ok = client.post(url, data=body, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    client.force_login(world.teacher)
    again = put_choice(client, payload(world, programmes["algebra"], expected_revision=1))
    assert again.status_code == 409 and again.json()["detail"] == services.ERR_NOT_EDITABLE
    history = client.get(f"/api/v1/exam-forms/choices/{choice_id}/history").json()
    assert [h["to_status"] for h in history] == ["submitted", "approved"]


def test_options_follow_the_rule_table(client, world):
    client.force_login(world.teacher)
    options = client.get(
        "/api/v1/exam-forms/options",
        {"discipline_id": world.algebra.pk, "platform": "MOODLE", "form": "WRITTEN"},
    ).json()
    assert "STARTEXAM" not in options["platforms"]
    assert options["types"] == ["PROJECT", "CASE", "ESSAY", "CREATIVE"]
    assert len(client.get("/api/v1/exam-forms/rules").json()) == 14


@pytest.mark.parametrize("persona", ["student", "outsider", "teacher"])
def test_only_heads_list_the_review(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get("/api/v1/exam-forms/review").status_code == 403


def test_choice_details_are_hidden_from_unrelated_users(client, world, programmes):
    client.force_login(world.teacher)
    choice_id = put_choice(client, payload(world, programmes["algebra"])).json()["id"]
    client.force_login(world.student)
    assert client.get(f"/api/v1/exam-forms/choices/{choice_id}").status_code == 404
    client.force_login(world.head)
    assert client.get(f"/api/v1/exam-forms/choices/{choice_id}").status_code == 200
    assert ExamFormChoice.objects.count() == 1
