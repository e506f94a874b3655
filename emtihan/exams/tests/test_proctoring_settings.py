"""The exam's proctoring settings (docs/PROCTORING.md, "Per-exam settings"): level,
snapshot interval, identity check attempts, retention; through the service and the API."""

from __future__ import annotations

import pytest

from emtihan.audit.models import AuditEntry
from emtihan.core.errors import ValidationFailed
from emtihan.exams import services
from emtihan.exams.models import ProctoringLevel

from .conftest import new_exam
from .test_api import api_for, create_payload


def test_the_defaults_are_off_20_s_3_tries_90_days(world, choice):
    exam = new_exam(world, choice)
    assert exam.proctoring == ProctoringLevel.OFF
    assert exam.snapshot_interval_seconds == 20
    assert exam.identity_check_attempts == 3
    assert exam.proctoring_retention_days == 90


def test_the_settings_are_saved_and_audited(world, choice):
    exam = new_exam(
        world,
        choice,
        proctoring=ProctoringLevel.REQUIRED,
        snapshot_interval_seconds=30,
        identity_check_attempts=2,
        proctoring_retention_days=60,
    )
    exam.refresh_from_db()
    assert (exam.proctoring, exam.snapshot_interval_seconds) == ("required", 30)
    assert (exam.identity_check_attempts, exam.proctoring_retention_days) == (2, 60)
    services.exam_update(actor=world.teacher, exam=exam, proctoring=ProctoringLevel.RECORD)
    entry = AuditEntry.objects.filter(action="exams.update", object_id=str(exam.pk)).get()
    assert entry.data == {"proctoring": "record"}


@pytest.mark.parametrize(
    ("field", "value", "message", "bounds"),
    [
        ("proctoring", "always", services.ERR_PROCTORING_LEVEL, None),
        ("snapshot_interval_seconds", 5, services.ERR_SNAPSHOT_INTERVAL, (10, 120)),
        ("snapshot_interval_seconds", 121, services.ERR_SNAPSHOT_INTERVAL, (10, 120)),
        ("identity_check_attempts", 0, services.ERR_IDENTITY_CHECK_ATTEMPTS, (1, 10)),
        ("identity_check_attempts", "3.5", services.ERR_IDENTITY_CHECK_ATTEMPTS, (1, 10)),
        ("proctoring_retention_days", 0, services.ERR_RETENTION_DAYS, (1, 1825)),
        ("proctoring_retention_days", 4000, services.ERR_RETENTION_DAYS, (1, 1825)),
    ],
)
def test_out_of_range_settings_are_refused_beside_their_field(
    world, choice, field, value, message, bounds
):
    with pytest.raises(ValidationFailed) as caught:
        new_exam(world, choice, **{field: value})
    expected = message % {"min": bounds[0], "max": bounds[1]} if bounds else message
    assert caught.value.errors == {field: [expected]}


def test_the_api_creates_reads_and_changes_them(client, world, choice):
    api = api_for(client, world.teacher)
    response = api.send(
        "post", "", create_payload(choice, proctoring="required", snapshot_interval_seconds=15)
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["proctoring"] == "required"
    assert body["snapshot_interval_seconds"] == 15
    assert body["identity_check_attempts"] == 3
    assert body["proctoring_retention_days"] == 90
    response = api.send("patch", f"{body['id']}", {"proctoring_retention_days": 30})
    assert response.json()["proctoring_retention_days"] == 30
    response = api.send("patch", f"{body['id']}", {"proctoring": "sometimes"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"proctoring": [services.ERR_PROCTORING_LEVEL]}
