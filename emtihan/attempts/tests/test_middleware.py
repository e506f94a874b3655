"""AttemptTokenMiddleware: the exam page's answer writes authenticated by their sitting
token instead of the session, with the CSRF check and the ownership rule unchanged."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.utils import translation

from emtihan.attempts import services
from emtihan.attempts.models import Answer
from emtihan.attempts.services.rules import ERR_ATTEMPT_NOT_FOUND, ERR_STALE
from emtihan.attempts.tests.conftest import doc
from emtihan.attempts.tokens import token_issue
from emtihan.exams.models import QuestionKind
from emtihan.university.models import Student

API = "/api/v1/attempts"


@pytest.fixture
def state(client, world, live_exam) -> dict:
    client.force_login(world.student)
    response = client.post(
        f"{API}/start", {"exam_id": live_exam.pk}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def written(state) -> int:
    return next(q["id"] for q in state["questions"] if q["kind"] == QuestionKind.WRITTEN)


def save(client, state, *, token, base=0, key="k1", text="typed"):
    return client.put(
        f"{API}/{state['id']}/answers/{written(state)}/draft",
        {"content": doc(text), "base_version": base, "key": key},
        content_type="application/json",
        HTTP_X_ATTEMPT_TOKEN=token,
    )


def test_start_resume_and_heartbeat_hand_out_a_token(client, state):
    assert state["attempt_token"]
    resumed = client.get(f"{API}/{state['id']}").json()
    beat = client.post(f"{API}/{state['id']}/heartbeat", {}, content_type="application/json")
    assert resumed["attempt_token"] and beat.json()["attempt_token"]


def test_the_exam_page_carries_a_token(client, state):
    page = client.get(f"/sitting/{state['id']}/")
    assert page.status_code == 200
    assert b'"attempt_token": "' in page.content


def test_a_token_saves_without_a_session(state, django_assert_num_queries):
    stranger = Client()  # no session cookie: the token alone
    assert save(stranger, state, token=state["attempt_token"]).status_code == 200
    # the steady save: the one checked UPDATE, no session and no user read
    with django_assert_num_queries(1):
        response = save(stranger, state, token=state["attempt_token"], base=1, key="k2")
    assert response.status_code == 200, response.content
    answer = Answer.objects.get(attempt_id=state["id"], question_id=written(state))
    assert (answer.draft_version, answer.last_request_key) == (2, "d:k2")


def test_a_token_sends_an_answer(state):
    stranger = Client()
    response = stranger.post(
        f"{API}/{state['id']}/answers/{written(state)}/send",
        {"content": doc("final"), "base_version": 0, "key": "s1"},
        content_type="application/json",
        HTTP_X_ATTEMPT_TOKEN=state["attempt_token"],
    )
    assert response.status_code == 200, response.content
    assert response.json()["receipt"]["version"] == 1


def test_a_bad_token_falls_back_to_the_session(client, state):
    assert save(client, state, token="not-a-token").status_code == 200
    assert save(Client(), state, token="not-a-token").status_code == 401


def test_a_young_tokens_heartbeat_keeps_that_token(state, django_assert_num_queries):
    stranger = Client()  # no session: the token alone
    with django_assert_num_queries(1):  # the attempt's read; no session, no user
        beat = stranger.post(
            f"{API}/{state['id']}/heartbeat",
            {},
            content_type="application/json",
            HTTP_X_ATTEMPT_TOKEN=state["attempt_token"],
        )
    assert beat.status_code == 200, beat.content
    assert beat.json()["status"] == "in_progress"
    assert beat.json()["attempt_token"] == state["attempt_token"]  # never renews itself
    assert not beat.cookies


def test_an_older_tokens_heartbeat_goes_by_the_session_and_renews_it(
    client, state, settings, monkeypatch
):
    settings.ATTEMPT_TOKEN_RENEW_SECONDS = 60
    later = time.time() + 61
    monkeypatch.setattr(signing.time, "time", lambda: later)

    def beat(who):
        return who.post(
            f"{API}/{state['id']}/heartbeat",
            {},
            content_type="application/json",
            HTTP_X_ATTEMPT_TOKEN=state["attempt_token"],
        )

    assert beat(Client()).status_code == 401  # too old for the heartbeat, and no session
    renewed = beat(client).json()["attempt_token"]
    assert renewed != state["attempt_token"]
    # the old token still writes until it expires (ATTEMPT_TOKEN_SECONDS)
    assert save(Client(), state, token=state["attempt_token"]).status_code == 200


def test_a_token_does_not_open_other_endpoints(state):
    stranger = Client()
    for method, path in [
        ("get", f"{API}/{state['id']}"),
        ("post", f"{API}/{state['id']}/finish"),
    ]:
        response = getattr(stranger, method)(
            path, {}, content_type="application/json", HTTP_X_ATTEMPT_TOKEN=state["attempt_token"]
        )
        assert response.status_code == 401, path


def test_a_token_for_another_attempt_is_ignored(state, live_exam, other_student):
    Student.objects.filter(user=other_student).update(group=live_exam.choice.group)
    theirs = services.attempt_start(student_user=other_student, exam_id=live_exam.pk)
    token = token_issue(attempt_id=theirs.pk, user=other_student)
    # their token on my attempt's path: not valid there, and there is no session
    assert save(Client(), state, token=token).status_code == 401


def test_the_ownership_rule_still_holds(state, other_student):
    # a token that names someone else's attempt (it could only be forged with the
    # SECRET_KEY): the write still finds no attempt of theirs
    forged = token_issue(attempt_id=state["id"], user=other_student)
    response = save(Client(), state, token=forged)
    assert response.status_code == 404
    assert response.json()["detail"] == str(ERR_ATTEMPT_NOT_FOUND)


def test_the_csrf_check_still_applies(state):
    strict = Client(enforce_csrf_checks=True)
    refused = save(strict, state, token=state["attempt_token"])
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    secret = "a" * 32  # a CSRF cookie and the same value in the header: as the page sends
    strict.cookies["csrftoken"] = secret
    accepted = strict.put(
        f"{API}/{state['id']}/answers/{written(state)}/draft",
        {"content": doc("typed"), "base_version": 0, "key": "k1"},
        content_type="application/json",
        HTTP_X_ATTEMPT_TOKEN=state["attempt_token"],
        HTTP_X_CSRFTOKEN=secret,
    )
    assert accepted.status_code == 200, accepted.content


def test_a_finished_attempt_refuses_the_token(client, state):
    client.post(f"{API}/{state['id']}/finish", {"key": "f"}, content_type="application/json")
    assert save(Client(), state, token=state["attempt_token"]).status_code == 410


@pytest.fixture
def russian_state(client, world, live_exam) -> dict:
    """The start's state for a student whose saved language is Russian."""
    world.student.language = "ru"
    world.student.save(update_fields=["language"])
    client.force_login(world.student)
    return client.post(
        f"{API}/start", {"exam_id": live_exam.pk}, content_type="application/json"
    ).json()


