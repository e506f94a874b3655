"""Reads of the exam sitting: the AttemptState the exam page loads, the student's exam
lists, receipts, and the lists a proctor decides from.

Every function here makes a fixed number of queries, whatever the number of questions,
exams or attempts (no N+1).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.core.texts import minutes_of_seconds
from emtihan.exams.models import Accommodation, Exam, Question, QuestionKind
from emtihan.policy import attempts as policy
from emtihan.policy import exams as exams_policy
from emtihan.university.models import Student

from .content import TRUE_FALSE_OPTIONS
from .models import (
    DECISION_CATEGORIES,
    Answer,
    AnswerVersion,
    Attempt,
    AttemptStatus,
    Decision,
    DecisionCategory,
    DecisionProposal,
    Picture,
    ProposalStatus,
)

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


# Apps above this one that show something beside an ended sitting on the student's Exams
# tab (grading: the released result) register a source here, as proctoring registers its
# start gate: ``source(attempts)`` returns ``{attempt_id: summary}`` for the attempts it
# has something for, in a fixed number of queries. The Exams tab shows ``summary.html``
# (HTML the source rendered and escaped itself).
ResultSource = Callable[[list[Attempt]], dict[int, Any]]
_result_sources: list[ResultSource] = []


def register_result_source(source: ResultSource) -> None:
    """Add a source of results for the Exams tab (idempotent: ready() may run twice)."""
    if source not in _result_sources:
        _result_sources.append(source)


@dataclass
class ExamRow:
    exam: Exam
    attempt: Attempt | None
    phase: str  # "upcoming" | "active" | "completed"
    result: Any = None  # a registered source's summary of the ended sitting

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


def exams_for_student(user: User, *, now: dt.datetime | None = None) -> StudentExams:
    """The student's exams (``policy.attempts.exams_seen_by_student``) in three lists. An exam is "completed" once
    the window has closed or the student's own attempt has ended; "active" while it can be
    started or continued. Three queries, and those of the result sources (grading: one)."""
    now = now or timezone.now()
    student = exams_policy.student_of(user)
    result = StudentExams(student=student)
    if student is None:
        return result
    exams = list(
        policy.exams_seen_by_student(student)
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
    ended = [row.attempt for row in result.completed if row.attempt is not None]
    if ended:
        for source in _result_sources:
            found = source(ended)
            for row in result.completed:
                if row.attempt is not None and row.attempt.pk in found:
                    row.result = found[row.attempt.pk]
    return result


def exam_for_student(user: User, exam_id: int) -> tuple[Exam, Attempt | None] | None:
    """An exam the student sees (``policy.attempts.exams_seen_by_student``) and their
    attempt, or None."""
    student = exams_policy.student_of(user)
    if student is None:
        return None
    exam = (
        policy.exams_seen_by_student(student)
        .filter(pk=exam_id)
        .select_related("choice__discipline")
        .first()
    )
    if exam is None:
        return None
    return exam, Attempt.objects.filter(exam=exam, student=student).first()


def extra_minutes(user: User, exam: Exam) -> int:
    """The student's own extra time in ``exam`` (0: none), for the exam's page."""
    extra = (
        Accommodation.objects.filter(exam=exam, student__user_id=user.pk)
        .values_list("extra_minutes", flat=True)
        .first()
    )
    return extra or 0


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
# Every list here is narrowed to the person's proctor scope (``policy.attempts``): nothing
# is listed that the person may not open or decide.


def attempts_pending_decision(user: User) -> QuerySet[Attempt]:
    """Sittings in the person's scope waiting for a person: marked for a decision
    (absence past the cap), or with a proposed cancel or postpone waiting for a second
    reviewer."""
    open_proposal = DecisionProposal.objects.filter(
        attempt=OuterRef("pk"), status=ProposalStatus.OPEN
    )
    return (
        policy.attempts_proctored_by(user)
        .filter(Q(decision=Decision.PENDING) | Q(Exists(open_proposal)))
        .select_related("exam", "student__user", "student__group")
        .order_by("exam__opens_at", "student__user__full_name")
    )


def decision_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The decision form's one select: for each decision, its reason categories, each
    option's value ``"<decision>:<category>"`` (one choice, no script needed)."""
    labels = dict(Decision.choices)
    categories = dict(DecisionCategory.choices)
    heading: dict[str, str] = {
        Decision.CONTINUE: _("Accept: the work counts"),
        Decision.CANCEL: _("Cancel the work (a second reviewer confirms)"),
        Decision.POSTPONE: _("Postpone the exam (a second reviewer confirms)"),
    }
    return [
        (
            str(heading.get(decision, labels[decision])),
            [(f"{decision}:{code}", str(categories[code])) for code in codes],
        )
        for decision, codes in DECISION_CATEGORIES.items()
    ]


@dataclass
class ProposalRow:
    """An open proposal as a reviewer reads it; ``can_confirm``: this person is a second
    reviewer (``policy.attempts.is_second_reviewer``; the lists are already narrowed to
    their scope, and the service asks ``may_confirm_proposal`` again)."""

    proposal: DecisionProposal
    can_confirm: bool


def proposal_rows(user: User, proposals: list[DecisionProposal]) -> list[ProposalRow]:
    return [ProposalRow(p, policy.is_second_reviewer(user, p)) for p in proposals]


