from __future__ import annotations

import pytest

from emtihan.attempts import services
from emtihan.attempts.models import Decision
from emtihan.audit.models import AuditEntry
from emtihan.core.errors import PermissionDeniedError, ValidationFailed


def decide(actor, sitting, decision=Decision.POSTPONE, reason="Power cut in the dormitory"):
    return services.attempt_decide(
        actor=actor, attempt_id=sitting.attempt.pk, decision=decision, reason=reason
    )


def test_a_proctor_decides_with_a_reason(sitting, proctor):
    attempt = decide(proctor, sitting)
    assert attempt.decision == Decision.POSTPONE
    assert attempt.decided_by == proctor and attempt.decided_at is not None
    entry = AuditEntry.objects.get(action="attempt.decide")
    assert entry.data == {
        "decision": "postpone",
        "previous": "",
        "reason": "Power cut in the dormitory",
    }


def test_staff_may_decide(world, sitting):
    assert decide(world.registrar, sitting, Decision.CANCEL).decision == Decision.CANCEL


@pytest.mark.parametrize("who", ["student", "teacher", "head", "outsider"])
def test_others_may_not_decide(world, sitting, who):
    with pytest.raises(PermissionDeniedError) as exc:
        decide(getattr(world, who), sitting)
    assert exc.value.message == services.ERR_NOT_DECIDER


def test_the_reason_is_required(sitting, proctor):
    with pytest.raises(ValidationFailed) as exc:
        decide(proctor, sitting, reason="   ")
    assert exc.value.errors == {"reason": [services.ERR_REASON_REQUIRED]}


@pytest.mark.parametrize("decision", ["pending", "", "accept"])
def test_only_the_three_decisions_exist(sitting, proctor, decision):
    with pytest.raises(ValidationFailed) as exc:
        decide(proctor, sitting, decision=decision)
    assert exc.value.errors == {"decision": [services.ERR_DECISION_UNKNOWN]}


def test_a_changed_decision_records_the_previous_one(sitting, proctor):
    decide(proctor, sitting, Decision.CANCEL)
    decide(proctor, sitting, Decision.CONTINUE, reason="The evidence was a false alarm")
    last = AuditEntry.objects.filter(action="attempt.decide").order_by("-seq").first()
    assert last is not None and last.data["previous"] == "cancel"
