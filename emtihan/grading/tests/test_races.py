"""Races the work's row lock is there for, run with real concurrent transactions.
PostgreSQL only: SQLite serialises writers, so there is no race to lose."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from emtihan.accounts.models import Role
from emtihan.attempts.tests.test_races import in_thread
from emtihan.audit.services import audit_record
from emtihan.conftest import make_user
from emtihan.core.errors import DomainError
from emtihan.exams import assignments
from emtihan.exams.models import QuestionKind
from emtihan.grading.models import Mark, Work
from emtihan.grading.services import MarkInput, marking, results_release, work_mark, works_ensure
from emtihan.grading.services.rules import ERR_RELEASED, ERR_STALE

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def held_audit(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """The first mark's audit entry waits (inside its transaction, the work locked) until
    ``go`` is set; ``inside`` says it got there."""
    inside, go = threading.Event(), threading.Event()
    calls = []

    def slow(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            inside.set()
            go.wait(10)
        return audit_record(**kwargs)

    monkeypatch.setattr(marking, "audit_record", slow)
    return inside, go


def written(work: Work) -> int:
    return next(e["q"] for e in work.attempt.layout if e["kind"] == QuestionKind.WRITTEN)


def test_two_graders_saving_one_work_at_once_one_is_refused(pile, world, monkeypatch):
    second = make_user("grader2@test.local", Role.GRADER, full_name="Second Grader")
    assignments.grader_assign(actor=world.registrar, user=second, exam=pile.exam)
    works_ensure(exam=pile.exam)
    work = Work.objects.select_related("attempt").get(attempt=pile.attempts[0])
    question = written(work)
    inside, go = held_audit(monkeypatch)
    first, first_out = in_thread(lambda: work_mark(
        actor=pile.grader, work_id=work.pk, revision=0, marks=[MarkInput(question, "1", "A")]
    ))  # fmt: skip
    assert inside.wait(10)
    other, other_out = in_thread(lambda: work_mark(
        actor=second, work_id=work.pk, revision=0, marks=[MarkInput(question, "0", "B")]
    ))  # fmt: skip
    other.join(0.5)
    assert other.is_alive()  # waiting for the work's lock
    go.set()
    first.join(10)
    other.join(10)
    assert "error" not in first_out
    assert isinstance(other_out.get("error"), DomainError)
    assert other_out["error"].message == ERR_STALE
    mark = Mark.objects.get(work=work, question_id=question)
    assert (str(mark.points), mark.comment) == ("1.00", "A")


def test_a_mark_racing_the_release_is_in_the_result_or_refused(pile, world, monkeypatch):
    works_ensure(exam=pile.exam)
    work = Work.objects.select_related("attempt").get(attempt=pile.attempts[0])
    question = written(work)
    work_mark(actor=pile.grader, work_id=work.pk, revision=0, marks=[MarkInput(question, "0")])
    inside, go = held_audit(monkeypatch)
    marker, mark_out = in_thread(lambda: work_mark(
        actor=pile.grader, work_id=work.pk, revision=1, marks=[MarkInput(question, "1", "late")]
    ))  # fmt: skip
    assert inside.wait(10)
    release, release_out = in_thread(lambda: results_release(actor=world.teacher, exam=pile.exam))
    release.join(0.5)
    assert release.is_alive()  # waiting for the work's lock
    go.set()
    marker.join(10)
    release.join(10)
    assert "error" not in mark_out and "error" not in release_out
    work.refresh_from_db()
    # the mark saved first is counted: 5 closed points + the written 1
    assert str(work.result_points) == "6.00"
    with pytest.raises(DomainError) as refused:
        work_mark(actor=pile.grader, work_id=work.pk, revision=work.revision,
                  marks=[MarkInput(question, "0")])  # fmt: skip
    assert refused.value.message == ERR_RELEASED