def open_proposals(attempt_ids: list[int]) -> dict[int, DecisionProposal]:
    """The open proposal of each of these sittings (one query)."""
    return {
        p.attempt_id: p
        for p in DecisionProposal.objects.filter(
            attempt_id__in=attempt_ids, status=ProposalStatus.OPEN
        ).select_related("proposed_by", "attempt__exam")
    }


def proposal_for(user: User, proposal_id: int) -> DecisionProposal | None:
    """A proposal on a sitting the person may decide on, or None (as if it did not
    exist)."""
    proposal = (
        DecisionProposal.objects.select_related(
            "attempt__exam", "attempt__student__user", "proposed_by"
        )
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None or not policy.may_reject_proposal(user, proposal):
        return None
    return proposal


def proposals_of(attempt: Attempt) -> list[DecisionProposal]:
    """Every proposal on a sitting, newest first: the open one and the answered ones with
    their notes (one query)."""
    return list(
        DecisionProposal.objects.filter(attempt=attempt)
        .select_related("proposed_by", "reviewed_by", "attempt__exam")
        .order_by("-proposed_at", "-pk")
    )


def exam_for_proctor(user: User, exam_id: int) -> Exam | None:
    """One exam in the person's proctor scope, or None (as if it did not exist)."""
    return (
        exams_policy.exams_proctored_by(user)
        .filter(pk=exam_id)
        .select_related("choice__discipline", "choice__group")
        .first()
    )


def attempts_of_exam(exam: Exam) -> QuerySet[Attempt]:
    """Every sitting of an exam (``exam_for_proctor`` decides who gets here)."""
    return (
        Attempt.objects.filter(exam=exam)
        .select_related(
            "exam", "student__user", "student__group", "decided_by", "decision_confirmed_by"
        )
        .order_by("-absence_seconds", "student__user__full_name")
    )


@dataclass
class SittingRow:
    """One sitting as a proctor reads it: state, time left and absence in minutes, and a
    proposed decision waiting for a second reviewer."""

    attempt: Attempt
    ended: bool
    minutes_left: int | None  # None once the sitting has ended
    absence_minutes: int
    cap_minutes: int
    proposal: ProposalRow | None = None


def sitting_rows(
    user: User, attempts: QuerySet[Attempt] | list[Attempt], *, now: dt.datetime | None = None
) -> list[SittingRow]:
    """Sittings with what the proctor's pages show. A sitting past its deadline that the
    lock job has not reached yet reads as ended (the next request locks it). Two queries."""
    now = now or timezone.now()
    attempts = list(attempts)
    proposals = open_proposals([a.pk for a in attempts])
    rows = []
    for attempt in attempts:
        proposal = proposals.get(attempt.pk)
        ended = attempt.status != AttemptStatus.IN_PROGRESS or attempt.deadline <= now
        rows.append(
            SittingRow(
                attempt=attempt,
                ended=ended,
                minutes_left=None
                if ended
                else minutes_of_seconds((attempt.deadline - now).total_seconds()),
                absence_minutes=minutes_of_seconds(attempt.absence_seconds),
                cap_minutes=minutes_of_seconds(attempt.exam.absence_cap_seconds),
                proposal=proposal_rows(user, [proposal])[0] if proposal else None,
            )
        )
    return rows


@dataclass
class ProctorExamRow:
    exam: Exam
    in_progress: int
    ended: int
    pending: int


def exams_for_proctor(user: User, *, now: dt.datetime | None = None) -> list[ProctorExamRow]:
    """The exams in the person's proctor scope, newest window first, with how many
    sittings are in progress, have ended, and wait for a decision or a second reviewer.
    One query."""
    now = now or timezone.now()
    in_progress = Q(attempts__status=AttemptStatus.IN_PROGRESS, attempts__deadline__gt=now)
    # Waiting for a person: a decision (absence past the cap) or a second reviewer.
    open_proposals = DecisionProposal.objects.filter(status=ProposalStatus.OPEN)
    waiting = Q(attempts__decision=Decision.PENDING) | Q(
        attempts__pk__in=open_proposals.values("attempt_id")
    )
    exams = (
        exams_policy.exams_proctored_by(user)
        .select_related("choice__discipline", "choice__group")
        .annotate(
            started=Count("attempts"),
            in_progress=Count("attempts", filter=in_progress),
            pending=Count("attempts", filter=waiting),
        )
        .order_by("-opens_at", "pk")
    )
    return [
        ProctorExamRow(
            exam=exam,
            in_progress=exam.in_progress,
            ended=exam.started - exam.in_progress,
            pending=exam.pending,
        )
        for exam in exams
    ]


def picture_for(user: User, *, attempt_id: int, picture_id: int) -> Picture | None:
    """A picture by its attempt's path, if the person may see it that way
    (``policy.attempts.may_view_picture``); None as if it did not exist."""
    picture = (
        Picture.objects.select_related(
            "attempt__student", "attempt__exam__choice__discipline__department"
        )
        .filter(pk=picture_id, attempt_id=attempt_id)
        .first()
    )
    if picture is None or not policy.may_view_picture(user, picture):
        return None
    return picture


def picture_by_key_for(user: User, key: uuid.UUID) -> Picture | None:
    """A picture by its opaque key, if the person may see it that way (graders of the
    exam among them); None as if it did not exist."""
    picture = (
        Picture.objects.select_related(
            "attempt__student", "attempt__exam__choice__discipline__department"
        )
        .filter(key=key)
        .first()
    )
    if picture is None or not policy.may_view_picture_by_key(user, picture):
        return None
    return picture
