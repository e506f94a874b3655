"""Rubrics: the teacher's criteria (sum within the question's points, written questions
only, the exam's teachers and the exam office), and a grader's points per criterion that
add up to the mark."""

from __future__ import annotations

from decimal import Decimal

import pytest

from emtihan.audit.models import AuditEntry
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.exams.models import Question, QuestionKind
from emtihan.grading.models import Criterion, Mark, Work, WorkState
from emtihan.grading.services import CriterionInput, MarkInput, rubric_set, work_mark, works_ensure
from emtihan.grading.services.rules import ERR_CRITERIA_DISAGREE, ERR_RUBRIC_TOO_MUCH

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(pile) -> Question:
    question = Question.objects.get(exam=pile.exam, kind=QuestionKind.WRITTEN)
    question.points = Decimal("4")
    question.save()
    return question


def rows(*pairs: tuple[str, str]) -> list[CriterionInput]:
    return [CriterionInput(text, points) for text, points in pairs]


def test_the_teacher_sets_a_rubric_within_the_points(pile, world, written):
    saved = rubric_set(actor=world.teacher, question_id=written.pk,
                       rows=rows(("Formula right", "2"), ("", ""), ("Units", "1,5")))  # fmt: skip
    assert [(c.text, c.points) for c in saved] == [
        ("Formula right", Decimal("2.00")),
        ("Units", Decimal("1.50")),
    ]
    entry = AuditEntry.objects.filter(action="grading.rubric").get()
    assert entry.data["after"][1] == {"text": "Units", "points": "1.50"}
    # saved again: replaced as a whole, the audit keeps the one before
    rubric_set(actor=world.teacher, question_id=written.pk, rows=rows(("All of it", "4")))
    assert list(Criterion.objects.values_list("text", flat=True)) == ["All of it"]
    assert AuditEntry.objects.filter(action="grading.rubric").count() == 2


def test_a_rubric_above_the_points_or_malformed_is_refused(world, written):
    with pytest.raises(ValidationFailed) as refused:
        rubric_set(actor=world.teacher, question_id=written.pk,
                   rows=rows(("A", "3"), ("B", "1.5")))  # fmt: skip
    assert ERR_RUBRIC_TOO_MUCH.split("%")[0] in " ".join(refused.value.errors["__all__"])
    with pytest.raises(ValidationFailed) as refused:
        rubric_set(actor=world.teacher, question_id=written.pk,
                   rows=rows(("", "1"), ("B", "0"), ("C", "x"), ("D", "0.125")))  # fmt: skip
    assert set(refused.value.errors) == {"c0-text", "c1-points", "c2-points", "c3-points"}
    assert not Criterion.objects.exists()


def test_only_managers_set_rubrics_and_only_on_written_questions(pile, world, written):
    with pytest.raises(PermissionDeniedError):
        rubric_set(actor=pile.grader, question_id=written.pk, rows=rows(("A", "1")))
    closed = Question.objects.filter(exam=pile.exam).exclude(kind=QuestionKind.WRITTEN).first()
    with pytest.raises(DomainError):
        rubric_set(actor=world.teacher, question_id=closed.pk, rows=rows(("A", "1")))
    assert not Criterion.objects.exists()


def test_points_per_criterion_add_up_to_the_mark(pile, world, written):
    first, second = rubric_set(actor=world.teacher, question_id=written.pk,
                               rows=rows(("Formula", "2"), ("Units", "1.5")))  # fmt: skip
    works_ensure(exam=pile.exam)
    work = Work.objects.get(attempt=pile.attempts[0])
    # the mark left blank: the criteria decide it
    work_mark(actor=pile.grader, work_id=work.pk, revision=0,
              marks=[MarkInput(written.pk, "", criteria={first.pk: "2", second.pk: "0,5"})])  # fmt: skip
    mark = Mark.objects.get(work=work, question=written)
    assert mark.points == Decimal("2.50") and mark.criteria == {
        str(first.pk): "2.00",
        str(second.pk): "0.50",
    }
    # only a criterion changed (the mark field still shows the stored 2.5): the new sum
    work_mark(actor=pile.grader, work_id=work.pk, revision=1,
              marks=[MarkInput(written.pk, "2.5", criteria={first.pk: "2", second.pk: "1.5"})])  # fmt: skip
    assert Mark.objects.get(pk=mark.pk).points == Decimal("3.50")
    # a new mark that disagrees with the criteria: refused, nothing saved
    with pytest.raises(ValidationFailed) as refused:
        work_mark(actor=pile.grader, work_id=work.pk, revision=2,
                  marks=[MarkInput(written.pk, "1", criteria={first.pk: "2"})])  # fmt: skip
    assert ERR_CRITERIA_DISAGREE.split("%")[0] in " ".join(refused.value.errors[f"q{written.pk}"])
    # a criterion above its points: refused on that criterion
    with pytest.raises(ValidationFailed) as refused:
        work_mark(actor=pile.grader, work_id=work.pk, revision=2,
                  marks=[MarkInput(written.pk, "", criteria={second.pk: "1.75"})])  # fmt: skip
    assert f"q{written.pk}-c{second.pk}" in refused.value.errors
    assert Mark.objects.get(pk=mark.pk).points == Decimal("3.50")
    # or just the mark, no criteria
    saved = work_mark(actor=pile.grader, work_id=work.pk, revision=2,
                      marks=[MarkInput(written.pk, "3")])  # fmt: skip
    assert Mark.objects.get(pk=mark.pk).points == Decimal("3.00")
    assert Mark.objects.get(pk=mark.pk).criteria == {}
    assert saved.state == WorkState.MARKED
