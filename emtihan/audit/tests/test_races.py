"""Two exams' audit writes never wait for each other; one exam's writes still queue on its
chain's head and keep the chain linear. Real concurrent transactions: PostgreSQL only
(SQLite serialises writers, so there is nothing to show)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from emtihan.attempts.tests.conftest import make_exam
from emtihan.attempts.tests.test_races import in_thread
from emtihan.audit.models import AuditEntry, exam_chain
from emtihan.audit.services import audit_record, audit_verify

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


@pytest.fixture
def exams(world):
    """Two exams whose chains are open, as creating them through the service leaves them."""
    a, b = make_exam(world), make_exam(world, group=world.g2, title="Algebra final, g2")
    for exam in (a, b):
        audit_record(actor=world.teacher, action="exams.create", obj=exam)
    return a, b


def holding_the_head(exam, world) -> tuple[threading.Thread, threading.Event, threading.Event]:
    """A transaction that has appended to ``exam``'s chain and has not committed yet."""
    appended, release = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction.atomic():
            audit_record(actor=world.teacher, action="attempt.start", obj=exam)
            appended.set()
            release.wait(10)

    thread, _outcome = in_thread(hold)
    assert appended.wait(5)
    return thread, appended, release


def test_another_exams_write_does_not_wait_for_a_held_chain(exams, world):
    a, b = exams
    holder, _appended, release = holding_the_head(a, world)
    try:
        started = time.monotonic()
        with transaction.atomic():
            # Waiting for exam A's head would fail here instead of passing slowly.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            entry = audit_record(actor=world.teacher, action="attempt.start", obj=b)
        took = time.monotonic() - started
    finally:
        release.set()
        holder.join(5)

    assert (entry.chain, entry.seq) == (exam_chain(b.pk), 2)
    assert took < 1.0, f"exam B's write took {took:.2f} s while exam A's head was held"
    assert audit_verify().ok


def test_the_same_exams_writes_queue_on_its_head(exams, world):
    a, _b = exams
    holder, _appended, release = holding_the_head(a, world)
    waiter, waited = in_thread(
        lambda: audit_record(actor=world.teacher, action="attempt.finish", obj=a)
    )
    waiter.join(0.5)
    assert waiter.is_alive()  # it waits for the holder's commit

    release.set()
    holder.join(5)
    waiter.join(5)

    assert "error" not in waited, waited
    assert (waited["result"].chain, waited["result"].seq) == (exam_chain(a.pk), 3)
    assert audit_verify().ok


def test_many_concurrent_writers_keep_each_chain_linear(exams, world):
    a, b = exams
    start = threading.Barrier(8)

    def write(exam) -> None:
        start.wait(5)
        for n in range(5):
            audit_record(actor=world.teacher, action="attempt.answer_send", obj=exam, data={"n": n})

    threads = [in_thread(lambda exam=exam: write(exam)) for exam in (a, b) * 4]
    for thread, _outcome in threads:
        thread.join(30)
    assert all("error" not in outcome for _thread, outcome in threads)

    for exam in (a, b):
        seqs = list(
            AuditEntry.objects.filter(chain=exam_chain(exam.pk))
            .order_by("seq")
            .values_list("seq", flat=True)
        )
        assert seqs == list(range(1, 22))  # the creation, then 4 writers x 5
    report = audit_verify()
    assert report.ok, report.reason
