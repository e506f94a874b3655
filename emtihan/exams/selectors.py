"""Reading exams for the teacher's pages and the API (a fixed number of queries per page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from emtihan.accounts.models import User
from emtihan.examforms.models import ChoiceStatus, ExamFormChoice
from emtihan.policy import exams as policy
from emtihan.university.models import Student

from .importers.base import ImportResult
from .models import Accommodation, Exam, Question, QuestionImport, QuestionPool
from .services import HOSTED_FORMS


def _hosted() -> Q:
    condition = Q(pk__in=[])
    for platform, form in HOSTED_FORMS:
        condition |= Q(platform=platform, form=form)
    return condition


def exams_for_manager(user: User) -> QuerySet[Exam]:
    """The exams a user may manage (``policy.exams.exams_managed_by``), with their counts."""
    return (
        policy.exams_managed_by(user)
        .select_related("choice__discipline", "choice__group", "choice__period")
        .annotate(
            question_count=Count("questions", distinct=True),
            pool_count=Count("pools", distinct=True),
        )
        .order_by("-opens_at", "pk")
    )


def exam_for_manager(user: User, exam_id: int) -> Exam | None:
    """One exam, if it exists and the user may manage it."""
    return exams_for_manager(user).filter(pk=exam_id).first()


def choices_without_exam(user: User) -> list[ExamFormChoice]:
    """Approved, hosted choices the user may manage that have no exam yet."""
    choices = (
        policy.choices_managed_by(user)
        .filter(_hosted(), status=ChoiceStatus.APPROVED)
        .filter(~Exists(Exam.objects.filter(choice=OuterRef("pk"))))
        .select_related("discipline", "group", "period")
        .order_by("discipline__code", "group__code")
    )
    return list(choices)


def exams_for_grader(user: User) -> list[Exam]:
    """The exams a grader is assigned to (``policy.exams.exams_graded_by``), by window."""
    return list(
        policy.exams_graded_by(user).select_related("choice__discipline").order_by("opens_at", "pk")
    )


def choice_for_new_exam(user: User, choice_id: int) -> ExamFormChoice | None:
    return next((c for c in choices_without_exam(user) if c.pk == choice_id), None)


@dataclass
class PoolView:
    pool: QuestionPool
    questions: list[Question] = field(default_factory=list)

    @property
    def short(self) -> bool:
        return len(self.questions) < self.pool.pick


@dataclass
class ExamDetail:
    exam: Exam
    fixed: list[Question]
    pools: list[PoolView]
    accommodations: list[Accommodation]
    students: list[Student]

    @property
    def question_count(self) -> int:
        return len(self.fixed) + sum(len(p.questions) for p in self.pools)

    @property
    def total_points(self) -> Decimal:
        """Points of what one student gets: fixed questions + ``pick`` of each pool (the
        pool's first questions stand in when their points differ)."""
        total = sum((q.points for q in self.fixed), start=Decimal(0))
        for view in self.pools:
            total += sum((q.points for q in view.questions[: view.pool.pick]), start=Decimal(0))
        return total


def exam_detail(exam: Exam) -> ExamDetail:
    """The exam's questions grouped by pool, its accommodations and its group's students."""
    pools = [PoolView(pool) for pool in QuestionPool.objects.filter(exam=exam)]
    by_pool = {view.pool.pk: view for view in pools}
    fixed: list[Question] = []
    for question in Question.objects.filter(exam=exam).order_by("order", "pk"):
        if question.pool_id is None:
            fixed.append(question)
        else:
            by_pool[question.pool_id].questions.append(question)
    accommodations = list(
        Accommodation.objects.filter(exam=exam)
        .select_related("student__user")
        .order_by("student__user__full_name")
    )
    students = list(
        Student.objects.filter(group_id=exam.choice.group_id, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "student_id")
    )
    return ExamDetail(exam, fixed, pools, accommodations, students)


RECENT_IMPORTS = 10


def question_imports(exam: Exam) -> list[QuestionImport]:
    """The exam's latest imports, newest first (without the files they hold)."""
    return list(exam.imports.defer("data").select_related("created_by")[:RECENT_IMPORTS])


def question_import(exam: Exam, import_id: int) -> QuestionImport | None:
    """One of the exam's imports, without its file (the page asks every second while a
    big one is read)."""
    return exam.imports.defer("data").select_related("created_by").filter(pk=import_id).first()


def question_import_result(job: QuestionImport) -> ImportResult | None:
    """The report of a finished import, as the importer gave it; ``None`` before."""
    return ImportResult.from_dict(job.report) if job.report else None