def test_the_token_carries_the_students_language(russian_state):
    state = russian_state
    stranger = Client()
    assert save(stranger, state, token=state["attempt_token"]).status_code == 200
    stale = save(stranger, state, token=state["attempt_token"], base=0, key="k9", text="other")
    assert stale.status_code == 409
    with translation.override("ru"):
        expected = translation.gettext(ERR_STALE)
    assert expected != ERR_STALE  # the message has a Russian translation
    assert stale.json()["detail"] == expected


def test_a_token_request_gets_the_same_response_headers(client, state):
    by_session = save(client, state, token="", key="k1")
    by_token = save(Client(), state, token=state["attempt_token"], base=1, key="k2")

    assert (by_session.status_code, by_token.status_code) == (200, 200)
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Content-Length",
    ):
        assert header in by_token.headers, header
        if header != "Content-Length":
            assert by_token.headers[header] == by_session.headers[header], header
    assert not by_token.cookies  # no session was read or written


def test_the_devices_language_cookie_wins_over_the_tokens(russian_state):
    state = russian_state
    device = Client()
    device.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"  # picked on this device
    assert save(device, state, token=state["attempt_token"]).status_code == 200

    with translation.override("en"):
        stale = save(device, state, token=state["attempt_token"], base=0, key="k9", text="x")
        assert translation.get_language() == "en"  # the request's language did not leak

    with translation.override("kk"):
        expected = translation.gettext(ERR_STALE)
    assert expected != ERR_STALE
    assert (stale.status_code, stale.json()["detail"]) == (409, expected)
