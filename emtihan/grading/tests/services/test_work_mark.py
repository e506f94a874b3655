"""A grader's marks: limits, the auto-grader's override with a reason, the states, the
stale-save refusal and the audit entries (which name the code, never the student)."""

from __future__ import annotations

import pytest

from emtihan.accounts.models import Role
from emtihan.audit.models import AuditEntry
from emtihan.conftest import make_user
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.exams.models import QuestionKind
from emtihan.grading.models import Mark, Work, WorkState
from emtihan.grading.services import MarkInput, work_mark, works_ensure
from emtihan.grading.services.rules import (
    ERR_NOT_A_NUMBER,
    ERR_OUT_OF_RANGE,
    ERR_STALE,
    ERR_TOO_PRECISE,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(pile) -> Work:
    works_ensure(exam=pile.exam)
    return Work.objects.get(attempt=pile.attempts[0])


def question_of(work: Work, kind: str) -> int:
    return next(e["q"] for e in work.attempt.layout if e["kind"] == kind)


def test_marks_decimals_comma_and_the_states(pile, work):
    written = question_of(work, QuestionKind.WRITTEN)
    saved = work_mark(actor=pile.grader, work_id=work.pk, revision=0,
                      marks=[MarkInput(written, "", "not yet")])  # fmt: skip
    assert saved.state == WorkState.IN_PROGRESS and saved.revision == 1
    saved = work_mark(actor=pile.grader, work_id=work.pk, revision=1,
                      marks=[MarkInput(written, "0,75", "Good start; units missing.")])  # fmt: skip
    assert saved.state == WorkState.MARKED
    mark = Mark.objects.get(work=work, question_id=written)
    assert str(mark.points) == "0.75" and mark.comment == "Good start; units missing."
    assert mark.marked_by == pile.grader


@pytest.mark.parametrize(
    ("raw", "message"),
    [("abc", ERR_NOT_A_NUMBER), ("1e3", ERR_NOT_A_NUMBER), ("-1", ERR_OUT_OF_RANGE),
     ("1.01", ERR_OUT_OF_RANGE), ("0.125", ERR_TOO_PRECISE), ("NaN", ERR_NOT_A_NUMBER)],
)  # fmt: skip
def test_a_mark_out_of_limits_is_refused(pile, work, raw, message):
    written = question_of(work, QuestionKind.WRITTEN)
    with pytest.raises(ValidationFailed) as refused:
        work_mark(actor=pile.grader, work_id=work.pk, revision=0, marks=[MarkInput(written, raw)])
    text = " ".join(refused.value.errors[f"q{written}"])
    assert message.split("%")[0].split("(")[0].strip() in text
    assert Work.objects.get(pk=work.pk).revision == 0


def test_overriding_the_auto_grader_needs_a_reason_and_keeps_both(pile, work):
    single = question_of(work, QuestionKind.SINGLE)
    with pytest.raises(ValidationFailed) as refused:
        work_mark(actor=pile.grader, work_id=work.pk, revision=0, marks=[MarkInput(single, "0.5")])
    assert f"q{single}-reason" in refused.value.errors
    work_mark(actor=pile.grader, work_id=work.pk, revision=0,
              marks=[MarkInput(single, "0.5", reason="Option A is only half right as worded")])  # fmt: skip
    mark = Mark.objects.get(work=work, question_id=single)
    assert (str(mark.points), str(mark.auto_points)) == ("0.50", "1.00")
    assert mark.override_reason == "Option A is only half right as worded"


def test_a_stale_save_is_refused_not_applied(pile, work):
    written = question_of(work, QuestionKind.WRITTEN)
    work_mark(actor=pile.grader, work_id=work.pk, revision=0, marks=[MarkInput(written, "1")])
    with pytest.raises(DomainError) as refused:
        work_mark(actor=pile.grader, work_id=work.pk, revision=0, marks=[MarkInput(written, "0")])
    assert refused.value.message == ERR_STALE
    assert str(Mark.objects.get(work=work, question_id=written).points) == "1.00"


def test_only_the_exams_graders_mark(pile, work, world):
    written = question_of(work, QuestionKind.WRITTEN)
    idle = make_user("idle@test.local", Role.GRADER)
    for person in (idle, world.teacher, world.registrar, pile.users[0]):
        with pytest.raises(PermissionDeniedError):
            work_mark(actor=person, work_id=work.pk, revision=0, marks=[MarkInput(written, "1")])


def test_every_changed_mark_is_audited_by_code(pile, work):
    written = question_of(work, QuestionKind.WRITTEN)
    single = question_of(work, QuestionKind.SINGLE)
    work_mark(actor=pile.grader, work_id=work.pk, revision=0,
              marks=[MarkInput(written, "0.5", "ok"), MarkInput(single, "1.00")])  # fmt: skip
    entries = list(AuditEntry.objects.filter(action="grading.mark"))
    assert len(entries) == 1  # the unchanged auto mark is not an entry
    entry = entries[0]
    assert entry.data["code"] == work.code and entry.data["points"] == "0.50"
    assert entry.data["question"] == written and entry.actor == pile.grader
    text = str(entry.data)
    assert not any(identity in text for identity in pile.identities)
