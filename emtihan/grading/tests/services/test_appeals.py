"""Appeals: the student files one within the period, the commission changes marks (old
and new kept, the grade recomputed by the scale) or rejects with a reason; mails in the
student's language; every step audited; clear refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from emtihan.attempts.models import Attempt
from emtihan.audit.models import AuditEntry
from emtihan.core.errors import DomainError, NotFoundError, PermissionDeniedError, ValidationFailed
from emtihan.exams.models import QuestionKind
from emtihan.grading.models import Appeal, AppealChange, AppealStatus, Mark, Work
from emtihan.grading.services import (
    NewMark,
    appeal_decide,
    appeal_file,
    may_still_appeal,
    results_release,
)

from .test_results_release import mark_written

pytestmark = pytest.mark.django_db


def released(pile, world, attempt: Attempt, points: str = "0.5") -> Work:
    mark_written(pile, attempt, points)
    results_release(actor=world.teacher, exam=pile.exam)
    return Work.objects.get(attempt=attempt)


def written_of(attempt: Attempt) -> int:
    return next(e["q"] for e in attempt.layout if e["kind"] == QuestionKind.WRITTEN)


def test_a_changed_mark_recomputes_the_grade_and_keeps_the_old_marks(pile, world):
    user, attempt = pile.users[1], pile.attempts[1]  # wrong closed answers: 0.5 of 6
    user.language = "ru"
    user.save()
    work = released(pile, world, attempt)
    assert (work.result_points, work.result_letter) == (Decimal("0.50"), "F")
    appeal = appeal_file(
        actor=user, attempt_id=attempt.pk, reason="  Вопрос 6 проверен не полностью. "
    )
    assert appeal.reason == "Вопрос 6 проверен не полностью." and appeal.is_open
    assert (appeal.points_before, appeal.letter_before) == (Decimal("0.50"), "F")
    mail.outbox.clear()

    single = next(e["q"] for e in attempt.layout if e["kind"] == QuestionKind.SINGLE)
    decided = appeal_decide(
        actor=world.teacher,
        appeal_id=appeal.pk,
        change=True,
        marks=[NewMark(written_of(attempt), "1"), NewMark(single, "1")],
        answer="Пересмотрено.",
    )
    assert decided.status == AppealStatus.CHANGED
    work.refresh_from_db()
    # 1 (single, now right) + 1 (written) of 6 = 33 % -> FX
    assert (work.result_points, work.result_percent, work.result_letter) == (
        Decimal("2.00"), 33, "FX",
    )  # fmt: skip
    assert work.result_gpa == Decimal("0.00") and work.result_traditional == "unsatisfactory"
    changes = {c.question_id: c for c in AppealChange.objects.filter(appeal=appeal)}
    assert changes[written_of(attempt)].points_before == Decimal("0.50")
    assert changes[written_of(attempt)].points_after == Decimal("1.00")
    assert changes[single].points_before == Decimal("0.00")
    assert Mark.objects.get(work=work, question_id=single).points == Decimal("1.00")

    entries = list(AuditEntry.objects.filter(action__startswith="grading.appeal").order_by("pk"))
    assert [e.action for e in entries] == ["grading.appeal_file", "grading.appeal_decide"]
    assert entries[1].data["before"] == {"points": "0.50", "letter": "F"}
    assert entries[1].data["after"] == {"points": "2.00", "letter": "FX"}
    assert {c["points_after"] for c in entries[1].data["changes"]} == {"1.00"}
    # the student's mail, in Russian
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert "апелляц" in message.subject.lower() and "F → FX" in message.body


def test_a_rejection_needs_a_reason_and_leaves_the_result(pile, world):
    user, attempt = pile.users[0], pile.attempts[0]
    work = released(pile, world, attempt)
    appeal = appeal_file(actor=user, attempt_id=attempt.pk, reason="Please re-check question 6.")
    with pytest.raises(ValidationFailed) as refused:
        appeal_decide(actor=world.teacher, appeal_id=appeal.pk, change=False, marks=[], answer=" ")
    assert "answer" in refused.value.errors
    mail.outbox.clear()
    appeal_decide(
        actor=world.teacher, appeal_id=appeal.pk, change=False, marks=[],
        answer="The marking follows the rubric.",
    )  # fmt: skip
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED and appeal.decided_by == world.teacher
    before = (work.result_points, work.result_letter)
    work.refresh_from_db()
    assert (work.result_points, work.result_letter) == before
    assert len(mail.outbox) == 1 and "The marking follows the rubric." in mail.outbox[0].body
    # decided is final
    with pytest.raises(DomainError, match="already been decided"):
        appeal_decide(actor=world.teacher, appeal_id=appeal.pk, change=False, marks=[], answer="x")


def test_one_appeal_per_result_and_none_after_the_period(pile, world, settings):
    user, attempt = pile.users[0], pile.attempts[0]
    work = released(pile, world, attempt)
    with pytest.raises(ValidationFailed) as empty:
        appeal_file(actor=user, attempt_id=attempt.pk, reason="   ")
    assert "reason" in empty.value.errors
    appeal_file(actor=user, attempt_id=attempt.pk, reason="Question 6")
    with pytest.raises(DomainError, match="already appealed"):
        appeal_file(actor=user, attempt_id=attempt.pk, reason="Again")
    assert Appeal.objects.count() == 1

    other = released(pile, world, pile.attempts[2])
    settings.GRADING_APPEAL_DAYS = 3
    late = other.released_at + dt.timedelta(days=3, seconds=1)
    assert may_still_appeal(other, now=other.released_at + dt.timedelta(days=3))
    assert not may_still_appeal(other, now=late)
    with pytest.raises(DomainError, match="appeal period ended"):
        appeal_file(actor=pile.users[2], attempt_id=pile.attempts[2].pk, reason="x", now=late)
    assert not may_still_appeal(work)  # already appealed


def test_who_may_file_and_review(pile, world):
    attempt = pile.attempts[0]
    # not released yet
    mark_written(pile, attempt, "1")
    with pytest.raises(DomainError, match="not released"):
        appeal_file(actor=pile.users[0], attempt_id=attempt.pk, reason="x")
    results_release(actor=world.teacher, exam=pile.exam)
    # someone else's result: as if it did not exist
    with pytest.raises(NotFoundError):
        appeal_file(actor=pile.users[1], attempt_id=attempt.pk, reason="x")
    appeal = appeal_file(actor=pile.users[0], attempt_id=attempt.pk, reason="x")
    for outsider in (pile.grader, pile.users[1], world.other_teacher):
        with pytest.raises(PermissionDeniedError):
            appeal_decide(actor=outsider, appeal_id=appeal.pk, change=False, marks=[], answer="no")
    # out of range, too precise, and no change at all are refused, nothing written
    q = written_of(attempt)
    for typed, message in (("9", "from 0"), ("0.555", "two decimal"), ("1", "No mark was changed")):
        with pytest.raises(ValidationFailed, match=message):
            appeal_decide(actor=world.teacher, appeal_id=appeal.pk, change=True,
                          marks=[NewMark(q, typed)], answer="")  # fmt: skip
    assert Appeal.objects.get().is_open and not AppealChange.objects.exists()
    assert timezone.now() > appeal.filed_at
