"""Reads of marking and results, each in a fixed number of queries.

What a grader's reads return names no student: a work is its ``code``, its questions and
the final answers, drawn here (written answers through the sitting's own renderer and
sanitiser, pictures by their opaque key). Nothing in ``PileRow`` or ``WorkPage`` reaches
the attempt's student, and the attempt's id is not in it either.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import Any

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.attempts.content import picture_ref, render_html
from emtihan.attempts.models import Attempt, Decision, Picture
from emtihan.core.sanitize import sanitize_html
from emtihan.exams.models import Exam, Question, QuestionKind
from emtihan.policy import attempts as attempts_policy
from emtihan.policy import grading as policy

from .models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Appeal,
    AppealChange,
    Criterion,
    FlagState,
    IdentityFlag,
    Mark,
    Marking,
    MarkingScore,
    MarkingSettings,
    Work,
    WorkState,
)
from .services.appeals import appeal_deadline
from .services.marking import criteria_of
from .services.works import final_contents

# Works whose sitting was cancelled or postponed are not marked (nor shown to graders).
NOT_MARKED = (Decision.CANCEL, Decision.POSTPONE)


# --- the grader's pages ------------------------------------------------------------------------


def exam_for_grader(user: User, exam_id: int) -> Exam | None:
    return (
        policy.exams_marked_by(user).select_related("choice__discipline").filter(pk=exam_id).first()
    )


def pile(exam: Exam) -> list[Work]:
    """The exam's works by code (a random order: nothing about who or when)."""
    return list(
        Work.objects.filter(exam=exam)
        .exclude(attempt__decision__in=NOT_MARKED)
        .only("id", "code", "state", "released_at", "exam_id")
        .order_by("code")
    )


def valid_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code)


def work_of(exam: Exam, code: str) -> Work | None:
    if not valid_code(code):
        return None
    return (
        Work.objects.filter(exam=exam, code=code).exclude(attempt__decision__in=NOT_MARKED).first()
    )


def next_code(works: list[Work], code: str) -> str | None:
    """The next work after ``code`` (in pile order, wrapping) that is not marked yet."""
    codes = [w.code for w in works]
    if code not in codes:
        return None
    start = codes.index(code)
    for offset in range(1, len(works)):
        work = works[(start + offset) % len(works)]
        if work.state != WorkState.MARKED and not work.released:
            return work.code
    return None


@dataclass
class OptionView:
    html: str
    chosen: bool


@dataclass
class CriterionView:
    """A rubric criterion beside the answer, with the points the grader gave it."""

    criterion: Criterion
    name: str
    value: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class QuestionView:
    number: int
    question: Question
    body_html: str
    answer_html: str  # the final answer as the student saw it (sanitised); "" for none
    options: list[OptionView]
    mark: Mark
    # What the form shows: the stored mark, or what the grader typed when a save was
    # refused, with the refusal's messages.
    errors: list[str] = field(default_factory=list)
    value: str = ""
    comment: str = ""
    reason: str = ""
    rubric: list[CriterionView] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.value = "" if self.mark.points is None else f"{self.mark.points:f}"
        self.comment = self.mark.comment
        self.reason = self.mark.override_reason

    def set_rubric(self, criteria: list[Criterion]) -> None:
        given = self.mark.criteria or {}
        self.rubric = [
            CriterionView(
                criterion=c, name=f"{self.field}-c{c.pk}", value=str(given.get(str(c.pk), ""))
            )
            for c in criteria
        ]

    def show_posted(self, posted: dict[str, str], errors: dict[str, list[str]]) -> None:
        name = self.field
        self.value = posted.get(name, self.value)
        self.comment = posted.get(f"{name}-comment", self.comment)
        self.reason = posted.get(f"{name}-reason", self.reason)
        self.errors = [
            m for key in (name, f"{name}-comment", f"{name}-reason") for m in errors.get(key, [])
        ]
        for row in self.rubric:
            row.value = posted.get(row.name, row.value)
            row.errors = errors.get(row.name, [])

    @property
    def field(self) -> str:
        return f"q{self.question.pk}"

    @property
    def closed(self) -> bool:
        return self.mark.auto_points is not None


