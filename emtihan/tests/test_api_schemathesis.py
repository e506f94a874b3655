"""schemathesis over the whole JSON API, as every role: no 5xx and no answer the schema
does not describe (status code, content type, body).

Each role calls every operation with its own API token, with data generated from
``/api/v1/openapi.json``: valid input (within the documented limits) and invalid input
(which must get a 4xx). Small on purpose (a few examples per operation, a fixed seed, no
example database) so that CI stays fast and every run tries the same requests.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from emtihan.accounts.models import ApiToken, Role
from emtihan.attempts import services as attempt_services
from emtihan.attempts.tests.conftest import make_exam
from emtihan.conftest import make_user

ROLES = ["student", "teacher", "head", "proctor", "grader", "registrar"]
EXAMPLES = 3
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db):
    """The schema, read from the application, which schemathesis then calls in-process.

    As Django's test client does, the database connection is not closed around each
    request: the test's transaction (and its data) must survive them."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def people(world):
    """One person per role, with a started attempt, an exam and exam-form rows to find."""
    exam = make_exam(world, opens_at=timezone.now() - dt.timedelta(minutes=10))
    attempt = attempt_services.attempt_start(student_user=world.student, exam_id=exam.pk)
    people = {
        "student": world.student,
        "teacher": world.teacher,
        "head": world.head,
        "proctor": make_user("proctor@test.local", Role.PROCTOR),
        "grader": make_user("grader@test.local", Role.GRADER),
        "registrar": world.registrar,
    }
    # Ids of real objects: the second pass calls every operation on them, so the answers
    # include the objects themselves (200s), not only "not found".
    people["ids"] = {
        "attempt_id": attempt.pk,
        "question_id": attempt.layout[0]["q"],
        "exam_id": exam.pk,
        "choice_id": exam.choice_id,
        "discipline_id": world.algebra.pk,
    }
    return people


def run_operation(
    operation,
    mode: GenerationMode,
    headers: dict[str, str],
    statuses: list[int],
    path_parameters: dict[str, int] | None = None,
) -> list[str]:
    failures: list[str] = []
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        response = case.call(headers=headers)
        statuses.append(response.status_code)
        checks = [*CHECKS, negative_data_rejection] if mode == GenerationMode.NEGATIVE else CHECKS
        try:
            case.validate_response(response, checks=checks)
        except (AssertionError, FailureGroup) as exc:
            failures.append(f"{case.method} {case.formatted_path} ({mode.value}): {exc}")

    call()
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented(api_schema, people, role):
    _token, key = ApiToken.issue(user=people[role], name="schemathesis")
    headers = {"Authorization": f"Bearer {key}"}
    failures: list[str] = []
    statuses: list[int] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += run_operation(operation, mode, headers, statuses)
        known = {k: v for k, v in people["ids"].items() if "{" + k + "}" in operation.path}
        if known:
            failures += run_operation(operation, GenerationMode.POSITIVE, headers, statuses, known)

    assert not failures, f"{len(failures)} failures as {role}:\n" + "\n\n".join(failures)
    # It did reach the application: answers of every kind, not only refusals.
    assert len(statuses) >= len(operations) * 2
    assert any(200 <= s < 300 for s in statuses)
    assert 422 in statuses
