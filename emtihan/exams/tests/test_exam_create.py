"""exam_create / exam_update / exam_publish / exam_unpublish / exam_delete."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from emtihan.audit.models import AuditEntry
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.exams import services
from emtihan.exams.models import Exam, ExamStatus, QuestionKind, TimeoutPolicy

from .conftest import add_question, approve, new_exam, opened, window


def test_it_creates_a_draft_exam_from_an_approved_choice(world, choice):
    opens, closes = window()
    exam = services.exam_create(
        actor=world.teacher,
        choice=choice,
        title="  Algebra   final ",
        opens_at=opens,
        closes_at=closes,
        duration_minutes=90,
        description="Bring a pen.",
        allow_drawings=True,
        allowed_other="A calculator",
        timeout_policy=TimeoutPolicy.EMPTY,
        absence_cap_minutes=15,
        shuffle_options=False,
    )
    exam.refresh_from_db()
    assert exam.status == ExamStatus.DRAFT
    assert exam.title == "Algebra final"
    assert (exam.opens_at, exam.closes_at, exam.duration_minutes) == (opens, closes, 90)
    assert exam.absence_cap_seconds == 15 * 60
    assert exam.allow_formulas and exam.allow_drawings and not exam.allow_pictures
    assert exam.allowed_other == "A calculator"
    assert exam.timeout_policy == TimeoutPolicy.EMPTY
    assert exam.shuffle_questions and not exam.shuffle_options
    assert exam.created_by == world.teacher
    entry = AuditEntry.objects.get(action="exams.create", object_id=str(exam.pk))
    assert entry.data["choice"] == choice.pk
    assert entry.data["absence_cap_seconds"] == 900


@pytest.mark.parametrize(
    ("platform", "form", "exam_type"),
    [
        ("OQYLYQ", "WRITTEN", "TRADITIONAL"),
        ("UNIVER", "WRITTEN", "TRADITIONAL"),
        ("UNIVER", "TESTING", ""),
    ],
)
def test_each_hosted_form_gets_an_exam(world, platform, form, exam_type):
    choice = approve(world, platform=platform, form=form, exam_type=exam_type)
    assert new_exam(world, choice).choice == choice


@pytest.mark.parametrize(
    ("platform", "form", "exam_type", "info"),
    [
        ("UNIVER", "ORAL", "", "Zoom"),
        ("MOODLE", "TESTING", "", ""),
        ("MOODLE", "WRITTEN", "ESSAY", ""),
    ],
)
def test_forms_held_elsewhere_get_no_exam(world, platform, form, exam_type, info):
    choice = approve(world, platform=platform, form=form, exam_type=exam_type, info=info)
    with pytest.raises(DomainError) as exc:
        new_exam(world, choice)
    assert exc.value.message == services.ERR_CHOICE_NOT_HOSTED
    assert not Exam.objects.exists()


def test_a_choice_not_yet_approved_gets_no_exam(world):
    choice = approve(world, approved=False)
    with pytest.raises(DomainError) as exc:
        new_exam(world, choice)
    assert exc.value.message == services.ERR_CHOICE_NOT_APPROVED


def test_only_the_disciplines_teacher_or_staff_creates_it(world, choice):
    for outsider in (world.other_teacher, world.outsider, world.head, world.student):
        with pytest.raises(PermissionDeniedError) as exc:
            services.exam_create(
                actor=outsider,
                choice=choice,
                title="x",
                opens_at=window()[0],
                closes_at=window()[1],
                duration_minutes=60,
            )
        assert exc.value.message == services.ERR_NOT_YOUR_EXAM
    assert world.registrar.is_staff
    opens, closes = window()
    exam = services.exam_create(
        actor=world.registrar,
        choice=choice,
        title="By the exam office",
        opens_at=opens,
        closes_at=closes,
        duration_minutes=60,
    )
    assert exam.created_by == world.registrar


def test_one_exam_per_choice(world, choice):
    new_exam(world, choice)
    with pytest.raises(DomainError) as exc:
        new_exam(world, choice)
    assert exc.value.message == services.ERR_EXAM_EXISTS


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"closes_at": "opens"}, "closes_at", services.ERR_WINDOW_ORDER),
        ({"closes_at": "before"}, "closes_at", services.ERR_WINDOW_ORDER),
        ({"duration_minutes": 0}, "duration_minutes", services.ERR_DURATION),
        ({"duration_minutes": -5}, "duration_minutes", services.ERR_DURATION),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes", services.ERR_DURATION),
        ({"title": "   "}, "title", services.ERR_TITLE_REQUIRED),
        ({"absence_cap_minutes": 0}, "absence_cap_minutes", services.ERR_ABSENCE_CAP),
        ({"timeout_policy": "whatever"}, "timeout_policy", services.ERR_TIMEOUT_POLICY),
        ({"opens_at": None}, "opens_at", services.ERR_OPENS_REQUIRED),
    ],
)
def test_invalid_settings_are_refused_beside_their_field(world, choice, changes, field, message):
    opens, _closes = window()
    if changes.get("closes_at") == "opens":
        changes["closes_at"] = opens
    elif changes.get("closes_at") == "before":
        changes["closes_at"] = opens - dt.timedelta(minutes=1)
    with pytest.raises(ValidationFailed) as exc:
        new_exam(world, choice, **{"opens_at": opens, **changes})
    assert field in exc.value.errors
    assert exc.value.errors[field][0].startswith(message.split("%")[0])
    assert not Exam.objects.exists()


def test_a_duration_longer_than_the_window_is_a_warning_not_an_error(world, choice):
    opens, _closes = window()
    exam = new_exam(world, choice, opens_at=opens, closes_at=opens + dt.timedelta(hours=1))
    assert exam.duration_minutes == 90
    assert services.exam_warnings(exam) == [
        services.WARN_DURATION_LONGER % {"duration": 90, "window": 60}
    ]
    exam.duration_minutes = 60
    assert services.exam_warnings(exam) == []


def test_naive_times_are_taken_as_local_time(world, choice):
    exam = new_exam(
        world,
        choice,
        opens_at=dt.datetime(2027, 1, 10, 9, 0),
        closes_at=dt.datetime(2027, 1, 10, 13, 0),
    )
    assert exam.opens_at == dt.datetime(2027, 1, 10, 4, 0, tzinfo=dt.UTC)  # 09:00 Almaty


# --- update -------------------------------------------------------------------------------


def test_update_changes_only_what_is_given_and_audits_it(world, exam):
    services.exam_update(
        actor=world.teacher, exam=exam, duration_minutes=120, absence_cap_minutes=30
    )
    exam.refresh_from_db()
    assert exam.duration_minutes == 120
    assert exam.absence_cap_seconds == 1800
    assert exam.title == "Algebra final"
    entry = AuditEntry.objects.get(action="exams.update", object_id=str(exam.pk))
    assert entry.data == {"duration_minutes": 120, "absence_cap_seconds": 1800}


def test_update_validates_like_create(world, exam):
    with pytest.raises(ValidationFailed) as exc:
        services.exam_update(actor=world.teacher, exam=exam, closes_at=exam.opens_at)
    assert exc.value.errors["closes_at"] == [services.ERR_WINDOW_ORDER]


def test_update_refuses_others(world, exam):
    with pytest.raises(PermissionDeniedError):
        services.exam_update(actor=world.other_teacher, exam=exam, title="Mine")


def test_a_published_exam_is_frozen_once_its_window_opened(world, exam):
    add_question(world, exam)
    services.exam_publish(actor=world.teacher, exam=exam)
    # Before the window: still editable.
    services.exam_update(actor=world.teacher, exam=exam, title="Algebra final exam")
    with pytest.raises(DomainError) as exc:
        services.exam_update(actor=world.teacher, exam=exam, title="Late", now=opened(exam))
    assert exc.value.message == services.ERR_LOCKED
    with pytest.raises(DomainError):
        services.exam_unpublish(actor=world.teacher, exam=exam, now=opened(exam))


# --- publish ------------------------------------------------------------------------------


def test_publish_needs_a_question(world, exam):
    with pytest.raises(ValidationFailed) as exc:
        services.exam_publish(actor=world.teacher, exam=exam)
    assert exc.value.errors["__all__"] == [services.ERR_NO_QUESTIONS]
    assert services.publish_problems(exam) == [services.ERR_NO_QUESTIONS]


def test_publish_needs_enough_questions_in_every_pool(world, exam):
    add_question(world, exam)
    pool = services.pool_create(actor=world.teacher, exam=exam, name="Theory", pick=2)
    add_question(world, exam, pool=pool)
    with pytest.raises(ValidationFailed) as exc:
        services.exam_publish(actor=world.teacher, exam=exam)
    assert exc.value.errors["__all__"] == [
        services.ERR_POOL_TOO_SMALL % {"name": "Theory", "have": 1, "pick": 2}
    ]
    add_question(world, exam, pool=pool, kind=QuestionKind.TRUE_FALSE)
    published = services.exam_publish(actor=world.teacher, exam=exam)
    assert published.status == ExamStatus.PUBLISHED
    assert AuditEntry.objects.filter(action="exams.publish", object_id=str(exam.pk)).exists()


def test_publish_twice_or_after_the_window_is_refused(world, exam):
    add_question(world, exam)
    with pytest.raises(DomainError) as exc:
        services.exam_publish(actor=world.teacher, exam=exam, now=exam.closes_at)
    assert exc.value.message == services.ERR_WINDOW_PASSED
    services.exam_publish(actor=world.teacher, exam=exam)
    with pytest.raises(DomainError) as exc:
        services.exam_publish(actor=world.teacher, exam=exam)
    assert exc.value.message == services.ERR_ALREADY_PUBLISHED


def test_unpublish_before_the_window_returns_it_to_draft(world, exam):
    add_question(world, exam)
    services.exam_publish(actor=world.teacher, exam=exam)
    services.exam_unpublish(actor=world.teacher, exam=exam)
    exam.refresh_from_db()
    assert exam.status == ExamStatus.DRAFT
    with pytest.raises(DomainError) as exc:
        services.exam_unpublish(actor=world.teacher, exam=exam)
    assert exc.value.message == services.ERR_NOT_PUBLISHED


def test_a_draft_exam_can_be_deleted_a_published_one_cannot(world, choice):
    exam = new_exam(world, choice)
    add_question(world, exam)
    services.exam_publish(actor=world.teacher, exam=exam)
    with pytest.raises(DomainError) as exc:
        services.exam_delete(actor=world.teacher, exam=exam)
    assert exc.value.message == services.ERR_DELETE_PUBLISHED
    services.exam_unpublish(actor=world.teacher, exam=exam)
    services.exam_delete(actor=world.teacher, exam=exam)
    assert not Exam.objects.exists()
    assert AuditEntry.objects.filter(action="exams.delete", object_id=str(exam.pk)).exists()
    # The choice is free again.
    assert new_exam(world, choice).choice == choice


def test_exams_in_the_past_can_be_prepared_as_drafts(world, choice):
    """Only publishing needs a future window: a draft may be set up for any dates."""
    opens = timezone.now() - dt.timedelta(days=3)
    exam = new_exam(world, choice, opens_at=opens, closes_at=opens + dt.timedelta(hours=2))
    assert exam.status == ExamStatus.DRAFT
