"""Bearer tokens for integrations: only the hash is kept, and use is recorded."""

from __future__ import annotations

import hashlib

from emtihan.accounts.models import ApiToken

MY_ROWS = "/api/v1/exam-forms/my-rows"


def get_rows(client, key: str):
    return client.get(MY_ROWS, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_token_authenticates_its_user(client, world):
    _token, key = ApiToken.issue(user=world.teacher, name="timetable sync")

    response = get_rows(client, key)

    assert response.status_code == 200, response.content
    assert {(r["discipline_code"], r["group_code"]) for r in response.json()} == {
        ("ALG", "IS-2301"),
        ("PHY", "IS-2301"),
        ("ALG", "IS-2302"),
    }


def test_each_token_acts_as_its_own_user(client, world):
    _token, key = ApiToken.issue(user=world.other_teacher, name="sync")

    rows = get_rows(client, key).json()

    assert {(r["discipline_code"], r["group_code"]) for r in rows} == {("ANAT1", "MED-2301")}


def test_an_unknown_token_is_refused(client, world):
    ApiToken.issue(user=world.teacher, name="sync")

    assert get_rows(client, "emt_not-a-real-token").status_code == 401


def test_a_missing_token_is_refused(client, world):
    assert client.get(MY_ROWS).status_code == 401


def test_the_token_of_a_disabled_user_is_refused(client, world):
    _token, key = ApiToken.issue(user=world.teacher, name="sync")
    world.teacher.is_active = False
    world.teacher.save()

    assert get_rows(client, key).status_code == 401


def test_a_deleted_token_stops_working(client, world):
    token, key = ApiToken.issue(user=world.teacher, name="sync")
    token.delete()

    assert get_rows(client, key).status_code == 401


def test_only_the_hash_is_stored(world):
    token, key = ApiToken.issue(user=world.teacher, name="sync")

    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {str(v) for v in stored.values()}
    assert stored["prefix"] == key[:8]
    assert key.startswith("emt_")
    assert len(key) > 40


def test_every_token_is_different(world):
    keys = {ApiToken.issue(user=world.teacher, name=f"t{i}")[1] for i in range(5)}
    assert len(keys) == 5


def test_use_is_recorded(client, world):
    token, key = ApiToken.issue(user=world.teacher, name="sync")
    assert token.last_used_at is None

    get_rows(client, key)

    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at >= token.created_at


def test_a_refused_token_records_nothing(client, world):
    token, _key = ApiToken.issue(user=world.teacher, name="sync")

    get_rows(client, "emt_wrong")

    token.refresh_from_db()
    assert token.last_used_at is None


def test_the_token_carries_no_session(client, world):
    _token, key = ApiToken.issue(user=world.teacher, name="sync")

    get_rows(client, key)

    # The API call did not log the browser in: a page still asks for a login.
    assert client.get("/").status_code == 302
