"""The start gate (docs/PROCTORING.md): a first start of an exam that requires
proctoring is refused until consent, the device check and the identity check hold; for
the service, the API and the exam page alike. Attempts never imports proctoring: the
gate is registered in ProctoringConfig.ready."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from emtihan.attempts import services as attempts
from emtihan.attempts.models import Attempt
from emtihan.core.errors import DomainError
from emtihan.exams.models import ProctoringLevel
from emtihan.proctoring.models import IdentityStatus, ProctoringSession
from emtihan.proctoring.rules import ERR_START_CONSENT, ERR_START_DEVICE, ERR_START_IDENTITY

from .conftest import NOW, make_exam


def session_for(world, exam, **fields) -> ProctoringSession:
    return ProctoringSession.objects.create(
        exam=exam, student=world.student.student, created_at=NOW, **fields
    )


def start(world, exam):
    return attempts.attempt_start(student_user=world.student, exam_id=exam.pk, now=NOW)


def refused(world, exam) -> str:
    with pytest.raises(DomainError) as caught:
        start(world, exam)
    assert not Attempt.objects.filter(exam=exam).exists()
    return caught.value.message


def test_each_missing_step_refuses_the_start_with_its_message(world, required_exam):
    assert refused(world, required_exam) == ERR_START_CONSENT
    session = session_for(world, required_exam, consent_at=NOW)
    assert refused(world, required_exam) == ERR_START_DEVICE
    session.device_ok = True
    session.save()
    for status in (IdentityStatus.NOT_STARTED, IdentityStatus.FAILED, IdentityStatus.MANUAL):
        session.identity_status = status
        session.save()
        assert refused(world, required_exam) == ERR_START_IDENTITY
    session.identity_status = IdentityStatus.REJECTED
    session.save()
    assert refused(world, required_exam) == ERR_START_IDENTITY


@pytest.mark.parametrize("status", [IdentityStatus.PASSED, IdentityStatus.APPROVED])
def test_a_passed_or_approved_identity_lets_the_sitting_start(world, required_exam, status):
    session_for(world, required_exam, consent_at=NOW, device_ok=True, identity_status=status)
    assert start(world, required_exam).status == "in_progress"


@pytest.mark.parametrize("level", [ProctoringLevel.OFF, ProctoringLevel.RECORD])
def test_below_required_nothing_is_asked(world, level):
    exam = make_exam(world, proctoring=level)
    assert start(world, exam).pk


def test_a_started_sitting_is_resumed_whatever_happens_later(world, required_exam):
    session = session_for(
        world,
        required_exam,
        consent_at=NOW,
        device_ok=True,
        identity_status=IdentityStatus.PASSED,
    )
    attempt = start(world, required_exam)
    session.identity_status = IdentityStatus.REJECTED
    session.save()
    assert start(world, required_exam).pk == attempt.pk


def test_the_api_start_is_gated_too(client, world):
    exam = make_exam(
        world,
        proctoring=ProctoringLevel.REQUIRED,
        opens_at=timezone.now() - dt.timedelta(minutes=5),
    )
    client.force_login(world.student)
    response = client.post(
        "/api/v1/attempts/start", {"exam_id": exam.pk}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == ERR_START_CONSENT
    assert not Attempt.objects.filter(exam=exam).exists()


def test_the_exam_pages_start_button_is_gated_too(client, world):
    exam = make_exam(
        world,
        proctoring=ProctoringLevel.REQUIRED,
        opens_at=timezone.now() - dt.timedelta(minutes=5),
    )
    client.force_login(world.student)
    response = client.post(f"/sitting/exams/{exam.pk}/", follow=True)
    assert ERR_START_CONSENT in response.content.decode()
    assert not Attempt.objects.filter(exam=exam).exists()


def test_the_gate_costs_one_query_and_none_without_the_requirement(
    world, django_assert_num_queries
):
    from emtihan.attempts.services import StartRequest
    from emtihan.proctoring.services import start_requirement

    required = make_exam(world, proctoring=ProctoringLevel.REQUIRED)
    recorded = make_exam(
        world, proctoring=ProctoringLevel.RECORD, group=world.g2, title="Algebra (IS-2302)"
    )
    student_id = world.student.student.pk
    with django_assert_num_queries(0):
        start_requirement(
            StartRequest(student_user=world.student, student_id=student_id, exam=recorded, now=NOW)
        )
    with django_assert_num_queries(1), pytest.raises(DomainError):
        start_requirement(
            StartRequest(student_user=world.student, student_id=student_id, exam=required, now=NOW)
        )
