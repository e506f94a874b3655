"""attempt_decide: who decides on a sitting (proctors of its exam or its group's faculty,
staff) and when (only once it has ended)."""

from __future__ import annotations

import pytest

from emtihan.accounts.models import Role
from emtihan.attempts import services
from emtihan.attempts.models import Attempt, AttemptStatus, Decision
from emtihan.attempts.tests.conftest import MINUTE, NOW, assign_proctor, make_exam
from emtihan.audit.models import AuditEntry
from emtihan.conftest import make_user
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed

AFTER = NOW + 40 * MINUTE


def decide(actor, sitting, decision=Decision.POSTPONE, reason="Power cut in the dormitory"):
    return services.attempt_decide(
        actor=actor, attempt_id=sitting.attempt.pk, decision=decision, reason=reason, now=AFTER
    )


@pytest.fixture
def ended(sitting):
    """The sitting, finished by the student 30 minutes in, unseen since its start: its
    absence is past the cap, so it waits for a decision."""
    services.attempt_finish(
        attempt_id=sitting.attempt.pk, student_user=sitting.user, now=NOW + 30 * MINUTE
    )
    return sitting


def test_a_proctor_of_the_exam_decides_with_a_reason(ended, exam_proctor):
    attempt = decide(exam_proctor, ended)
    assert attempt.decision == Decision.POSTPONE
    assert attempt.decided_by == exam_proctor and attempt.decided_at == AFTER
    entry = AuditEntry.objects.get(action="attempt.decide")
    assert entry.data == {
        "decision": "postpone",
        "previous": "pending",
        "reason": "Power cut in the dormitory",
    }


def test_a_proctor_of_the_groups_faculty_decides(world, ended, proctor):
    assign_proctor(world, proctor, faculty=world.it_faculty)
    assert decide(proctor, ended, Decision.CANCEL).decision == Decision.CANCEL


def test_staff_may_decide(world, ended):
    assert decide(world.registrar, ended, Decision.CANCEL).decision == Decision.CANCEL


def test_a_proctor_of_nothing_finds_no_sitting(ended, proctor):
    """The defect: any proctor decided any attempt. Outside the scope it does not exist."""
    with pytest.raises(services.NotFoundError) as exc:
        decide(proctor, ended, Decision.CANCEL)
    assert exc.value.message == services.ERR_ATTEMPT_NOT_FOUND
    assert Attempt.objects.get().decision == Decision.PENDING


def test_a_proctor_of_another_faculty_or_exam_finds_no_sitting(world, ended, proctor):
    assign_proctor(world, proctor, faculty=world.med_faculty)
    other_exam = make_exam(world, group=world.g2, title="Algebra, other group")
    assign_proctor(world, proctor, exam=other_exam)
    with pytest.raises(services.NotFoundError):
        decide(proctor, ended, Decision.CANCEL)
    assert Attempt.objects.get(pk=ended.attempt.pk).decision == Decision.PENDING


def test_an_assignment_stops_counting_when_the_role_is_taken_away(ended, exam_proctor):
    exam_proctor.groups.clear()
    exam_proctor.add_role(Role.GRADER)
    with pytest.raises(PermissionDeniedError):
        decide(exam_proctor, ended)


def test_a_sitting_in_progress_cannot_be_decided(sitting, exam_proctor):
    """The defect: a proctor could cancel a student still writing."""
    with pytest.raises(DomainError) as exc:
        services.attempt_decide(
            actor=exam_proctor,
            attempt_id=sitting.attempt.pk,
            decision=Decision.CANCEL,
            reason="x",
            now=NOW + 10 * MINUTE,
        )
    assert exc.value.message == services.ERR_STILL_IN_PROGRESS
    attempt = sitting.reload()
    assert (attempt.status, attempt.decision) == (AttemptStatus.IN_PROGRESS, Decision.NONE)
    assert not AuditEntry.objects.filter(action="attempt.decide").exists()


def test_a_sitting_past_its_deadline_is_locked_then_decided(sitting, exam_proctor):
    late = sitting.attempt.deadline + MINUTE
    attempt = services.attempt_decide(
        actor=exam_proctor,
        attempt_id=sitting.attempt.pk,
        decision=Decision.CONTINUE,
        reason="Connection trouble, work complete",
        now=late,
    )
    assert (attempt.status, attempt.decision) == (AttemptStatus.TIMED_OUT, Decision.CONTINUE)


@pytest.mark.parametrize("who", ["student", "teacher", "head", "outsider"])
def test_others_may_not_decide(world, ended, who):
    with pytest.raises(PermissionDeniedError) as exc:
        decide(getattr(world, who), ended)
    assert exc.value.message == services.ERR_NOT_DECIDER


def test_a_grader_of_the_exam_may_not_decide(ended, exam_grader):
    with pytest.raises(PermissionDeniedError):
        decide(exam_grader, ended)


def test_the_reason_is_required(ended, exam_proctor):
    with pytest.raises(ValidationFailed) as exc:
        decide(exam_proctor, ended, reason="   ")
    assert exc.value.errors == {"reason": [services.ERR_REASON_REQUIRED]}


@pytest.mark.parametrize("decision", ["pending", "", "accept"])
def test_only_the_three_decisions_exist(ended, exam_proctor, decision):
    with pytest.raises(ValidationFailed) as exc:
        decide(exam_proctor, ended, decision=decision)
    assert exc.value.errors == {"decision": [services.ERR_DECISION_UNKNOWN]}


def test_a_changed_decision_records_the_previous_one(ended, exam_proctor):
    decide(exam_proctor, ended, Decision.CANCEL)
    decide(exam_proctor, ended, Decision.CONTINUE, reason="The evidence was a false alarm")
    last = AuditEntry.objects.filter(action="attempt.decide").order_by("-seq").first()
    assert last is not None and last.data["previous"] == "cancel"


def test_an_unknown_sitting_is_not_found(exam_proctor):
    with pytest.raises(services.NotFoundError):
        services.attempt_decide(
            actor=exam_proctor, attempt_id=987654, decision=Decision.CANCEL, reason="x"
        )


def test_a_proctor_without_the_role_cannot_be_assigned(world, exam):
    from emtihan.exams import assignments

    nobody = make_user("nobody@test.local")
    with pytest.raises(ValidationFailed) as exc:
        assignments.proctor_assign(actor=world.registrar, user=nobody, exam=exam)
    assert exc.value.errors == {"user": [assignments.ERR_NOT_PROCTOR]}