@dataclass
class WorkPage:
    work: Work
    questions: list[QuestionView] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((q.mark.points or Decimal(0) for q in self.questions), Decimal(0))

    @property
    def maximum(self) -> Decimal:
        return sum((q.question.points for q in self.questions), Decimal(0))


def work_page(work: Work) -> WorkPage:
    """The work as the grader marks it: its questions in the student's order, each with
    the final answer drawn and its mark. Five queries (attempt layout, questions,
    versions, pictures, marks)."""
    layout = Attempt.objects.filter(pk=work.attempt_id).values_list("layout", flat=True).get()
    ids = [entry["q"] for entry in layout]
    questions = Question.objects.only("id", "kind", "body", "spec", "points").in_bulk(ids)
    contents = final_contents([work.attempt_id])
    keys = dict(Picture.objects.filter(attempt_id=work.attempt_id).values_list("pk", "key"))
    marks = {m.question_id: m for m in Mark.objects.filter(work=work)}
    rubrics = criteria_of(ids)
    page = WorkPage(work=work)
    for number, entry in enumerate(layout, start=1):
        question = questions.get(entry["q"])
        mark = marks.get(entry["q"])
        if question is None or mark is None:
            continue
        content = contents.get((work.attempt_id, question.pk))
        answer_html, options = _drawn(question, entry, content, work.attempt_id, keys)
        page.questions.append(
            QuestionView(
                number=number,
                question=question,
                body_html=sanitize_html(question.body),
                answer_html=answer_html,
                options=options,
                mark=mark,
            )
        )
        page.questions[-1].set_rubric(rubrics.get(question.pk, []))
    return page


def _drawn(
    question: Question,
    entry: dict[str, Any],
    content: Any,
    attempt_id: int,
    keys: dict[int, Any],
) -> tuple[str, list[OptionView]]:
    content = content if isinstance(content, dict) else {}
    kind = question.kind
    if kind == QuestionKind.WRITTEN:
        doc = content.get("doc")
        if not isinstance(doc, dict):
            return "", []
        return render_html(_pictures_by_key(doc, attempt_id, keys)), []
    if kind in (QuestionKind.SHORT, QuestionKind.NUMERIC):
        text = content.get("text")
        return (escape(text) if isinstance(text, str) else ""), []
    if kind == QuestionKind.TRUE_FALSE:
        choice = content.get("choice")
        return "", [
            OptionView(str(_("True")), choice == "true"),
            OptionView(str(_("False")), choice == "false"),
        ]
    spec_options = (question.spec or {}).get("options") or []
    by_id = {str(o.get("id")): o for o in spec_options if isinstance(o, dict)}
    order = [oid for oid in entry.get("options") or [] if oid in by_id] or list(by_id)
    chosen = content.get("choices") if kind == QuestionKind.MULTIPLE else [content.get("choice")]
    chosen_set = {c for c in chosen or [] if isinstance(c, str)}
    return "", [
        OptionView(sanitize_html(str(by_id[oid].get("html", ""))), oid in chosen_set)
        for oid in order
    ]


def options_of(question: Question, entry: dict[str, Any], content: Any) -> list[OptionView]:
    """A closed question's options in the student's order, the chosen ones marked (the
    archive draws them as the marking page does)."""
    return _drawn(question, entry, content, 0, {})[1]


def _pictures_by_key(doc: dict[str, Any], attempt_id: int, keys: dict[int, Any]) -> dict[str, Any]:
    """A copy of the document whose pictures point at their opaque key (the path by
    attempt would tell the grader which sitting it is)."""
    doc = copy.deepcopy(doc)
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if node.get("type") == "image" and isinstance(node.get("attrs"), dict):
            ref = picture_ref(node["attrs"].get("src"))
            key = keys.get(ref[1]) if ref is not None and ref[0] == attempt_id else None
            node["attrs"]["src"] = (
                reverse("attempts:picture_by_key", args=[key]) if key is not None else ""
            )
        children = node.get("content")
        if isinstance(children, list):
            stack.extend(children)
    return doc


