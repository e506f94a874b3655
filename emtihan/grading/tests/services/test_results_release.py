"""Release: who may, what is released (marked works whose sitting counts), the frozen
result under the scale, the audit entry and the student's mail in their language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from emtihan.attempts.models import Attempt, Decision
from emtihan.audit.models import AuditEntry
from emtihan.core.errors import DomainError, PermissionDeniedError
from emtihan.exams.models import QuestionKind
from emtihan.grading.models import Work
from emtihan.grading.services import MarkInput, results_release, work_mark, works_ensure

pytestmark = pytest.mark.django_db


def mark_written(pile, attempt: Attempt, points: str) -> Work:
    works_ensure(exam=pile.exam)
    work = Work.objects.get(attempt=attempt)
    written = next(e["q"] for e in attempt.layout if e["kind"] == QuestionKind.WRITTEN)
    return work_mark(actor=pile.grader, work_id=work.pk, revision=work.revision,
                     marks=[MarkInput(written, points, "Well argued")])  # fmt: skip


def test_the_teacher_releases_marked_works_only(pile, world):
    pile.users[0].language = "kk"
    pile.users[0].save()
    mark_written(pile, pile.attempts[0], "0.5")  # right closed answers: 5 + 0.5 of 6
    mark_written(pile, pile.attempts[1], "1")  # wrong closed answers: 1 of 6
    released = results_release(actor=world.teacher, exam=pile.exam)
    assert {w.attempt_id for w in released} == {pile.attempts[0].pk, pile.attempts[1].pk}

    first = Work.objects.get(attempt=pile.attempts[0])
    assert (first.result_points, first.result_max) == (Decimal("5.50"), Decimal("6.00"))
    assert first.result_percent == 92  # 91.67 % rounds to 92
    assert (first.result_letter, first.result_gpa, first.result_traditional) == (
        "A-", Decimal("3.67"), "excellent",
    )  # fmt: skip
    second = Work.objects.get(attempt=pile.attempts[1])
    assert (second.result_percent, second.result_letter) == (17, "F")  # 16.67 %
    for waiting in pile.attempts[2:]:
        assert Work.objects.get(attempt=waiting).released_at is None

    entry = AuditEntry.objects.get(action="grading.release")
    assert {w["code"] for w in entry.data["works"]} == {first.code, second.code}
    # one mail per released student, in their language
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [pile.users[0].email, pile.users[1].email]
    )
    kazakh = next(m for m in mail.outbox if m.to == [pile.users[0].email])
    assert "A-" in kazakh.body and "нәтиже" in (kazakh.subject + kazakh.body).lower()


def test_a_second_release_releases_what_was_marked_since(pile, world):
    mark_written(pile, pile.attempts[0], "1")
    results_release(actor=world.teacher, exam=pile.exam)
    with pytest.raises(DomainError):
        results_release(actor=world.teacher, exam=pile.exam)  # nothing new
    mark_written(pile, pile.attempts[2], "1")
    assert [w.attempt_id for w in results_release(actor=world.teacher, exam=pile.exam)] == [
        pile.attempts[2].pk
    ]


def test_released_marks_no_longer_change(pile, world):
    work = mark_written(pile, pile.attempts[0], "1")
    results_release(actor=world.teacher, exam=pile.exam)
    written = next(e["q"] for e in pile.attempts[0].layout if e["kind"] == QuestionKind.WRITTEN)
    with pytest.raises(DomainError):
        work_mark(actor=pile.grader, work_id=work.pk, revision=work.revision,
                  marks=[MarkInput(written, "0")])  # fmt: skip


def test_sittings_waiting_for_or_given_a_negative_decision_are_held(pile, world):
    mark_written(pile, pile.attempts[0], "1")
    mark_written(pile, pile.attempts[1], "1")
    Attempt.objects.filter(pk=pile.attempts[0].pk).update(decision=Decision.PENDING)
    Attempt.objects.filter(pk=pile.attempts[1].pk).update(decision=Decision.CANCEL)
    with pytest.raises(DomainError):
        results_release(actor=world.teacher, exam=pile.exam)


def test_only_the_exams_teachers_and_the_exam_office_release(pile, world):
    mark_written(pile, pile.attempts[0], "1")
    for person in (pile.grader, world.other_teacher, pile.users[0]):
        with pytest.raises(PermissionDeniedError):
            results_release(actor=person, exam=pile.exam)
    world.registrar.is_staff = True
    world.registrar.save()
    assert len(results_release(actor=world.registrar, exam=pile.exam)) == 1
