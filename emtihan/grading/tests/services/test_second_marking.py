"""Second marking: two graders mark independently; within the threshold the final mark is
the mean (rounded half up to two decimals); above it the work waits to settle, and the
teacher, the exam office or a third grader settles it with a reason. All marks kept,
audited; release uses the final mark."""

from __future__ import annotations

from decimal import Decimal

import pytest

from emtihan.accounts.models import Role
from emtihan.attempts.models import Attempt, Decision
from emtihan.audit.models import AuditEntry
from emtihan.conftest import make_user
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.exams import assignments
from emtihan.exams.models import Question, QuestionKind
from emtihan.grading.models import Mark, Marking, MarkingScore, Work, WorkState
from emtihan.grading.services import (
    MarkInput,
    independent_mark,
    marking_settings_set,
    results_release,
    work_mark,
    work_settle,
    works_ensure,
)
from emtihan.grading.services.second import mean

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(pile, world):
    Question.objects.filter(exam=pile.exam, kind=QuestionKind.WRITTEN).update(points=10)
    marking_settings_set(actor=world.teacher, exam=pile.exam, second_marking=True,
                         threshold="2", unit="points")  # fmt: skip
    graders = [pile.grader]
    for n in (2, 3):
        extra = make_user(f"grader{n}@test.local", Role.GRADER, full_name=f"Grader {n}")
        assignments.grader_assign(actor=world.registrar, user=extra, exam=pile.exam)
        graders.append(extra)
    works_ensure(exam=pile.exam)
    return graders


def written_of(pile) -> int:
    return Question.objects.get(exam=pile.exam, kind=QuestionKind.WRITTEN).pk


def mark_as(grader, work: Work, written: int, points: str, comment: str = "") -> Marking:
    marking = Marking.objects.filter(work=work, grader=grader).first()
    revision = marking.revision if marking else 0
    return independent_mark(actor=grader, work_id=work.pk, revision=revision,
                            marks=[MarkInput(written, points, comment)])  # fmt: skip


def test_within_the_threshold_the_final_mark_is_the_mean(pile, second):
    work, written = Work.objects.get(attempt=pile.attempts[0]), written_of(pile)
    first = mark_as(second[0], work, written, "7", "Good")
    assert first.submitted_at is not None  # every question marked (closed ones by the auto-grader)
    assert Work.objects.get(pk=work.pk).state == WorkState.IN_PROGRESS
    assert Mark.objects.get(work=work, question_id=written).points is None  # nothing final yet
    mark_as(second[1], work, written, "8,25", "Units missing")
    work.refresh_from_db()
    final = Mark.objects.get(work=work, question_id=written)
    assert work.state == WorkState.MARKED and final.points == Decimal("7.63")  # 7.625 half up
    assert final.comment == "Good\n\nUnits missing"
    # all marks kept
    assert sorted(
        MarkingScore.objects.filter(question_id=written).values_list("points", flat=True)
    ) == [
        Decimal("7.00"),
        Decimal("8.25"),
    ]
    assert AuditEntry.objects.filter(action="grading.agreed").count() == 1
    assert AuditEntry.objects.filter(action="grading.mark_independent").count() == 2
    # a third grader is turned away; the two can no longer change their marks
    with pytest.raises(DomainError):
        mark_as(second[2], work, written, "1")
    with pytest.raises(DomainError):
        mark_as(second[0], work, written, "1")


def test_a_difference_above_the_threshold_waits_and_is_settled(pile, world, second):
    work, written = Work.objects.get(attempt=pile.attempts[0]), written_of(pile)
    mark_as(second[0], work, written, "3")
    mark_as(second[1], work, written, "5,5")  # 2.5 apart > 2 points
    work.refresh_from_db()
    assert work.state == WorkState.TO_SETTLE
    assert AuditEntry.objects.get(action="grading.to_settle").data["questions"] == [written]
    # not released while waiting
    Attempt.objects.filter(pk=work.attempt_id).update(decision=Decision.CONTINUE)
    with pytest.raises(DomainError):
        results_release(actor=world.teacher, exam=pile.exam)
    # the two graders may not settle their own difference; a reason is required
    with pytest.raises(PermissionDeniedError):
        work_settle(actor=second[0], work_id=work.pk, marks=[MarkInput(written, "4")], reason="x")
    with pytest.raises(ValidationFailed) as refused:
        work_settle(
            actor=world.teacher, work_id=work.pk, marks=[MarkInput(written, "4")], reason=""
        )
    assert "reason" in refused.value.errors
    # the third grader settles
    work_settle(actor=second[2], work_id=work.pk, reason="Read again: the proof is partly right.",
                marks=[MarkInput(written, "4,5", "Partly right")])  # fmt: skip
    work.refresh_from_db()
    assert work.state == WorkState.MARKED and work.settled_by == second[2]
    assert work.settle_reason == "Read again: the proof is partly right."
    assert Mark.objects.get(work=work, question_id=written).points == Decimal("4.50")
    assert AuditEntry.objects.get(action="grading.settle").data["reason"].startswith("Read again")
    assert Marking.objects.filter(work=work).count() == 2  # the two markings kept
    # release uses the settled mark
    results_release(actor=world.teacher, exam=pile.exam)
    work.refresh_from_db()
    closed = Mark.objects.filter(work=work).exclude(question_id=written)
    expected = Decimal("4.50") + sum((m.points or 0 for m in closed), Decimal(0))
    assert work.result_points == expected


def test_a_percent_threshold_and_a_total_difference(pile, world, second):
    marking_settings_set(actor=world.teacher, exam=pile.exam, second_marking=True,
                         threshold="10", unit="percent")  # fmt: skip
    work, written = Work.objects.get(attempt=pile.attempts[1]), written_of(pile)
    mark_as(second[0], work, written, "5")
    mark_as(second[1], work, written, "6")  # 10 % of 10 points: within ("more than" differs)
    assert Work.objects.get(pk=work.pk).state == WorkState.MARKED
    other = Work.objects.get(attempt=pile.attempts[2])
    mark_as(second[0], other, written, "5")
    mark_as(second[1], other, written, "6,01")
    assert Work.objects.get(pk=other.pk).state == WorkState.TO_SETTLE


def test_settings_lock_once_marking_starts_and_single_marking_is_refused(pile, world, second):
    work, written = Work.objects.get(attempt=pile.attempts[0]), written_of(pile)
    with pytest.raises(DomainError):
        work_mark(actor=second[0], work_id=work.pk, revision=0, marks=[MarkInput(written, "1")])
    mark_as(second[0], work, written, "1")
    with pytest.raises(DomainError):
        marking_settings_set(actor=world.teacher, exam=pile.exam, second_marking=False,
                             threshold="2", unit="points")  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        marking_settings_set(actor=pile.grader, exam=pile.exam, second_marking=False,
                             threshold="2", unit="points")  # fmt: skip
    assert AuditEntry.objects.filter(action="grading.settings").count() == 1


def test_the_mean_rounds_half_up():
    assert mean(Decimal("1.00"), Decimal("1.25")) == Decimal("1.13")
    assert mean(Decimal("0.01"), Decimal("0.00")) == Decimal("0.01")
    assert mean(Decimal("2.50"), Decimal("2.50")) == Decimal("2.50")
