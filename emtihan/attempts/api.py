"""The exam page's JSON API, mounted at /api/v1/attempts/ (docs/EXAM-SITTING.md).

Handlers are thin: parse, call one service, shape the answer. Errors: 400 (input), 403,
404 (not the requester's attempt or question), 409 (a stale base version: the body
carries ``current``, the stored AnswerState; or a state that forbids the operation),
410 (the attempt has ended: "the time is over").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar, cast

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from emtihan.accounts.models import User
from emtihan.core.api import ApiDomainError, Id, Whole, limit, raise_as_http
from emtihan.core.api import errors as error_codes

from . import selectors, services
from .models import REQUEST_KEY_MAX_LENGTH, Attempt
from .tokens import token_issue

router = Router(tags=["attempts"])

T = TypeVar("T")


# --- schemas -------------------------------------------------------------------------------


class ReceiptOut(Schema):
    version: int
    sent_at: dt.datetime
    digest: str


class AnswerStateOut(Schema):
    question_id: int
    content: dict[str, Any] | None
    draft_version: int
    saved_at: dt.datetime | None
    state: Literal["empty", "draft", "sent", "edited"]
    receipt: ReceiptOut | None


class SittingOptionOut(Schema):
    id: str
    html: str


class SittingQuestionOut(Schema):
    id: int
    number: int
    kind: str
    body_html: str
    options: list[SittingOptionOut]
    points: float
    answer: AnswerStateOut


class SittingExamOut(Schema):
    id: int
    title: str
    description: str
    allow_formulas: bool
    allow_drawings: bool
    allow_pictures: bool
    allowed_other: str


class AttemptStateOut(Schema):
    id: int
    exam: SittingExamOut
    status: str
    started_at: dt.datetime
    deadline: dt.datetime
    server_time: dt.datetime
    absence_seconds: int
    absence_cap_seconds: int
    questions: list[SittingQuestionOut]
    # The sitting token for the answer writes (X-Attempt-Token; attempts/tokens.py).
    attempt_token: str


class ConflictOut(Schema):
    detail: str
    current: AnswerStateOut


class StartIn(Schema):
    exam_id: Id


# The request key that makes a retried write harmless (docs/EXAM-SITTING.md); the service
# answers 400 for one that does not match.
RequestKey = Annotated[str, limit(pattern=rf"^[A-Za-z0-9_-]{{1,{REQUEST_KEY_MAX_LENGTH}}}$")]


class WriteIn(Schema):
    content: dict[str, Any]
    base_version: Whole
    key: RequestKey


class SaveOut(Schema):
    draft_version: int
    saved_at: dt.datetime
    server_time: dt.datetime


class SendOut(Schema):
    receipt: ReceiptOut
    draft_version: int
    server_time: dt.datetime


class HeartbeatOut(Schema):
    server_time: dt.datetime
    deadline: dt.datetime
    status: str
    absence_seconds: int
    absence_cap_seconds: int
    # The sitting token to use from now on (attempts/tokens.py): a fresh one when the
    # session authenticated the heartbeat, else the young token it came with.
    attempt_token: str


class FinishIn(Schema):
    key: Annotated[str, Field(max_length=REQUEST_KEY_MAX_LENGTH)] = ""


class PictureOut(Schema):
    id: int
    src: str
    width: int
    height: int


errors = error_codes(400, 403, 404, 409, 410, 422)
write_errors = {**errors, 409: ConflictOut}


def _call(func: Callable[..., T], **kwargs: Any) -> T:
    """Call a service; map the sitting's own error (410), then the shared ones."""

    def mapped() -> T:
        try:
            return func(**kwargs)
        except services.TimeIsOver as exc:
            raise ApiDomainError(410, exc.message) from exc

    return raise_as_http(mapped)


