"""The attempt's row rules (``Attempt.touch``, ``absence_until``, ``mark_pending``,
``lock_status``, ``close``): each written once, on the model, and used by the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from emtihan.attempts.models import (
    GRACE_SECONDS,
    PRESENCE_WRITE_SECONDS,
    Attempt,
    AttemptStatus,
    Decision,
)
from emtihan.attempts.tests.conftest import MINUTE, NOW, SECOND


def fresh(sitting) -> Attempt:
    """The attempt as a new request reads it."""
    return Attempt.objects.select_related("exam").get(pk=sitting.attempt.pk)


def test_absence_is_the_gap_beyond_the_grace(sitting):
    attempt = fresh(sitting)
    assert attempt.absence_until(NOW + GRACE_SECONDS * SECOND) == 0
    assert attempt.absence_until(NOW + (GRACE_SECONDS + 1) * SECOND) == 1
    assert attempt.absence_until(NOW + 5 * MINUTE) == 5 * 60 - GRACE_SECONDS


def test_touch_writes_at_most_every_presence_interval(sitting, django_assert_num_queries):
    attempt = fresh(sitting)
    with django_assert_num_queries(0):
        assert attempt.touch(NOW + (PRESENCE_WRITE_SECONDS - 1) * SECOND) is False
    with django_assert_num_queries(1):
        attempt.touch(NOW + PRESENCE_WRITE_SECONDS * SECOND)
    assert fresh(sitting).last_seen_at == NOW + PRESENCE_WRITE_SECONDS * SECOND


def test_touch_adds_a_gap_once_when_two_requests_read_the_same_row(sitting):
    one, two = fresh(sitting), fresh(sitting)
    one.touch(NOW + 5 * MINUTE)
    two.touch(NOW + 5 * MINUTE + SECOND)  # read the same last_seen_at: matches no row
    assert fresh(sitting).absence_seconds == 4 * 60
    assert two.absence_seconds == 0  # and it did not count it in memory either


def test_touch_adds_nothing_to_an_attempt_the_lock_ended_meanwhile(sitting):
    stale = fresh(sitting)
    with transaction.atomic():
        Attempt.close(stale.pk, status=AttemptStatus.TIMED_OUT, now=stale.deadline)
    counted = fresh(sitting).absence_seconds

    assert stale.touch(NOW + 10 * MINUTE) is False

    assert fresh(sitting).absence_seconds == counted
    assert fresh(sitting).last_seen_at == NOW


def test_touch_says_when_the_cap_is_passed_and_mark_pending_asks_once(sitting):
    attempt = fresh(sitting)
    assert attempt.touch(NOW + 22 * MINUTE) is True  # 21 min > the 20 min cap
    assert attempt.needs_decision()
    other = fresh(sitting)
    assert attempt.mark_pending() is True
    assert other.mark_pending() is False  # a second request past the cap: not again
    assert fresh(sitting).decision == Decision.PENDING
    assert not fresh(sitting).needs_decision()


def test_lock_status_reads_the_status_under_the_row_lock(sitting):
    with transaction.atomic():
        assert Attempt.lock_status(sitting.attempt.pk) == AttemptStatus.IN_PROGRESS


def test_close_ends_the_attempt_once(sitting):
    finish_at = NOW + 30 * MINUTE
    with transaction.atomic():
        first = Attempt.close(sitting.attempt.pk, status=AttemptStatus.FINISHED, now=finish_at)
    with transaction.atomic():
        again = Attempt.close(sitting.attempt.pk, status=AttemptStatus.TIMED_OUT, now=finish_at)

    assert first is not None and again is None
    attempt = fresh(sitting)
    assert attempt.status == AttemptStatus.FINISHED
    assert attempt.finished_at == finish_at
    assert attempt.last_seen_at == finish_at  # a finish counts as a heartbeat
    assert first.absence_added == 30 * 60 - GRACE_SECONDS
    assert first.pending is True  # 29 min > 20 min cap
    assert attempt.decision == Decision.PENDING


@pytest.mark.parametrize("late", [dt.timedelta(0), dt.timedelta(hours=3)])
def test_a_time_out_ends_at_the_deadline_however_late_the_lock_runs(sitting, late):
    deadline = sitting.attempt.deadline
    sitting.beat(deadline - 30 * SECOND)  # present until the end
    with transaction.atomic():
        closing = Attempt.close(
            sitting.attempt.pk, status=AttemptStatus.TIMED_OUT, now=deadline + late
        )
    assert closing is not None
    assert closing.end == deadline
    assert closing.absence_added == 0
    assert fresh(sitting).finished_at == deadline
