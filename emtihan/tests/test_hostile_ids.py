"""Every id a request carries, out of range or not a number, gets a 4xx and never a 500.

Ids are 64-bit integers in the database; 2**63 and 2**64 used to reach a query and fail
there (SQLite: OverflowError; PostgreSQL: bigint out of range). The rule lives in one
place (``emtihan.core.ids``); this battery walks every page route and every API
operation, so a route added later without it fails here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from emtihan.accounts.models import ApiToken
from emtihan.attempts import services as attempt_services
from emtihan.attempts.tests.conftest import make_exam
from emtihan.core.ids import IdConverter
from emtihan.examforms.models import ExamFormChoice
from emtihan.exams.models import QuestionPool

# In a path or query string (" 1" and the full-width "１" are numbers to int() but not ids).
HOSTILE = [str(2**63), str(2**64), "-1", "abc", "0x10", "1e3"]
HOSTILE_IN_PATHS = [*HOSTILE, " 1", "１"]
HOSTILE_NUMBERS: list[Any] = [2**63, 2**64, -1, "abc", 1.5]  # in a JSON body


def _routes(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, Any]]:
    """``(route, pattern)`` of every page route of the project (not the admin's, not the
    API's: the API is checked through its schema below)."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        route = prefix + (str(pattern) if isinstance(pattern, RoutePattern) else "")
        if isinstance(entry, URLResolver):
            if route.startswith(("admin/", "api/")):
                continue
            found += _routes(entry, route)
        elif isinstance(entry, URLPattern):
            found.append((route, entry))
    return found


def test_no_page_route_takes_a_bare_int():
    """``<int:...>`` matches any number of digits; ``<id:...>`` only what fits."""
    with_ids = 0
    for route, entry in _routes():
        converters = entry.pattern.converters
        assert not any(isinstance(c, IntConverter) for c in converters.values()), route
        with_ids += any(isinstance(c, IdConverter) for c in converters.values())
    assert with_ids >= 20  # the routes with ids are found at all


@pytest.fixture
def scene(world):
    """An exam of the teacher's with a pool, a student's attempt, a choice to review."""
    exam = make_exam(world, opens_at=timezone.now() - dt.timedelta(minutes=30))
    QuestionPool.objects.create(exam=exam, name="Pool", pick=0, order=99)
    attempt = attempt_services.attempt_start(student_user=world.student, exam_id=exam.pk)
    return {"exam": exam, "attempt": attempt, "choice": ExamFormChoice.objects.get()}


def _personas(world):
    return [world.teacher, world.student, world.head, world.registrar, world.outsider]


@pytest.mark.django_db
def test_every_page_route_answers_hostile_ids_with_404(world, scene):
    routes = [
        (route, entry)
        for route, entry in _routes()
        if any(isinstance(c, IdConverter) for c in entry.pattern.converters.values())
    ]
    for user in _personas(world):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for route, _entry in routes:
            for value in HOSTILE_IN_PATHS:
                url = "/" + re.sub(r"<id:\w+>", quote(value), route)
                url = url.replace("<str:kind>", "written")
                for method in (client.get, client.post):
                    response = method(url)
                    assert response.status_code == 404, (user, method.__name__, url)


@pytest.mark.django_db
def test_review_revision_and_bulk_review_items_must_be_numbers(world, scene):
    choice = scene["choice"]
    before = (choice.status, choice.revision)
    client = Client(raise_request_exception=False)
    client.force_login(world.head)
    for value in ["abc", str(2**63), "-1", "1.5"]:
        response = client.post(
            f"/exam-forms/review/{choice.pk}/", {"action": "approve", "revision": value}
        )
        assert response.status_code == 400, value
    for value in [f"{2**63}:1", f"{2**64}:0", f"{choice.pk}:{2**63}", "abc:1", "-1:0", "1"]:
        response = client.post(
            "/exam-forms/review/bulk/", {"selected": [value], "decision": "approve"}
        )
        assert response.status_code == 400, value
    choice.refresh_from_db()
    assert (choice.status, choice.revision) == before  # nothing was decided


@pytest.mark.django_db
def test_export_scope_with_a_hostile_id_is_refused(world, scene):
    client = Client(raise_request_exception=False)
    client.force_login(world.registrar)
    for kind in ("faculty", "department"):
        for value in HOSTILE:
            response = client.get("/exam-forms/export/", {"scope": f"{kind}:{value}"})
            assert 400 <= response.status_code < 500, (kind, value)
    assert (
        client.get("/exam-forms/export/", {"scope": f"faculty:{world.it_faculty.pk}"}).status_code
        == 200
    )


# --- the API, through its own schema ---------------------------------------------------------


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _types(node: dict) -> set[str]:
    options = node.get("anyOf") or [node]
    return {option.get("type", "") for option in options}


def _sample(schema: dict, node: dict) -> Any:
    """A plausible value of a schema node (the battery then breaks one integer at a time)."""
    node = _resolve(schema, node)
    if "default" in node:
        return node["default"]
    types = _types(node)
    if "integer" in types:
        return 1
    if "number" in types:
        return 1
    if "boolean" in types:
        return True
    if "array" in types:
        return []
    if "object" in types:
        return {name: _sample(schema, prop) for name, prop in node.get("properties", {}).items()}
    return "x"


def _integer_fields(schema: dict, body: dict) -> list[str]:
    names = []
    for name, prop in body.get("properties", {}).items():
        prop = _resolve(schema, prop)
        if "integer" in _types(prop):
            names.append(name)
    return names


def _api_calls(schema: dict, ids: dict[str, int]):
    """``(method, url, body, query, id_like)`` for every hostile value in every integer a
    path, query or JSON body of the API takes; ``id_like``: the value names an object."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            params = operation.get("parameters", [])
            path_values = {p["name"]: ids.get(p["name"], 1) for p in params if p["in"] == "path"}
            query_ints = [
                p["name"]
                for p in params
                if p["in"] == "query" and "integer" in _types(_resolve(schema, p["schema"]))
            ]
            query = {name: ids.get(name, 1) for name in query_ints}
            content = operation.get("requestBody", {}).get("content", {})
            body_schema = _resolve(schema, content.get("application/json", {}).get("schema", {}))
            body = _sample(schema, body_schema) if body_schema else None
            multipart = "multipart/form-data" in content

            def url(values: dict[str, Any], path: str = path) -> str:
                return re.sub(r"\{(\w+)\}", lambda m: quote(str(values[m.group(1)])), path)

            for name in path_values:
                for value in HOSTILE:
                    yield method, url({**path_values, name: value}), body, query, True, multipart
            for name in query_ints:
                for value in HOSTILE:
                    yield method, url(path_values), body, {**query, name: value}, True, multipart
            if isinstance(body, dict):
                for name in _integer_fields(schema, body_schema):
                    for value in HOSTILE_NUMBERS:
                        hostile = {**body, name: value}
                        yield method, url(path_values), hostile, query, name.endswith("_id"), False
            if isinstance(body, dict) and "items" in body:  # the bulk decision's (id, revision)
                for pair in ([2**63, 1], [1, 2**63], [-1, 0], [2**64, 2**64]):
                    yield method, url(path_values), {**body, "items": [pair]}, query, True, False


@pytest.mark.django_db
def test_every_api_operation_answers_hostile_ids_with_4xx(world, scene):
    schema = Client().get("/api/v1/openapi.json").json()
    ids = {
        "exam_id": scene["exam"].pk,
        "attempt_id": scene["attempt"].pk,
        "question_id": scene["exam"].questions.first().pk,
        "choice_id": scene["choice"].pk,
        "discipline_id": world.algebra.pk,
    }
    calls = list(_api_calls(schema, ids))
    assert len(calls) > 200  # the schema was walked
    for user in (world.teacher, world.student, world.head):
        _token, key = ApiToken.issue(user=user, name="battery")
        client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {key}")
        for method, url, body, query, id_like, multipart in calls:
            target = url
            if query:
                target += "?" + urlencode(query)
            if method == "get":
                response = client.get(target)
            elif multipart:
                response = getattr(client, method)(target, data={})
            else:
                response = getattr(client, method)(
                    target, data=json.dumps(body or {}), content_type="application/json"
                )
            where = (user, method, target, body)
            assert response.status_code < 500, where
            if id_like:
                assert 400 <= response.status_code < 500, where
