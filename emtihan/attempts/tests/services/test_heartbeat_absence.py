"""The absence rule (docs/EXAM-SITTING.md, invariant 6): a gap over 60 s adds gap - 60."""

from __future__ import annotations

import datetime as dt

from emtihan.attempts import services
from emtihan.attempts.models import Attempt, AttemptStatus, Decision
from emtihan.attempts.tests.conftest import MINUTE, NOW, SECOND, doc
from emtihan.audit.models import AuditEntry


def test_regular_heartbeats_add_no_absence(sitting):
    for n in range(1, 11):
        sitting.beat(NOW + n * 30 * SECOND)
    attempt = sitting.reload()
    assert attempt.absence_seconds == 0
    assert attempt.last_seen_at == NOW + 300 * SECOND


def test_a_gap_of_60_seconds_is_grace(sitting):
    assert sitting.beat(NOW + 60 * SECOND).absence_seconds == 0


def test_absence_sums_across_several_gaps(sitting):
    sitting.beat(NOW + 120 * SECOND)  # +60
    sitting.beat(NOW + 150 * SECOND)
    sitting.save(doc("back"), at=NOW + 350 * SECOND)  # a write counts too: +140
    sitting.beat(NOW + 380 * SECOND)
    attempt = sitting.beat(NOW + 470 * SECOND)  # +30
    assert attempt.absence_seconds == 60 + 140 + 30
    assert sitting.reload().absence_seconds == 230
    assert attempt.decision == Decision.NONE


def test_passing_the_cap_marks_the_attempt_pending_once(sitting):
    """The exam's cap is the default: 20 minutes."""
    sitting.beat(NOW + 11 * MINUTE)  # +10 min
    assert sitting.reload().decision == Decision.NONE
    attempt = sitting.beat(NOW + 22 * MINUTE + SECOND)  # +10 min 1 s: over 20 min
    assert attempt.decision == Decision.PENDING
    assert sitting.reload().decision == Decision.PENDING
    sitting.beat(NOW + 40 * MINUTE)  # more absence: no second entry
    entries = AuditEntry.objects.filter(action="attempt.absence_pending")
    assert entries.count() == 1
    assert entries.get().data["absence_cap_seconds"] == 20 * 60
    assert sitting.reload().status == AttemptStatus.IN_PROGRESS  # the student keeps working


def test_the_cap_is_the_exams(world, sitting):
    sitting.attempt.exam.absence_cap_seconds = 100
    sitting.attempt.exam.save()
    attempt = sitting.beat(NOW + 161 * SECOND + dt.timedelta(microseconds=1))
    assert attempt.absence_seconds == 101
    assert attempt.decision == Decision.PENDING


def test_a_decided_attempt_is_not_marked_pending_again(sitting, exam_proctor):
    sitting.beat(NOW + 30 * MINUTE)
    services.attempt_finish(
        attempt_id=sitting.attempt.pk, student_user=sitting.user, now=NOW + 31 * MINUTE
    )
    services.attempt_decide(
        actor=exam_proctor,
        attempt_id=sitting.attempt.pk,
        decision=Decision.CONTINUE,
        category="technical_only",
        now=NOW + 32 * MINUTE,
    )
    assert sitting.beat(NOW + 60 * MINUTE).decision == Decision.CONTINUE
    assert AuditEntry.objects.filter(action="attempt.absence_pending").count() == 1


def test_two_requests_that_saw_the_same_gap_count_it_once(sitting):
    one = Attempt.objects.select_related("exam").get(pk=sitting.attempt.pk)
    two = Attempt.objects.select_related("exam").get(pk=sitting.attempt.pk)
    one.touch(NOW + 5 * MINUTE)
    two.touch(NOW + 5 * MINUTE + SECOND)
    assert sitting.reload().absence_seconds == 4 * 60


def test_an_attempt_that_never_comes_back_gets_the_rest_at_the_lock(sitting):
    for n in range(1, 21):
        sitting.beat(NOW + n * 30 * SECOND)  # present for 10 minutes, then gone
    services.attempts_lock_expired(now=sitting.attempt.deadline + 15 * SECOND)
    attempt = sitting.reload()
    expected = (attempt.deadline - (NOW + 10 * MINUTE)).total_seconds() - 60
    assert attempt.absence_seconds == expected
    assert attempt.decision == Decision.PENDING  # 79 min > 20 min
    assert AuditEntry.objects.filter(action="attempt.absence_pending").count() == 1


def test_a_heartbeat_after_the_deadline_reports_the_time_out(sitting):
    attempt = sitting.beat(sitting.attempt.deadline + SECOND)
    assert attempt.status == AttemptStatus.TIMED_OUT


def test_a_heartbeat_within_20_seconds_writes_nothing(sitting, django_assert_num_queries):
    sitting.beat(NOW + 30 * SECOND)
    with django_assert_num_queries(1):  # the read only
        sitting.beat(NOW + 45 * SECOND)
    assert sitting.reload().last_seen_at == NOW + 30 * SECOND
