"""The sitting token (attempts/tokens.py): what it carries, and everything it refuses."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.test import override_settings

from emtihan.attempts.tokens import TOKEN_PATHS, token_for_path, token_issue, token_read


@pytest.fixture
def student(world):
    world.student.language = "kk"
    world.student.time_zone = "Asia/Almaty"
    return world.student


def test_a_token_names_its_attempt_user_language_and_zone(student):
    grant = token_read(token_issue(attempt_id=7, user=student), attempt_id=7)
    assert grant is not None
    assert (grant.attempt_id, grant.user_id, grant.language, grant.time_zone) == (
        7,
        student.pk,
        "kk",
        "Asia/Almaty",
    )


def test_the_grants_user_reads_nothing_until_asked(student, django_assert_num_queries):
    grant = token_read(token_issue(attempt_id=7, user=student), attempt_id=7)
    assert grant is not None
    with django_assert_num_queries(0):
        user = grant.user()
        assert (user.pk, user.is_active, user.is_authenticated) == (student.pk, True, True)
    with django_assert_num_queries(1):  # a deferred field loads from the database
        assert user.email == student.email


def test_a_token_is_refused_for_another_attempt(student):
    assert token_read(token_issue(attempt_id=7, user=student), attempt_id=8) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # the signature
        lambda t: "x" + t,  # the payload
        lambda t: "",
        lambda t: "garbage",
        lambda t: t + ":" + "A" * 400,  # longer than any token
    ],
)
def test_a_changed_token_is_refused(student, change):
    assert token_read(change(token_issue(attempt_id=7, user=student)), attempt_id=7) is None


def test_a_token_signed_for_something_else_is_refused(student):
    other = signing.TimestampSigner(salt="another purpose").sign_object({"a": 7, "u": student.pk})
    assert token_read(other, attempt_id=7) is None


@override_settings(ATTEMPT_TOKEN_SECONDS=300)
def test_a_token_expires(student, monkeypatch):
    token = token_issue(attempt_id=7, user=student)
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 299)
    assert token_read(token, attempt_id=7) is not None
    monkeypatch.setattr(signing.time, "time", lambda: now + 301)
    assert token_read(token, attempt_id=7) is None


@pytest.mark.parametrize(
    ("path", "served"),
    [
        ("/api/v1/attempts/5/answers/9/draft", True),
        ("/api/v1/attempts/5/answers/9/send", True),
        ("/api/v1/attempts/5/pictures", True),
        ("/api/v1/proctoring/attempts/5/snapshots", True),
        ("/api/v1/proctoring/attempts/5/events", True),
        ("/api/v1/proctoring/attempts/5/detections", True),
        ("/api/v1/proctoring/attempts/5/clips", True),
        ("/api/v1/proctoring/exams/5/consent", False),
        ("/api/v1/proctoring/identity-checks/5/frames", False),
        ("/api/v1/attempts/5/heartbeat", True),  # while young: token_for_path
        ("/api/v1/attempts/5", False),
        ("/api/v1/attempts/start", False),
        ("/api/v1/attempts/5/finish", False),
        ("/api/v1/attempts/5/answers/9/draft/", False),
        ("/api/v1/exam-forms/5/answers/9/draft", False),
    ],
)
def test_the_paths_a_token_serves(path, served):
    assert bool(TOKEN_PATHS.match(path)) is served


@override_settings(ATTEMPT_TOKEN_SECONDS=300, ATTEMPT_TOKEN_RENEW_SECONDS=150)
def test_the_heartbeat_takes_only_a_young_token(student, monkeypatch):
    token = token_issue(attempt_id=7, user=student)
    now = time.time()
    beat, draft = "/api/v1/attempts/7/heartbeat", "/api/v1/attempts/7/answers/9/draft"
    monkeypatch.setattr(signing.time, "time", lambda: now + 149)
    assert token_for_path(token, beat) is not None
    monkeypatch.setattr(signing.time, "time", lambda: now + 151)
    # too old for the heartbeat, which must then go by the session and renew it; the
    # answer writes still take it until it expires
    assert token_for_path(token, beat) is None
    assert token_for_path(token, draft) is not None
    assert token_for_path(token, "/api/v1/attempts/8/heartbeat") is None  # another attempt
    assert token_for_path(token, "/api/v1/attempts/7/finish") is None


@override_settings(ATTEMPT_TOKEN_RENEW_SECONDS=0)
def test_a_renewal_age_of_zero_sends_every_heartbeat_to_the_session(student):
    token = token_issue(attempt_id=7, user=student)
    assert token_for_path(token, "/api/v1/attempts/7/heartbeat") is None
    assert token_for_path(token, "/api/v1/attempts/7/answers/9/send") is not None