def _write(func: Callable[..., services.SaveResult], **kwargs: Any) -> services.SaveResult | Status:
    """A draft save or a send: a stale base answers 409 with the stored AnswerState."""

    def write() -> services.SaveResult | Status:
        try:
            return func(**kwargs)
        except services.StaleVersion as exc:
            return Status(409, {"detail": exc.message, "current": exc.current})

    return _call(write)


def _state(request: HttpRequest, attempt: Attempt) -> dict[str, Any]:
    return {**selectors.attempt_state(attempt), "attempt_token": _token(request, attempt)}


def _token(request: HttpRequest, attempt: Attempt) -> str:
    """The sitting token for the answer: a fresh one where the session authenticated the
    request; the one it came with where that token did (a young token's heartbeat:
    a token never renews itself, tokens.token_for_path)."""
    presented = getattr(request, "sitting_token", "")
    return presented or token_issue(attempt_id=attempt.pk, user=cast(User, request.user))


# --- endpoints -----------------------------------------------------------------------------


@router.post("/start", response={200: AttemptStateOut, **errors}, summary="Start or resume an exam")
def start(request: HttpRequest, data: StartIn):
    attempt = _call(services.attempt_start, student_user=request.user, exam_id=data.exam_id)
    return _state(request, attempt)


@router.get(
    "/{attempt_id}", response={200: AttemptStateOut, **errors}, summary="The attempt's state"
)
def attempt_get(request: HttpRequest, attempt_id: Id):
    attempt = _call(services.attempt_resume, attempt_id=attempt_id, student_user=request.user)
    return _state(request, attempt)


@router.put(
    "/{attempt_id}/answers/{question_id}/draft",
    response={200: SaveOut, **write_errors},
    summary="Autosave a draft",
)
def draft_save(request: HttpRequest, attempt_id: Id, question_id: Id, data: WriteIn):
    return _write(
        services.answer_save,
        attempt_id=attempt_id,
        student_user=request.user,
        question_id=question_id,
        content=data.content,
        base_version=data.base_version,
        key=data.key,
    )


@router.post(
    "/{attempt_id}/answers/{question_id}/send",
    response={200: SendOut, **write_errors},
    summary="Send an answer: a new numbered version and its receipt",
)
def answer_send(request: HttpRequest, attempt_id: Id, question_id: Id, data: WriteIn):
    return _write(
        services.answer_send,
        attempt_id=attempt_id,
        student_user=request.user,
        question_id=question_id,
        content=data.content,
        base_version=data.base_version,
        key=data.key,
    )


@router.post(
    "/{attempt_id}/pictures",
    response={201: PictureOut, **errors},
    summary="Upload a picture (multipart ``file``) for written answers",
)
def picture_upload(
    request: HttpRequest,
    attempt_id: Id,
    file: File[UploadedFile] = None,  # type: ignore[assignment]  # the service reports a missing file as 400
):
    picture = _call(
        services.picture_upload, attempt_id=attempt_id, student_user=request.user, file=file
    )
    return Status(
        201,
        {
            "id": picture.pk,
            "src": selectors.picture_src(picture),
            "width": picture.width,
            "height": picture.height,
        },
    )


@router.post("/{attempt_id}/heartbeat", response={200: HeartbeatOut, **errors}, summary="I am here")
def heartbeat(request: HttpRequest, attempt_id: Id):
    now = timezone.now()
    attempt = _call(services.heartbeat, attempt_id=attempt_id, student_user=request.user, now=now)
    return {
        "server_time": now,
        "deadline": attempt.deadline,
        "status": attempt.status,
        "absence_seconds": attempt.absence_seconds,
        "absence_cap_seconds": attempt.exam.absence_cap_seconds,
        "attempt_token": _token(request, attempt),
    }


@router.post(
    "/{attempt_id}/finish", response={200: AttemptStateOut, **errors}, summary="Finish the exam"
)
def finish(request: HttpRequest, attempt_id: Id, data: FinishIn):
    attempt = _call(
        services.attempt_finish, attempt_id=attempt_id, student_user=request.user, key=data.key
    )
    return _state(request, attempt)