# --- rubrics (the exam's teachers) ----------------------------------------------------------


def written_questions(exam: Exam) -> list[tuple[int, Question, int]]:
    """The exam's written questions in its order: (number, question, criteria count)."""
    questions = list(
        Question.objects.filter(exam=exam, kind=QuestionKind.WRITTEN)
        .annotate(criteria_count=Count("criteria"))
        .order_by("order", "pk")
    )
    return [(n, q, q.criteria_count) for n, q in enumerate(questions, start=1)]  # type: ignore[attr-defined]


def written_question(exam: Exam, question_id: int) -> tuple[int, Question] | None:
    for number, question, _count in written_questions(exam):
        if question.pk == question_id:
            return number, question
    return None


def rubric_of(question: Question) -> list[Criterion]:
    return list(Criterion.objects.filter(question=question))


# --- release -------------------------------------------------------------------------------


def exam_for_releaser(user: User, exam_id: int) -> Exam | None:
    return (
        policy.exams_released_by(user)
        .select_related("choice__discipline", "choice__group")
        .filter(pk=exam_id)
        .first()
    )


def state_counts(exam: Exam) -> dict[str, int]:
    rows = (
        Work.objects.filter(exam=exam)
        .exclude(attempt__decision__in=NOT_MARKED)
        .aggregate(
            **{s: Count("pk", filter=Q(state=s)) for s in WorkState.values},
            released=Count("pk", filter=Q(released_at__isnull=False)),
        )
    )
    return {k: v or 0 for k, v in rows.items()}


# --- the student's result ------------------------------------------------------------------


@dataclass
class ResultSummary:
    """A released result on the student's Exams tab (``attempts.selectors`` shows
    ``html``)."""

    work: Work
    attempt_id: int

    @property
    def url(self) -> str:
        return reverse("grading:result", args=[self.attempt_id])

    @property
    def html(self) -> SafeString:
        return render_to_string("grading/_result_summary.html", {"result": self})


def released_results(attempts: list[Attempt]) -> dict[int, ResultSummary]:
    """The released results of these sittings, for the Exams tab (one query). A sitting
    cancelled or postponed shows that decision instead (no result here)."""
    counting = [a.pk for a in attempts if a.decision in (Decision.NONE, Decision.CONTINUE)]
    if not counting:
        return {}
    works = Work.objects.filter(attempt_id__in=counting, released_at__isnull=False).select_related(
        "appeal"
    )
    return {w.attempt_id: ResultSummary(work=w, attempt_id=w.attempt_id) for w in works}


@dataclass
class ResultLine:
    number: int
    question: Question
    body_html: str
    points: Decimal | None
    comment: str
    points_before_appeal: Decimal | None = None  # set when an appeal changed this mark
    changed_by_appeal: bool = False


@dataclass
class StudentResult:
    attempt: Attempt
    work: Work | None  # None: not released (or cancelled/postponed: the decision shows)
    lines: list[ResultLine] = field(default_factory=list)
    appeal: Appeal | None = None
    appeal_deadline: dt.datetime | None = None
    may_appeal: bool = False  # the period is open and no appeal was filed


def result_for_student(user: User, attempt_id: int) -> StudentResult | None:
    """The student's own sitting with its released result (None: not theirs)."""
    attempt = (
        attempts_policy.own_attempts(user).select_related("exam").filter(pk=attempt_id).first()
    )
    if attempt is None:
        return None
    found = released_results([attempt]).get(attempt.pk)
    result = StudentResult(attempt=attempt, work=found.work if found else None)
    if result.work is None:
        return result
    ids = [entry["q"] for entry in attempt.layout]
    questions = Question.objects.only("id", "body", "points").in_bulk(ids)
    marks = {m.question_id: m for m in Mark.objects.filter(work=result.work)}
    result.appeal = Appeal.objects.filter(work=result.work).first()
    changed = (
        {c.question_id: c for c in AppealChange.objects.filter(appeal=result.appeal)}
        if result.appeal
        else {}
    )
    result.appeal_deadline = appeal_deadline(result.work)
    result.may_appeal = (
        result.appeal is None
        and result.appeal_deadline is not None
        and timezone.now() <= result.appeal_deadline
    )
    for number, entry in enumerate(attempt.layout, start=1):
        question, mark = questions.get(entry["q"]), marks.get(entry["q"])
        if question is None:
            continue
        change = changed.get(question.pk)
        result.lines.append(
            ResultLine(
                number=number,
                question=question,
                body_html=sanitize_html(question.body),
                points=mark.points if mark else None,
                comment=mark.comment if mark else "",
                points_before_appeal=change.points_before if change else None,
                changed_by_appeal=change is not None,
            )
        )
    return result


