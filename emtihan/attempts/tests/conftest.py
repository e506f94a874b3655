"""Fixtures of the exam sitting: a published exam of group IS-2301 (``world.g1``) with one
question of every kind, and the personas ``student`` (world), ``other_student`` (IS-2302),
``proctor`` and ``grader`` (assigned to nothing; ``exam_proctor`` and ``exam_grader`` are
the same people assigned to ``exam`` by the registrar).

Services take ``now``; tests fix it to ``NOW`` (09:00 in Almaty, the window's opening)
and move it by hand. API tests use the real clock and an exam open around it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from emtihan.accounts.models import Role, User
from emtihan.attempts import services
from emtihan.attempts.models import Attempt
from emtihan.attempts.services import answers
from emtihan.conftest import make_user
from emtihan.examforms.models import ChoiceStatus, ExamForm, ExamFormChoice, Platform
from emtihan.exams import assignments
from emtihan.exams.models import Exam, ExamStatus, Question, QuestionKind
from emtihan.university.models import Student

NOW = dt.datetime(2026, 12, 21, 4, 0, tzinfo=dt.UTC)  # 09:00 Asia/Almaty
MINUTE = dt.timedelta(minutes=1)
SECOND = dt.timedelta(seconds=1)

OPTIONS = [
    {"id": "a", "html": "<p>Alpha</p>", "fraction": 1.0},
    {"id": "b", "html": "<p>Beta</p>", "fraction": 0.0},
    {"id": "c", "html": "<p>Gamma</p>", "fraction": 0.0},
]


def doc(*texts: str) -> dict:
    """A written answer: one paragraph per text."""
    return {
        "doc": {
            "type": "doc",
            "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": t}]} for t in texts
            ],
        }
    }


def make_exam(world, *, group=None, opens_at=NOW, hours=4, duration=90, **fields) -> Exam:
    group = group or world.g1
    choice, _created = ExamFormChoice.objects.get_or_create(
        discipline=world.algebra,
        group=group,
        period=world.period,
        defaults={
            "platform": Platform.OQYLYQ,
            "form": ExamForm.WRITTEN,
            "status": ChoiceStatus.APPROVED,
            "updated_by": world.teacher,
        },
    )
    exam = Exam.objects.create(
        choice=choice,
        title=fields.pop("title", "Algebra final"),
        opens_at=opens_at,
        closes_at=opens_at + dt.timedelta(hours=hours),
        duration_minutes=duration,
        status=fields.pop("status", ExamStatus.PUBLISHED),
        created_by=world.teacher,
        **fields,
    )
    specs = {
        QuestionKind.WRITTEN: {},
        QuestionKind.SINGLE: {"options": OPTIONS},
        QuestionKind.MULTIPLE: {"options": OPTIONS},
        QuestionKind.TRUE_FALSE: {"correct": True},
        QuestionKind.SHORT: {"answers": [{"text": "x", "fraction": 1.0}]},
        QuestionKind.NUMERIC: {"answers": [{"value": 3.14, "tolerance": 0.01, "fraction": 1.0}]},
    }
    for order, (kind, spec) in enumerate(specs.items()):
        Question.objects.create(
            exam=exam, kind=kind, body=f"<p>Question {kind}</p>", spec=spec, order=order
        )
    return exam


@dataclass
class Sitting:
    attempt: Attempt
    user: User

    def q(self, kind: str) -> int:
        """The id of the attempt's question of this kind."""
        return next(e["q"] for e in self.attempt.layout if e["kind"] == kind)

    @property
    def written(self) -> int:
        return self.q(QuestionKind.WRITTEN)

    def save(self, content=None, *, base=0, key="k1", at=NOW, question=None):
        return services.answer_save(
            attempt_id=self.attempt.pk,
            student_user=self.user,
            question_id=question or self.written,
            content=content if content is not None else doc("draft"),
            base_version=base,
            key=key,
            now=at,
        )

    def send(self, content=None, *, base=0, key="s1", at=NOW, question=None):
        return services.answer_send(
            attempt_id=self.attempt.pk,
            student_user=self.user,
            question_id=question or self.written,
            content=content if content is not None else doc("sent"),
            base_version=base,
            key=key,
            now=at,
        )

    def beat(self, at):
        return services.heartbeat(attempt_id=self.attempt.pk, student_user=self.user, now=at)

    def reload(self) -> Attempt:
        self.attempt.refresh_from_db()
        return self.attempt


@pytest.fixture(autouse=True)
def _forget_known_layouts():
    """Each test starts with no layouts known to this process (the draft save's steady
    state, services/answers.py): ids start again in each test's database, and a layout
    from an earlier test would cost a query-count test its first steady save."""
    answers._layouts.clear()
    answers._shapes.clear()
    answers._kept["questions"] = 0


@pytest.fixture
def exam(world) -> Exam:
    return make_exam(world)


@pytest.fixture
def sitting(world, exam) -> Sitting:
    attempt = services.attempt_start(student_user=world.student, exam_id=exam.pk, now=NOW)
    return Sitting(attempt=attempt, user=world.student)


@pytest.fixture
def other_student(world) -> User:
    user = make_user("student2@test.local", Role.STUDENT, full_name="Student Two")
    Student.objects.create(user=user, student_id="100002", group=world.g2)
    return user


@pytest.fixture
def proctor(world) -> User:
    return make_user("proctor@test.local", Role.PROCTOR, full_name="Pro Ctor")


@pytest.fixture
def grader(world) -> User:
    return make_user("grader@test.local", Role.GRADER, full_name="Gra Der")


def assign_proctor(world, user: User, exam: Exam | None = None, faculty=None):
    """Assign a proctor as the registrar does (through the service)."""
    return assignments.proctor_assign(actor=world.registrar, user=user, exam=exam, faculty=faculty)


@pytest.fixture
def exam_proctor(world, exam, proctor) -> User:
    """The ``proctor`` persona, assigned to ``exam``."""
    assign_proctor(world, proctor, exam=exam)
    return proctor


@pytest.fixture
def exam_grader(world, exam, grader) -> User:
    """The ``grader`` persona, assigned to ``exam``."""
    assignments.grader_assign(actor=world.registrar, user=grader, exam=exam)
    return grader


@pytest.fixture
def live_exam(world) -> Exam:
    """An exam whose window is open on the real clock (API and page tests)."""
    return make_exam(world, opens_at=timezone.now() - dt.timedelta(minutes=30))
