from __future__ import annotations

import pytest

from emtihan.attempts import services
from emtihan.attempts.models import AnswerVersion, AttemptStatus
from emtihan.attempts.tests.conftest import MINUTE, NOW, doc
from emtihan.audit.models import AuditEntry


def finish(sitting, at):
    return services.attempt_finish(
        attempt_id=sitting.attempt.pk, student_user=sitting.user, key="f1", now=at
    )


def test_finish_ends_the_attempt_now(sitting):
    attempt = finish(sitting, NOW + 30 * MINUTE)
    assert attempt.status == AttemptStatus.FINISHED
    assert attempt.finished_at == NOW + 30 * MINUTE
    entry = AuditEntry.objects.get(action="attempt.finish")
    assert entry.actor == sitting.user
    assert entry.data["key"] == "f1"


def test_finish_is_idempotent(sitting):
    first = finish(sitting, NOW + 30 * MINUTE)
    again = finish(sitting, NOW + 31 * MINUTE)
    assert again.status == AttemptStatus.FINISHED
    assert again.finished_at == first.finished_at
    assert AuditEntry.objects.filter(action="attempt.finish").count() == 1


def test_finish_applies_the_time_out_policy_to_unsent_drafts(sitting):
    sitting.save(doc("not sent"), base=0, key="k1")
    finish(sitting, NOW + 10 * MINUTE)
    version = AnswerVersion.objects.get()
    assert (version.content, version.auto) == (doc("not sent"), True)


def test_after_finishing_answers_cannot_change(sitting):
    sitting.save(doc("one"), base=0, key="k1")
    finish(sitting, NOW + 10 * MINUTE)
    with pytest.raises(services.TimeIsOver) as exc:
        sitting.save(doc("two"), base=1, key="k2", at=NOW + 11 * MINUTE)
    assert exc.value.message == services.ERR_FINISHED


def test_finish_after_the_deadline_records_a_time_out(sitting):
    attempt = finish(sitting, sitting.attempt.deadline + MINUTE)
    assert attempt.status == AttemptStatus.TIMED_OUT
    assert attempt.finished_at == attempt.deadline


def test_finish_counts_the_last_gap_as_absence(sitting):
    attempt = finish(sitting, NOW + 5 * MINUTE)
    assert attempt.absence_seconds == 4 * 60


def test_another_student_cannot_finish(sitting, other_student):
    with pytest.raises(services.NotFoundError):
        services.attempt_finish(attempt_id=sitting.attempt.pk, student_user=other_student, now=NOW)
