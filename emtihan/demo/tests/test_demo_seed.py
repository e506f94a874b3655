"""demo_seed: the demo university and its exams (what `make demo` loads)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from emtihan.accounts.models import User
from emtihan.attempts import services as attempts
from emtihan.attempts.models import AnswerVersion, Attempt, AttemptStatus
from emtihan.examforms.models import ChoiceStatus
from emtihan.exams import selectors as exams_selectors
from emtihan.exams import services as exam_services
from emtihan.exams.models import Exam, ExamStatus, QuestionKind

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("demo_seed", stdout=out)
    return out.getvalue()


def demo_exam(code: str) -> Exam:
    return Exam.objects.get(choice__discipline__code=code, choice__group__code="IS-2301")


def test_the_demo_has_an_open_an_upcoming_and_a_completed_exam():
    output = seed()
    now = timezone.now()
    for what in ("open now", "upcoming", "completed"):
        assert what in output

    open_exam = demo_exam("MATH110")
    assert open_exam.status == ExamStatus.PUBLISHED
    assert open_exam.opens_at <= now < open_exam.closes_at
    assert open_exam.allow_formulas and open_exam.allow_drawings and open_exam.allow_pictures
    kinds = list(open_exam.questions.values_list("kind", flat=True))
    assert kinds.count(QuestionKind.WRITTEN) >= 2
    assert set(QuestionKind.values) <= set(kinds)  # every closed kind too
    assert open_exam.choice.platform == "OQYLYQ"

    assert demo_exam("CS101").opens_at > now
    completed = demo_exam("CS205")
    assert completed.closes_at < now
    finished = Attempt.objects.filter(exam=completed)
    assert {a.student.user.email for a in finished} == {
        "student1@demo.local",
        "student2@demo.local",
    }
    assert {a.status for a in finished} == {AttemptStatus.FINISHED}
    assert AnswerVersion.objects.filter(answer__attempt__exam=completed).count() == 4

    # A demo student can sit the open exam at once.
    student = User.objects.get(email="student1@demo.local")
    attempt = attempts.attempt_start(student_user=student, exam_id=open_exam.pk)
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert len(attempt.layout) == open_exam.questions.count()


def test_seeding_again_changes_nothing_but_keeps_the_open_exam_open():
    seed()
    counts = (User.objects.count(), Exam.objects.count(), Attempt.objects.count())
    seed()
    assert (User.objects.count(), Exam.objects.count(), Attempt.objects.count()) == counts

    # The demo started again ten days later: the open exam is moved to now, the upcoming
    # one to the future; the completed one stays as it was.
    past = timezone.now() - dt.timedelta(days=10)
    Exam.objects.filter(choice__discipline__code__in=["MATH110", "CS101"]).update(
        opens_at=past, closes_at=past + dt.timedelta(hours=4)
    )
    held = demo_exam("CS205").opens_at
    seed()
    now = timezone.now()
    assert demo_exam("MATH110").opens_at <= now < demo_exam("MATH110").closes_at
    assert demo_exam("CS101").opens_at > now
    assert demo_exam("CS205").opens_at == held
    assert Exam.objects.count() == counts[1]


def test_the_teacher_has_an_approved_exam_form_with_no_exam_to_create_one_from():
    output = seed()
    teacher = User.objects.get(email="teacher@demo.local")
    (choice,) = exams_selectors.choices_without_exam(teacher)
    assert (choice.discipline.code, choice.group.code) == ("MATH110", "IS-2311")
    assert choice.status == ChoiceStatus.APPROVED
    assert "no exam yet  MATH110 · IS-2311" in output

    # Once the demo user has made its exam, seeding again leaves the choice as it is.
    exam = exam_services.exam_create(
        actor=teacher,
        choice=choice,
        title="Linear Algebra, part-time",
        opens_at=timezone.now() + dt.timedelta(days=2),
        closes_at=timezone.now() + dt.timedelta(days=2, hours=3),
        duration_minutes=90,
    )
    output = seed()
    assert exams_selectors.choices_without_exam(teacher) == []
    assert Exam.objects.get(choice=choice) == exam
    assert "no exam yet" not in output
