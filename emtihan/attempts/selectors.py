"""Reads of the exam sitting: the AttemptState the exam page loads, the student's exam
lists, receipts, and the lists a proctor decides from.

Every function here makes a fixed number of queries, whatever the number of questions,
exams or attempts (no N+1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import Role, User
from emtihan.exams.models import Exam, ExamStatus, Question, QuestionKind
from emtihan.university.models import Student

from .content import TRUE_FALSE_OPTIONS
from .models import Answer, AnswerVersion, Attempt, AttemptStatus, Decision, Picture

DIGEST_SHOWN = 12  # hex characters of the SHA-256 a receipt shows


def receipt_of(*, number: int, sent_at: dt.datetime | None, digest: str) -> dict[str, Any] | None:
    if not number:
        return None
    return {"version": number, "sent_at": sent_at, "digest": digest[:DIGEST_SHOWN]}


def answer_state(answer: Answer | None, *, question_id: int) -> dict[str, Any]:
    """The contract's AnswerState for one question (``answer`` None: never saved)."""
    if answer is None or (answer.draft_version == 0 and answer.sent_number == 0):
        return {
            "question_id": question_id,
            "content": None,
            "draft_version": answer.draft_version if answer else 0,
            "saved_at": None,
            "state": "empty",
            "receipt": None,
        }
    if answer.sent_number == 0:
        state = "draft"
    elif answer.draft_digest == answer.sent_digest:
        state = "sent"
    else:
        state = "edited"
    return {
        "question_id": question_id,
        "content": answer.draft,
        "draft_version": answer.draft_version,
        "saved_at": answer.draft_saved_at,
        "state": state,
        "receipt": receipt_of(
            number=answer.sent_number, sent_at=answer.sent_at, digest=answer.sent_digest
        ),
    }


