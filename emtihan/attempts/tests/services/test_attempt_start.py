from __future__ import annotations

import datetime as dt

import pytest

from emtihan.attempts import services
from emtihan.attempts.models import Attempt, AttemptStatus
from emtihan.attempts.tests.conftest import MINUTE, NOW, make_exam
from emtihan.audit.models import AuditEntry
from emtihan.core.errors import DomainError, PermissionDeniedError
from emtihan.exams.models import Accommodation, ExamStatus, QuestionKind
from emtihan.university.models import Student


def start(user, exam, at=NOW):
    return services.attempt_start(student_user=user, exam_id=exam.pk, now=at)


def test_the_deadline_is_start_plus_duration(world, exam):
    attempt = start(world.student, exam, at=NOW + 5 * MINUTE)
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert attempt.started_at == NOW + 5 * MINUTE
    assert attempt.deadline == NOW + 95 * MINUTE
    assert attempt.last_seen_at == attempt.started_at


def test_extra_time_is_added(world, exam):
    student = Student.objects.get(user=world.student)
    Accommodation.objects.create(exam=exam, student=student, extra_minutes=30)
    assert start(world.student, exam).deadline == NOW + 120 * MINUTE


def test_the_window_close_caps_the_deadline_even_with_extra_time(world, exam):
    student = Student.objects.get(user=world.student)
    Accommodation.objects.create(exam=exam, student=student, extra_minutes=30)
    late = exam.closes_at - 40 * MINUTE
    assert start(world.student, exam, at=late).deadline == exam.closes_at


def test_a_second_start_returns_the_same_attempt_and_does_not_move_the_deadline(
    world, exam, django_assert_max_num_queries
):
    first = start(world.student, exam)
    with django_assert_max_num_queries(1):
        again = start(world.student, exam, at=NOW + 30 * MINUTE)
    assert again.pk == first.pk
    assert again.deadline == first.deadline
    assert again.seed == first.seed and again.layout == first.layout
    assert Attempt.objects.count() == 1


def test_the_layout_holds_every_question_with_its_kind_and_options(world, exam):
    attempt = start(world.student, exam)
    assert {e["q"] for e in attempt.layout} == set(exam.questions.values_list("pk", flat=True))
    single = next(e for e in attempt.layout if e["kind"] == QuestionKind.SINGLE)
    assert sorted(single["options"]) == ["a", "b", "c"]
    assert 0 <= attempt.seed < 2**63


def test_the_start_is_audited(world, exam):
    attempt = start(world.student, exam)
    entry = AuditEntry.objects.get(action="attempt.start")
    assert entry.object_id == str(attempt.pk)
    assert entry.actor == world.student


def test_students_of_other_groups_are_refused(world, exam, other_student):
    with pytest.raises(PermissionDeniedError) as exc:
        start(other_student, exam)
    assert exc.value.message == services.ERR_NOT_YOUR_GROUP


def test_people_who_are_not_students_are_refused(world, exam):
    with pytest.raises(PermissionDeniedError) as exc:
        start(world.teacher, exam)
    assert exc.value.message == services.ERR_NOT_STUDENT


def test_before_the_window_is_refused(world, exam):
    with pytest.raises(DomainError) as exc:
        start(world.student, exam, at=exam.opens_at - dt.timedelta(seconds=1))
    assert exc.value.message == services.ERR_NOT_OPEN_YET


@pytest.mark.parametrize("after", [dt.timedelta(0), dt.timedelta(hours=1)])
def test_after_the_window_is_refused(world, exam, after):
    with pytest.raises(DomainError) as exc:
        start(world.student, exam, at=exam.closes_at + after)
    assert exc.value.message == services.ERR_WINDOW_CLOSED


def test_an_unpublished_exam_cannot_be_started(world):
    exam = make_exam(world, status=ExamStatus.DRAFT)
    with pytest.raises(services.NotFoundError):
        start(world.student, exam)


def test_two_simultaneous_starts_make_one_attempt(world, exam, monkeypatch):
    first = start(world.student, exam)
    real = services.start._existing_attempt
    calls = []

    def not_yet_visible(**kwargs):
        # The second request looked before the first one's row was committed.
        calls.append(kwargs)
        return None if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(services.start, "_existing_attempt", not_yet_visible)
    second = start(world.student, exam, at=NOW + MINUTE)
    assert second.pk == first.pk and second.deadline == first.deadline
    assert Attempt.objects.count() == 1


def test_a_start_after_the_deadline_returns_the_locked_attempt(world, exam):
    first = start(world.student, exam)
    again = start(world.student, exam, at=first.deadline + MINUTE)
    assert again.pk == first.pk
    assert again.status == AttemptStatus.TIMED_OUT
