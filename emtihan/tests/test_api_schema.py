"""The OpenAPI document (/api/v1/openapi.json) is true to the code: one schema per name,
the error answers each operation can give, and the limits the services enforce."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from ninja import Schema

from emtihan.api import api
from emtihan.attempts.models import REQUEST_KEY_MAX_LENGTH
from emtihan.examforms.models import ExamForm, Platform
from emtihan.examforms.services import INFO_MAX_LENGTH
from emtihan.exams.models import QuestionKind, TimeoutPolicy
from emtihan.exams.services.rules import (
    IMPORT_FORMATS,
    MAX_ABSENCE_CAP_MINUTES,
    MAX_DURATION_MINUTES,
)
from emtihan.umkd.models import Section

# As served: JSON, whose object keys (the status codes) are strings.
SCHEMA = json.loads(json.dumps(api.get_openapi_schema(), default=str))
COMPONENTS = SCHEMA["components"]["schemas"]
OPERATIONS = [
    (f"{method.upper()} {path}", operation)
    for path, methods in SCHEMA["paths"].items()
    for method, operation in methods.items()
]


def all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *all_subclasses(sub)]
    return found


def test_no_two_api_schemas_share_a_name():
    # ninja names a component after its class: two classes of one name would shadow each
    # other in the document, and one router's operations would describe the other's body.
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in all_subclasses(Schema):
        if cls.__module__.startswith("emtihan.") and ".tests." not in cls.__module__:
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")

    shared = {name: places for name, places in by_name.items() if len(places) > 1}
    assert shared == {}


def test_every_component_is_the_class_of_its_name():
    classes = {c.__name__: c for c in all_subclasses(Schema) if c.__module__.startswith("emtihan.")}
    for name, component in COMPONENTS.items():
        if name in classes:
            assert set(component.get("properties", {})) == set(classes[name].model_fields), name


@pytest.mark.parametrize(("label", "operation"), OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_every_operation_documents_its_error_answers(label, operation):
    responses = operation["responses"]
    parameters = operation.get("parameters", [])
    assert "401" in responses  # every operation needs a token or a session
    # Input that can fail to match: a body, a required parameter or one that is not free text.
    checked = [p for p in parameters if p.get("required") or p["schema"].get("type") != "string"]
    if checked or "requestBody" in operation:
        assert responses["422"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ValidationErrorOut"
        }
    if any(p["in"] == "path" for p in parameters):
        assert "404" in responses
    for code, response in responses.items():
        if code.startswith("4"):
            assert "content" in response, f"{label} {code} has no body schema"


def prop(component: str, field: str) -> dict:
    value = COMPONENTS[component]["properties"][field]
    branch = next((v for v in value.get("anyOf", []) if v.get("type") != "null"), {})
    return {**branch, **value}


@pytest.mark.parametrize(
    ("component", "field", "expected"),
    [
        ("WriteIn", "key", {"pattern": f"^[A-Za-z0-9_-]{{1,{REQUEST_KEY_MAX_LENGTH}}}$"}),
        ("FinishIn", "key", {"maxLength": REQUEST_KEY_MAX_LENGTH}),
        ("ChoiceIn", "platform", {"enum": list(Platform.values)}),
        ("ChoiceIn", "form", {"enum": list(ExamForm.values)}),
        ("ChoiceIn", "additional_info", {"maxLength": INFO_MAX_LENGTH}),
        ("BulkIn", "decision", {"enum": ["approve", "return"]}),
        ("BulkIn", "items", {"maxItems": 1000}),
        ("ExamCreateIn", "title", {"minLength": 1, "maxLength": 255}),
        ("ExamCreateIn", "duration_minutes", {"minimum": 1, "maximum": MAX_DURATION_MINUTES}),
        ("ExamCreateIn", "absence_cap_minutes", {"maximum": MAX_ABSENCE_CAP_MINUTES}),
        ("ExamCreateIn", "timeout_policy", {"enum": list(TimeoutPolicy.values)}),
        ("ExamPatchIn", "title", {"maxLength": 255}),
        ("QuestionIn", "kind", {"enum": list(QuestionKind.values)}),
        ("QuestionIn", "points", {"exclusiveMinimum": 0, "maximum": 1000}),
        ("QuestionIn", "name", {"maxLength": 255}),
        ("PoolIn", "pick", {"minimum": 1}),
        ("ImportIn", "fmt", {"enum": list(IMPORT_FORMATS)}),
        ("MaterialUploadIn", "section", {"enum": ["", *Section.values]}),
        ("StartIn", "exam_id", {"minimum": 1, "maximum": 2**63 - 1}),
    ],
)
def test_the_limits_the_code_enforces_are_in_the_schema(component, field, expected):
    found = prop(component, field)
    assert {k: found.get(k) for k in expected} == expected
