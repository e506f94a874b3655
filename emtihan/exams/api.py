"""JSON API of the exams app (teacher side), mounted at /api/v1/exams/.

The same services and permissions as the pages: an exam the caller may not manage is
404, like one that does not exist. The questions' ``spec`` (the right answers) is only
ever shown here, to the exam's managers; students get questions through the attempts API.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from emtihan.core.api import Id, error_responses, errors, limit, raise_as_http
from emtihan.examforms.models import ExamFormChoice

from . import selectors, services
from .importers.base import ImportResult
from .models import (
    Exam,
    ImportStatus,
    Question,
    QuestionImport,
    QuestionKind,
    QuestionPool,
    TimeoutPolicy,
)
from .services.rules import (
    IMPORT_FORMATS,
    MAX_ABSENCE_CAP_MINUTES,
    MAX_DURATION_MINUTES,
    MAX_POINTS,
)

router = Router(tags=["exams"])


# --- schemas -------------------------------------------------------------------------------


class ExamOut(Schema):
    id: int
    choice_id: int
    discipline_code: str
    group_code: str
    title: str
    description: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    duration_minutes: int
    allow_formulas: bool
    allow_drawings: bool
    allow_pictures: bool
    allowed_other: str
    timeout_policy: str
    absence_cap_minutes: int
    shuffle_questions: bool
    shuffle_options: bool
    proctoring: str
    snapshot_interval_seconds: int
    identity_check_attempts: int
    proctoring_retention_days: int
    status: str
    warnings: list[str]

    @staticmethod
    def of(exam: Exam) -> ExamOut:
        return ExamOut(
            id=exam.pk,
            choice_id=exam.choice_id,
            discipline_code=exam.choice.discipline.code,
            group_code=exam.choice.group.code,
            status=exam.status,
            warnings=services.exam_warnings(exam),
            **services.exam_settings(exam),
        )


# The limits the services check (exams/services/rules.py), each refused with a 400 and
# its own message.
Title = Annotated[str, limit(minLength=1, maxLength=255)]
Minutes = Annotated[int, limit(minimum=1, maximum=MAX_DURATION_MINUTES)]
AbsenceCap = Annotated[int, limit(minimum=1, maximum=MAX_ABSENCE_CAP_MINUTES)]
Policy = Annotated[str, limit(enum=list(TimeoutPolicy.values))]
Position = Annotated[int, limit(minimum=0)]
Name = Annotated[str, limit(maxLength=255)]


class ExamCreateIn(Schema):
    choice_id: Id
    title: Title
    opens_at: dt.datetime
    closes_at: dt.datetime
    duration_minutes: Minutes
    description: str = ""
    allow_formulas: bool = True
    allow_drawings: bool = False
    allow_pictures: bool = False
    allowed_other: str = ""
    timeout_policy: Policy = "last_draft"
    absence_cap_minutes: AbsenceCap = 20
    shuffle_questions: bool = True
    shuffle_options: bool = True
    proctoring: str = "off"
    snapshot_interval_seconds: int = 20
    identity_check_attempts: int = 3
    proctoring_retention_days: int = 90


class ExamPatchIn(Schema):
    title: Title | None = None
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    duration_minutes: Minutes | None = None
    description: str | None = None
    allow_formulas: bool | None = None
    allow_drawings: bool | None = None
    allow_pictures: bool | None = None
    allowed_other: str | None = None
    timeout_policy: Policy | None = None
    absence_cap_minutes: AbsenceCap | None = None
    shuffle_questions: bool | None = None
    shuffle_options: bool | None = None
    proctoring: str | None = None
    snapshot_interval_seconds: int | None = None
    identity_check_attempts: int | None = None
    proctoring_retention_days: int | None = None


class ApprovedChoiceOut(Schema):
    id: int
    discipline_code: str
    discipline_name: str
    group_code: str
    period_code: str
    platform: str
    form: str
    exam_type: str


class QuestionIn(Schema):
    kind: Annotated[str, limit(enum=list(QuestionKind.values))]
    body: str
    spec: dict[str, Any] = {}
    points: Annotated[Decimal, limit(exclusiveMinimum=0, maximum=float(MAX_POINTS))] = Decimal(1)
    name: Name = ""
    pool_id: Id | None = None
    order: Position | None = None


class QuestionOut(Schema):
    id: int
    kind: str
    name: str
    body: str
    spec: dict[str, Any]
    points: Decimal
    pool_id: int | None
    order: int
    source: str

    @staticmethod
    def of(question: Question) -> QuestionOut:
        return QuestionOut(
            id=question.pk,
            kind=question.kind,
            name=question.name,
            body=question.body,
            spec=question.spec,
            points=question.points,
            pool_id=question.pool_id,
            order=question.order,
            source=question.source,
        )


class PoolIn(Schema):
    name: Title
    pick: Annotated[int, limit(minimum=1)]
    order: Position | None = None


class PoolOut(Schema):
    id: int
    name: str
    pick: int
    order: int


class ExamDetailOut(Schema):
    exam: ExamOut
    pools: list[PoolOut]
    questions: list[QuestionOut]
    publish_problems: list[str]


class ImportIn(Schema):
    fmt: Annotated[str, limit(enum=list(IMPORT_FORMATS))] = "auto"
    encoding: str = ""
    pools_from_categories: bool = False


class ImportIssueOut(Schema):
    index: int
    name: str
    message: str


class ImportSkippedOut(Schema):
    index: int
    name: str
    kind: str
    reason: str


class ParsedQuestionOut(Schema):
    index: int
    name: str
    kind: str
    category: str
    notes: list[str]


class ImportOut(Schema):
    """An import and, once the file is read (``status`` "done"), its report. ``ok``: it is
    done and nothing blocked it; a failed one says why in ``failure``. While it waits or
    runs, ``done`` of ``total`` questions have been read: ask again with its ``id``."""

    id: int
    status: str
    done: int
    total: int
    failure: str
    ok: bool
    format: str
    encoding: str
    imported: int
    questions: list[ParsedQuestionOut]
    errors: list[ImportIssueOut]
    skipped: list[ImportSkippedOut]

    @staticmethod
    def of(job: QuestionImport) -> ImportOut:
        result = selectors.question_import_result(job) or ImportResult(fmt=job.fmt, encoding="")
        status = ImportStatus.FAILED if job.stalled else job.status
        return ImportOut(
            id=job.pk,
            status=status,
            done=job.done,
            total=job.total,
            failure=job.failure_text,
            ok=status == ImportStatus.DONE and result.ok,
            format=result.fmt,
            encoding=result.encoding,
            imported=result.imported,
            questions=[
                ParsedQuestionOut(
                    index=q.index, name=q.name, kind=q.kind, category=q.category, notes=q.notes
                )
                for q in result.questions
            ],
            errors=[ImportIssueOut(**e._asdict()) for e in result.errors],
            skipped=[ImportSkippedOut(**s._asdict()) for s in result.skipped],
        )


# --- helpers -------------------------------------------------------------------------------


def _exam(request: HttpRequest, exam_id: int) -> Exam:
    exam = selectors.exam_for_manager(request.user, exam_id)  # type: ignore[arg-type]
    if exam is None:
        raise HttpError(404, "Not found")
    return exam


def _pool(exam: Exam, pool_id: int | None) -> QuestionPool | None:
    if pool_id is None:
        return None
    pool = QuestionPool.objects.filter(pk=pool_id, exam=exam).first()
    if pool is None:
        raise HttpError(404, "Pool not found")
    return pool


def _question(exam: Exam, question_id: int) -> Question:
    question = Question.objects.filter(pk=question_id, exam=exam).first()
    if question is None:
        raise HttpError(404, "Not found")
    return question


# --- exams ---------------------------------------------------------------------------------


@router.get("/", response={200: list[ExamOut], **errors()}, summary="The exams the caller manages")
def exam_list(request: HttpRequest):
    return [ExamOut.of(exam) for exam in selectors.exams_for_manager(request.user)]  # type: ignore[arg-type]


@router.get(
    "/choices",
    response={200: list[ApprovedChoiceOut], **errors()},
    summary="Approved hosted exam forms with no exam yet",
)
def choice_list(request: HttpRequest):
    return [
        ApprovedChoiceOut(
            id=c.pk,
            discipline_code=c.discipline.code,
            discipline_name=c.discipline.name,
            group_code=c.group.code,
            period_code=c.period.code,
            platform=c.platform,
            form=c.form,
            exam_type=c.exam_type,
        )
        for c in selectors.choices_without_exam(request.user)  # type: ignore[arg-type]
    ]


@router.post("/", response={201: ExamOut, **error_responses}, summary="Create an exam")
def exam_create(request: HttpRequest, payload: ExamCreateIn):
    choice = ExamFormChoice.objects.filter(pk=payload.choice_id).first()
    if choice is None:
        raise HttpError(404, "Not found")
    values = payload.dict(exclude={"choice_id"})
    exam = raise_as_http(services.exam_create, actor=request.user, choice=choice, **values)
    return Status(201, ExamOut.of(exam))


@router.get("/{exam_id}", response={200: ExamDetailOut, **errors(404, 422)})
def exam_get(request: HttpRequest, exam_id: Id):
    exam = _exam(request, exam_id)
    return ExamDetailOut(
        exam=ExamOut.of(exam),
        pools=[PoolOut(id=p.pk, name=p.name, pick=p.pick, order=p.order) for p in exam.pools.all()],
        questions=[QuestionOut.of(q) for q in exam.questions.order_by("order", "pk")],
        publish_problems=services.publish_problems(exam),
    )


@router.patch("/{exam_id}", response={200: ExamOut, **error_responses})
def exam_update(request: HttpRequest, exam_id: Id, payload: ExamPatchIn):
    exam = _exam(request, exam_id)
    changes = payload.dict(exclude_unset=True)
    exam = raise_as_http(services.exam_update, actor=request.user, exam=exam, **changes)
    return ExamOut.of(exam)


@router.post("/{exam_id}/publish", response={200: ExamOut, **error_responses})
def exam_publish(request: HttpRequest, exam_id: Id):
    exam = raise_as_http(services.exam_publish, actor=request.user, exam=_exam(request, exam_id))
    return ExamOut.of(exam)


@router.post("/{exam_id}/unpublish", response={200: ExamOut, **error_responses})
def exam_unpublish(request: HttpRequest, exam_id: Id):
    exam = raise_as_http(services.exam_unpublish, actor=request.user, exam=_exam(request, exam_id))
    return ExamOut.of(exam)


# --- questions and pools -------------------------------------------------------------------


@router.get("/{exam_id}/questions", response={200: list[QuestionOut], **errors(404, 422)})
def question_list(request: HttpRequest, exam_id: Id):
    exam = _exam(request, exam_id)
    return [QuestionOut.of(q) for q in exam.questions.order_by("order", "pk")]


@router.post("/{exam_id}/questions", response={201: QuestionOut, **error_responses})
def question_create(request: HttpRequest, exam_id: Id, payload: QuestionIn):
    exam = _exam(request, exam_id)
    values = payload.dict(exclude={"pool_id"})
    question = raise_as_http(
        services.question_create,
        actor=request.user,
        exam=exam,
        pool=_pool(exam, payload.pool_id),
        **values,
    )
    return Status(201, QuestionOut.of(question))


@router.put("/{exam_id}/questions/{question_id}", response={200: QuestionOut, **error_responses})
def question_update(request: HttpRequest, exam_id: Id, question_id: Id, payload: QuestionIn):
    exam = _exam(request, exam_id)
    values = payload.dict(exclude={"pool_id"})
    question = raise_as_http(
        services.question_update,
        actor=request.user,
        question=_question(exam, question_id),
        pool=_pool(exam, payload.pool_id),
        **values,
    )
    return QuestionOut.of(question)


@router.delete("/{exam_id}/questions/{question_id}", response={204: None, **error_responses})
def question_delete(request: HttpRequest, exam_id: Id, question_id: Id):
    exam = _exam(request, exam_id)
    raise_as_http(
        services.question_delete, actor=request.user, question=_question(exam, question_id)
    )
    return Status(204, None)


@router.post("/{exam_id}/pools", response={201: PoolOut, **error_responses})
def pool_create(request: HttpRequest, exam_id: Id, payload: PoolIn):
    exam = _exam(request, exam_id)
    pool = raise_as_http(services.pool_create, actor=request.user, exam=exam, **payload.dict())
    return Status(201, PoolOut(id=pool.pk, name=pool.name, pick=pool.pick, order=pool.order))


@router.post(
    "/{exam_id}/import",
    response={200: ImportOut, 202: ImportOut, **error_responses},
    summary="Import a Moodle XML or GIFT file (multipart); 202: being read, ask GET .../imports/{id}",
)
def questions_import(
    request: HttpRequest,
    exam_id: Id,
    data: Form[ImportIn],
    file: File[UploadedFile] = None,  # type: ignore[assignment]  # the service reports a missing file as 400
):
    exam = _exam(request, exam_id)
    job = raise_as_http(
        services.question_import_start,
        actor=request.user,
        exam=exam,
        file=file,
        fmt=data.fmt,
        encoding=data.encoding,
        pools_from_categories=data.pools_from_categories,
        language=request.LANGUAGE_CODE,
    )
    return Status(200 if job.is_finished else 202, ImportOut.of(job))


@router.get(
    "/{exam_id}/imports/{import_id}",
    response={200: ImportOut, **errors(404, 422)},
    summary="An import: how far reading has got, then its report",
)
def question_import_get(request: HttpRequest, exam_id: Id, import_id: Id):
    exam = _exam(request, exam_id)
    job = selectors.question_import(exam, import_id)
    if job is None:
        raise HttpError(404, "Not found")
    return ImportOut.of(job)