def attempt_state(attempt: Attempt, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The contract's AttemptState: questions in the student's order with their options
    in the student's order. Never the correct answers (no ``fraction``, no ``spec``).

    Two queries (questions, answers); ``attempt.exam`` should be select_related.
    """
    now = now or timezone.now()
    exam = attempt.exam
    ids = [entry["q"] for entry in attempt.layout]
    questions = Question.objects.only("id", "kind", "body", "spec", "points").in_bulk(ids)
    answers = {a.question_id: a for a in Answer.objects.filter(attempt=attempt)}
    out = []
    for number, entry in enumerate(attempt.layout, start=1):
        question = questions.get(entry["q"])
        if question is None:
            continue
        out.append(
            {
                "id": question.pk,
                "number": number,
                "kind": question.kind,
                "body_html": question.body,
                "options": _options(question, entry.get("options") or []),
                "points": float(question.points),
                "answer": answer_state(answers.get(question.pk), question_id=question.pk),
            }
        )
    return {
        "id": attempt.pk,
        "exam": {
            "id": exam.pk,
            "title": exam.title,
            "description": exam.description,
            "allow_formulas": exam.allow_formulas,
            "allow_drawings": exam.allow_drawings,
            "allow_pictures": exam.allow_pictures,
            "allowed_other": exam.allowed_other,
        },
        "status": attempt.status,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "server_time": now,
        "absence_seconds": attempt.absence_seconds,
        "absence_cap_seconds": exam.absence_cap_seconds,
        "questions": out,
    }


def _options(question: Question, order: list[str]) -> list[dict[str, str]]:
    if question.kind == QuestionKind.TRUE_FALSE:
        labels = {"true": _("True"), "false": _("False")}
        return [{"id": value, "html": str(labels[value])} for value in TRUE_FALSE_OPTIONS]
    if question.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return []
    spec_options = (question.spec or {}).get("options") or []
    by_id = {str(o.get("id")): o for o in spec_options if isinstance(o, dict)}
    ordered = [oid for oid in order if oid in by_id] or list(by_id)
    # Only the id and the text: the fraction (which option is right) never leaves.
    return [{"id": oid, "html": str(by_id[oid].get("html", ""))} for oid in ordered]


def picture_src(picture: Picture) -> str:
    return reverse("attempts:picture", args=[picture.attempt_id, picture.pk])


# --- the student's pages -----------------------------------------------------------------


@dataclass
class ExamRow:
    exam: Exam
    attempt: Attempt | None
    phase: str  # "upcoming" | "active" | "completed"

    @property
    def can_start(self) -> bool:
        return self.phase == "active" and self.attempt is None

    @property
    def can_continue(self) -> bool:
        return self.attempt is not None and self.attempt.status == AttemptStatus.IN_PROGRESS


@dataclass
class StudentExams:
    student: Student | None
    upcoming: list[ExamRow] = field(default_factory=list)
    active: list[ExamRow] = field(default_factory=list)
    completed: list[ExamRow] = field(default_factory=list)


def student_of(user: User) -> Student | None:
    return Student.objects.select_related("group").filter(user_id=user.pk).first()


def _visible_to(student: Student) -> Q:
    """The exams a student sees: the published ones of their group, and any they have
    started (an exam sent back to draft when its choice was reopened keeps its sittings:
    the student continues to the deadline, or reads the receipts)."""
    started = Attempt.objects.filter(exam=OuterRef("pk"), student=student)
    return Q(choice__group_id=student.group_id) & (
        Q(status=ExamStatus.PUBLISHED) | Q(Exists(started))
    )


def exams_for_student(user: User, *, now: dt.datetime | None = None) -> StudentExams:
    """The student's exams (``_visible_to``) in three lists. An exam is "completed" once
    the window has closed or the student's own attempt has ended; "active" while it can be
    started or continued. Three queries."""
    now = now or timezone.now()
    student = student_of(user)
    result = StudentExams(student=student)
    if student is None:
        return result
    exams = list(
        Exam.objects.filter(_visible_to(student))
        .select_related("choice__discipline")
        .order_by("opens_at", "pk")
    )
    attempts = {a.exam_id: a for a in Attempt.objects.filter(student=student, exam__in=exams)}
    for exam in exams:
        attempt = attempts.get(exam.pk)
        if (
            attempt is not None
            and attempt.status == AttemptStatus.IN_PROGRESS
            and attempt.deadline <= now
        ):
            # The lock job has not reached it yet; it is over all the same.
            attempt.status = AttemptStatus.TIMED_OUT
        if attempt is not None and attempt.status != AttemptStatus.IN_PROGRESS:
            phase = "completed"
        elif attempt is not None:
            phase = "active"
        elif now < exam.opens_at:
            phase = "upcoming"
        elif now < exam.closes_at:
            phase = "active"
        else:
            phase = "completed"
        getattr(result, phase).append(ExamRow(exam=exam, attempt=attempt, phase=phase))
    return result


def exam_for_student(user: User, exam_id: int) -> tuple[Exam, Attempt | None] | None:
    """An exam the student sees (``_visible_to``) and their attempt, or None."""
    student = student_of(user)
    if student is None:
        return None
    exam = (
        Exam.objects.filter(_visible_to(student), pk=exam_id)
        .select_related("choice__discipline")
        .first()
    )
    if exam is None:
        return None
    return exam, Attempt.objects.filter(exam=exam, student=student).first()


@dataclass
class ReceiptRow:
    number: int  # the question's number in the student's order
    question_id: int
    version: AnswerVersion
    latest: bool

    @property
    def digest(self) -> str:
        return self.version.digest[:DIGEST_SHOWN]


def receipts_of(attempt: Attempt) -> list[ReceiptRow]:
    """Every version of every answer, by question number then version. One query."""
    numbers = {entry["q"]: n for n, entry in enumerate(attempt.layout, start=1)}
    versions = list(
        AnswerVersion.objects.filter(answer__attempt=attempt)
        .select_related("answer")
        .order_by("answer__question_id", "number")
    )
    latest = {}
    for version in versions:
        latest[version.answer.question_id] = version.pk
    rows = [
        ReceiptRow(
            number=numbers.get(v.answer.question_id, 0),
            question_id=v.answer.question_id,
            version=v,
            latest=latest[v.answer.question_id] == v.pk,
        )
        for v in versions
    ]
    rows.sort(key=lambda r: (r.number, r.version.number))
    return rows


# --- proctors and the exam office -------------------------------------------------------


def can_decide(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.has_role(Role.PROCTOR)))


def can_view_pictures(user: User, picture: Picture) -> bool:
    """The attempt's student, staff and proctors; graders (until grading works through
    anonymised attempt codes, which will narrow this to the attempts they grade)."""
    if not user.is_authenticated:
        return False
    if picture.attempt.student.user_id == user.pk:
        return True
    return user.is_staff or user.has_role(Role.PROCTOR) or user.has_role(Role.GRADER)


def attempts_pending_decision() -> QuerySet[Attempt]:
    return (
        Attempt.objects.filter(decision=Decision.PENDING)
        .select_related("exam", "student__user", "student__group")
        .order_by("exam__opens_at", "student__user__full_name")
    )


def attempts_of_exam(exam_id: int) -> QuerySet[Attempt]:
    return (
        Attempt.objects.filter(exam_id=exam_id)
        .select_related("exam", "student__user", "student__group", "decided_by")
        .order_by("-absence_seconds", "student__user__full_name")
    )