# --- second marking ------------------------------------------------------------------------


def independent_page(work: Work, grader: User) -> tuple[WorkPage, Marking | None]:
    """The work as one grader of a second-marked exam sees it: only their own marks
    (the other grader's never show), the closed questions pre-marked by the auto-grader."""
    page = work_page(work)
    marking = Marking.objects.filter(work=work, grader=grader).first()
    scores = (
        {s.question_id: s for s in MarkingScore.objects.filter(marking=marking)} if marking else {}
    )
    rubrics = criteria_of([q.question.pk for q in page.questions])
    for view in page.questions:
        final = view.mark
        score = scores.get(view.question.pk)
        view.mark = Mark(
            work=work,
            question=view.question,
            auto_points=final.auto_points,
            points=score.points if score else final.auto_points,
            comment=score.comment if score else "",
            criteria=score.criteria if score else {},
        )
        view.__post_init__()
        view.reason = ""
        view.set_rubric(rubrics.get(view.question.pk, []))
    return page, marking


def next_independent(exam: Exam, grader: User, code: str | None) -> Work | None:
    """Under second marking, the next work (after ``code``, wrapping) this grader still
    has to mark: not released, not waiting to settle or agreed, their own marking not in,
    and marked by fewer than two graders unless they are one of them."""
    works = [
        w
        for w in pile(exam)
        if not w.released and w.state not in (WorkState.TO_SETTLE, WorkState.MARKED)
    ]
    markings: dict[int, list[Marking]] = {}
    for marking in Marking.objects.filter(work__in=works):
        markings.setdefault(marking.work_id, []).append(marking)

    def open_to(work: Work) -> bool:
        own = [m for m in markings.get(work.pk, []) if m.grader_id == grader.pk]
        if own:
            return own[0].submitted_at is None
        return len(markings.get(work.pk, [])) < 2

    codes = [w.code for w in works]
    start = codes.index(code) + 1 if code in codes else 0
    ordered = works[start:] + works[:start]
    return next((w for w in ordered if w.code != code and open_to(w)), None)


def exam_for_settler(user: User, exam_id: int) -> Exam | None:
    return (
        policy.exams_settled_by(user)
        .select_related("choice__discipline", "choice__group")
        .filter(pk=exam_id)
        .first()
    )


def work_to_settle(exam: Exam, code: str) -> Work | None:
    found = work_of(exam, code)
    if found is None or found.state != WorkState.TO_SETTLE or found.released:
        return None
    return found


def pair_graders(work: Work) -> set[int]:
    return set(Marking.objects.filter(work=work).values_list("grader_id", flat=True))


@dataclass
class SettleLine:
    """One question on the settle page: the two graders' marks and comments (as
    "first" and "second": never their names) and the field of the settled mark."""

    view: QuestionView
    first: MarkingScore | None
    second: MarkingScore | None
    value: str
    comment: str
    errors: list[str] = field(default_factory=list)

    @property
    def apart(self) -> Decimal | None:
        if self.first is None or self.second is None:
            return None
        if self.first.points is None or self.second.points is None:
            return None
        return abs(self.first.points - self.second.points)


