"""Time-out: the lock, the exam's policy for unsent answers, late writes refused."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from emtihan.attempts import content, services
from emtihan.attempts.models import Answer, AnswerVersion, Attempt, AttemptStatus
from emtihan.attempts.tasks import lock_expired
from emtihan.attempts.tests.conftest import MINUTE, SECOND, doc
from emtihan.audit.models import AuditEntry
from emtihan.exams.models import QuestionKind, TimeoutPolicy


def prepare(sitting):
    """Q written: sent, then edited. Q short: only a draft. Q single: sent, unchanged."""
    short, single = sitting.q(QuestionKind.SHORT), sitting.q(QuestionKind.SINGLE)
    sitting.send(doc("sent"), base=0, key="w1")
    sitting.save(doc("sent, then edited"), base=1, key="w2")
    sitting.save({"text": "draft only"}, base=0, key="s1", question=short)
    sitting.send({"choice": "a"}, base=0, key="c1", question=single)
    return short, single


def versions(sitting, question):
    return list(
        AnswerVersion.objects.filter(answer__attempt=sitting.attempt, answer__question_id=question)
        .order_by("number")
        .values_list("number", "content", "auto")
    )


def test_last_draft_makes_the_unsent_drafts_final(sitting):
    short, single = prepare(sitting)
    assert services.attempts_lock_expired(now=sitting.attempt.deadline) == 1
    attempt = sitting.reload()
    assert attempt.status == AttemptStatus.TIMED_OUT
    assert attempt.finished_at == attempt.deadline
    assert versions(sitting, sitting.written) == [
        (1, doc("sent"), False),
        (2, doc("sent, then edited"), True),
    ]
    assert versions(sitting, short) == [(1, {"text": "draft only"}, True)]
    assert versions(sitting, single) == [(1, {"choice": "a"}, False)]
    assert not Answer.objects.filter(attempt=attempt, locked=False).exists()
    auto = AnswerVersion.objects.get(answer__question_id=short)
    assert auto.sent_at == attempt.deadline
    assert auto.digest == content.digest_of({"text": "draft only"})


def test_empty_counts_unsent_answers_as_empty(sitting):
    sitting.attempt.exam.timeout_policy = TimeoutPolicy.EMPTY
    sitting.attempt.exam.save()
    short, single = prepare(sitting)
    services.attempts_lock_expired(now=sitting.attempt.deadline + 5 * SECOND)
    # The sent version counts, the later edit does not.
    assert versions(sitting, sitting.written) == [(1, doc("sent"), False)]
    # Never sent: recorded as an empty final version.
    assert versions(sitting, short) == [(1, {"text": ""}, True)]
    assert versions(sitting, single) == [(1, {"choice": "a"}, False)]
    entry = AuditEntry.objects.get(action="attempt.timeout")
    assert entry.data["policy"] == "empty"
    assert entry.data["final_versions"] == [
        {"question_id": short, "version": 1, "digest": content.digest_of({"text": ""})}
    ]


def test_late_saves_and_sends_are_refused_with_the_message(sitting):
    sitting.save(doc("on time"), base=0, key="k1")
    services.attempts_lock_expired(now=sitting.attempt.deadline)
    with pytest.raises(services.TimeIsOver) as exc:
        sitting.save(doc("late"), base=1, key="k2", at=sitting.attempt.deadline - SECOND)
    assert (
        exc.value.message
        == services.ERR_TIME_OVER
        == ("The time is over: this answer can no longer be changed.")
    )
    with pytest.raises(services.TimeIsOver):
        sitting.send(doc("late"), base=1, key="k3", at=sitting.attempt.deadline + MINUTE)


def test_the_lock_job_leaves_running_attempts_alone_and_runs_once(sitting):
    deadline = sitting.attempt.deadline
    assert services.attempts_lock_expired(now=deadline - SECOND) == 0
    assert sitting.reload().status == AttemptStatus.IN_PROGRESS
    assert services.attempts_lock_expired(now=deadline) == 1
    assert services.attempts_lock_expired(now=deadline + MINUTE) == 0
    assert AuditEntry.objects.filter(action="attempt.timeout").count() == 1


def test_a_request_past_the_deadline_locks_before_the_job_runs(sitting):
    sitting.save(doc("typed"), base=0, key="k1")
    with pytest.raises(services.TimeIsOver):
        sitting.save(doc("typed more"), base=1, key="k2", at=sitting.attempt.deadline + SECOND)
    assert versions(sitting, sitting.written) == [(1, doc("typed"), True)]
    assert services.attempts_lock_expired(now=sitting.attempt.deadline + MINUTE) == 0


def test_the_management_command_locks(sitting):
    Attempt.objects.filter(pk=sitting.attempt.pk).update(deadline=timezone.now() - MINUTE)
    call_command("attempts_lock_expired")
    assert sitting.reload().status == AttemptStatus.TIMED_OUT


def test_the_task_locks(sitting):
    Attempt.objects.filter(pk=sitting.attempt.pk).update(deadline=timezone.now() - MINUTE)
    result = lock_expired.enqueue()
    assert result.return_value == 1
    assert sitting.reload().status == AttemptStatus.TIMED_OUT
