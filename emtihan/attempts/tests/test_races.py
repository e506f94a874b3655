"""Races the row locks and conditional UPDATEs are there for, run with real concurrent
transactions. PostgreSQL only: SQLite serialises writers, so there is no race to lose."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from emtihan.attempts import services
from emtihan.attempts.models import (
    AnswerVersion,
    Attempt,
    AttemptStatus,
    DecisionProposal,
    ProposalStatus,
)
from emtihan.attempts.services import answers as answer_services
from emtihan.attempts.services import closing as closing_services
from emtihan.attempts.services import decisions as decision_services
from emtihan.attempts.tests.conftest import NOW, SECOND, Sitting, doc
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def in_thread(func: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = func()
        except Exception as exc:  # the test inspects it
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def slow_down_audit(monkeypatch, slow_audit: Callable[..., Any]) -> None:
    """Put `slow_audit` where the sending and closing services call the audit log."""
    for module in (answer_services, closing_services):
        monkeypatch.setattr(module, "audit_record", slow_audit)


def test_a_save_racing_the_time_out_lock_is_refused_not_lost(sitting: Sitting, monkeypatch):
    sitting.save(doc("before the lock"), base=0, key="k1")
    locked, release = threading.Event(), threading.Event()
    real_audit = audit_record

    def slow_audit(**kwargs):
        # The lock holds the attempt and answer rows here, not yet committed.
        if kwargs["action"] == "attempt.timeout":
            locked.set()
            release.wait(5)
        return real_audit(**kwargs)

    slow_down_audit(monkeypatch, slow_audit)
    deadline = sitting.attempt.deadline
    lock_thread, _lock = in_thread(lambda: services.attempts_lock_expired(now=deadline))
    assert locked.wait(5)
    # The save reads the attempt as in progress (the lock has not committed) and its
    # UPDATE waits for the answer's row lock.
    save_thread, save = in_thread(
        lambda: sitting.save(doc("racing"), base=1, key="k2", at=deadline - SECOND)
    )
    save_thread.join(0.5)
    assert save_thread.is_alive()
    release.set()
    lock_thread.join(5)
    save_thread.join(5)
    assert isinstance(save.get("error"), services.TimeIsOver), save
    final = AnswerVersion.objects.get()
    assert (final.content, final.auto) == (doc("before the lock"), True)
    # The save's presence write waited for the lock too, and did not count the gap again.
    attempt = sitting.reload()
    assert attempt.absence_seconds == (deadline - NOW).total_seconds() - 60
    assert attempt.last_seen_at == NOW


def test_two_sends_on_the_same_base_make_one_version(sitting: Sitting, monkeypatch):
    sitting.save(doc("base"), base=0, key="d1")
    first_locked, release = threading.Event(), threading.Event()
    real_audit = audit_record

    def slow_audit(**kwargs):
        if not first_locked.is_set():
            first_locked.set()
            release.wait(5)
        return real_audit(**kwargs)

    slow_down_audit(monkeypatch, slow_audit)
    one, first = in_thread(lambda: sitting.send(doc("tab A"), base=1, key="a", at=NOW))
    assert first_locked.wait(5)
    two, second = in_thread(lambda: sitting.send(doc("tab B"), base=1, key="b", at=NOW))
    two.join(0.5)
    assert two.is_alive()  # waiting for the answer's row lock
    release.set()
    one.join(5)
    two.join(5)
    assert "result" in first, first
    assert isinstance(second.get("error"), services.StaleVersion), second
    assert second["error"].current["content"] == doc("tab A")
    assert AnswerVersion.objects.get().content == doc("tab A")


def test_two_starts_at_once_make_one_attempt(world, exam):
    barrier = threading.Barrier(2)

    def start():
        barrier.wait(5)
        return services.attempt_start(student_user=world.student, exam_id=exam.pk, now=NOW)

    threads = [in_thread(start) for _ in range(2)]
    for thread, _outcome in threads:
        thread.join(10)
    results = [outcome.get("result") for _thread, outcome in threads]
    assert all(r is not None for r in results), threads
    assert results[0].pk == results[1].pk
    assert Attempt.objects.get().status == AttemptStatus.IN_PROGRESS


# --- decisions ---------------------------------------------------------------------------


@pytest.fixture
def two_reviewers(world, exam, sitting):
    """The sitting ended, and two proctors of its exam besides the exam office."""
    from emtihan.accounts.models import Role
    from emtihan.attempts.tests.conftest import assign_proctor
    from emtihan.conftest import make_user

    services.attempt_finish(
        attempt_id=sitting.attempt.pk, student_user=sitting.user, now=NOW + 10 * SECOND
    )
    first = make_user("race-a@test.local", Role.PROCTOR)
    second = make_user("race-b@test.local", Role.PROCTOR)
    for user in (first, second):
        assign_proctor(world, user, exam=exam)
    return first, second


def hold_first_audit(monkeypatch, action: str) -> tuple[threading.Event, threading.Event]:
    """The first ``action`` audit entry of the decisions service waits (its transaction,
    with the attempt's row lock, still open) until released."""
    held, release = threading.Event(), threading.Event()
    real_audit = audit_record

    def slow_audit(**kwargs):
        if kwargs["action"] == action and not held.is_set():
            held.set()
            release.wait(5)
        return real_audit(**kwargs)

    monkeypatch.setattr(decision_services, "audit_record", slow_audit)
    return held, release


def test_two_proposals_at_once_make_one(sitting: Sitting, two_reviewers, monkeypatch):
    first, second = two_reviewers
    held, release = hold_first_audit(monkeypatch, "attempt.decision_propose")

    def propose(actor, decision, category):
        return services.attempt_decide(
            actor=actor,
            attempt_id=sitting.attempt.pk,
            decision=decision,
            category=category,
            comment="race",
        )

    one, a = in_thread(lambda: propose(first, "cancel", "another_person"))
    assert held.wait(5)
    two, b = in_thread(lambda: propose(second, "postpone", "technical_failure"))
    two.join(0.5)
    assert two.is_alive()  # waiting for the attempt's row lock
    release.set()
    one.join(5)
    two.join(5)
    assert "result" in a, a
    assert isinstance(b.get("error"), DomainError), b
    assert b["error"].message == services.ERR_PROPOSAL_OPEN
    assert DecisionProposal.objects.get().decision == "cancel"


def test_a_confirm_and_a_reject_at_once_answer_the_proposal_once(
    world, sitting: Sitting, two_reviewers, monkeypatch
):
    first, second = two_reviewers
    proposal = services.attempt_decide(
        actor=first,
        attempt_id=sitting.attempt.pk,
        decision="cancel",
        category="another_person",
        comment="race",
    ).proposal
    held, release = hold_first_audit(monkeypatch, "attempt.decision_confirm")
    one, confirm = in_thread(
        lambda: services.attempt_proposal_review(
            actor=second, proposal_id=proposal.pk, action="confirm"
        )
    )
    assert held.wait(5)
    two, reject = in_thread(
        lambda: services.attempt_proposal_review(
            actor=world.registrar, proposal_id=proposal.pk, action="reject", note="No"
        )
    )
    two.join(0.5)
    assert two.is_alive()
    release.set()
    one.join(5)
    two.join(5)
    assert "result" in confirm, confirm
    assert isinstance(reject.get("error"), DomainError), reject
    assert reject["error"].message == services.ERR_PROPOSAL_CLOSED
    assert DecisionProposal.objects.get().status == ProposalStatus.CONFIRMED
    assert Attempt.objects.get().decision == "cancel"