def settle_page(
    work: Work, posted: dict[str, str], errors: dict[str, list[str]]
) -> list[SettleLine]:
    page = work_page(work)
    pair = list(Marking.objects.filter(work=work, submitted_at__isnull=False)[:2])
    scores = {
        (s.marking_id, s.question_id): s for s in MarkingScore.objects.filter(marking__in=pair)
    }
    lines = []
    for view in page.questions:
        first = scores.get((pair[0].pk, view.question.pk)) if pair else None
        second = scores.get((pair[1].pk, view.question.pk)) if len(pair) > 1 else None
        offered = ""
        if first and second and first.points is not None and second.points is not None:
            offered = f"{((first.points + second.points) / 2).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
        comments = [s.comment for s in (first, second) if s is not None and s.comment]
        lines.append(
            SettleLine(
                view=view,
                first=first,
                second=second,
                value=posted.get(view.field, offered),
                comment=posted.get(f"{view.field}-comment", "\n\n".join(dict.fromkeys(comments))),
                errors=[m for k in (view.field, f"{view.field}-reason") for m in errors.get(k, [])],
            )
        )
    return lines


def marking_settings_of(exam: Exam) -> MarkingSettings:
    """The exam's marking settings (unsaved defaults when it has none: marked once)."""
    return MarkingSettings.objects.filter(exam=exam).first() or MarkingSettings(exam=exam)


def to_settle(exam: Exam) -> list[Work]:
    return [w for w in pile(exam) if w.state == WorkState.TO_SETTLE and not w.released]


# --- appeals (the commission: the exam's teachers and the exam office) -----------------------


def exam_appeals(exam: Exam) -> list[Appeal]:
    """The appeals against the exam's results, open ones first, with the student (the
    reviewers may see who: identity is joined at release)."""
    return sorted(
        Appeal.objects.filter(work__exam=exam).select_related(
            "work__attempt__student__user", "decided_by"
        ),
        key=lambda a: (not a.is_open, a.filed_at),
    )


def appeals_for_reviewer(user: User) -> list[Appeal]:
    """The appeals of every exam the person reviews, open ones first (oldest first)."""
    return sorted(
        Appeal.objects.filter(work__exam__in=policy.exams_appeals_reviewed_by(user))
        .select_related("work__exam", "work__attempt__student__user")
        .order_by("filed_at")[:500],
        key=lambda a: not a.is_open,
    )


def appeal_for_reviewer(user: User, appeal_id: int) -> Appeal | None:
    return (
        Appeal.objects.filter(pk=appeal_id, work__exam__in=policy.exams_appeals_reviewed_by(user))
        .select_related(
            "work__exam__choice__discipline",
            "work__exam__choice__group",
            "work__attempt__student__user",
            "decided_by",
        )
        .first()
    )


def appeal_changes(appeal: Appeal) -> dict[int, AppealChange]:
    return {c.question_id: c for c in AppealChange.objects.filter(appeal=appeal)}


# --- identifying marks (the exam office) ---------------------------------------------------


@dataclass
class FlagRow:
    flag: IdentityFlag

    @property
    def highlighted(self) -> SafeString:
        """The excerpt with the matching text in ``<mark>`` (the rest escaped)."""
        text, start, end = self.flag.excerpt, self.flag.start, self.flag.end
        return format_html("{}<mark>{}</mark>{}", text[:start], text[start:end], text[end:])


@dataclass
class FlaggedWork:
    work: Work
    student: str
    rows: list[FlagRow]


def flagged_works() -> list[FlaggedWork]:
    """Works with identifying marks waiting for the exam office, oldest first (two
    queries)."""
    flags = list(
        IdentityFlag.objects.filter(state=FlagState.OPEN)
        .select_related("work__exam", "work__attempt__student__user")
        .order_by("work__created_at", "work_id", "id")
    )
    grouped: dict[int, FlaggedWork] = {}
    for flag in flags:
        work = flag.work
        if work.pk not in grouped:
            student = work.attempt.student
            grouped[work.pk] = FlaggedWork(
                work=work, student=f"{student.user.full_name} ({student.student_id})", rows=[]
            )
        grouped[work.pk].rows.append(FlagRow(flag))
    return list(grouped.values())
