"""The proctoring JSON API, mounted at /api/v1/proctoring/ (docs/PROCTORING.md is the
contract: shapes, limits, error codes).

Handlers are thin: parse, call one service or selector, shape the answer. Uploads are
stored and their analysis enqueued; nothing here decodes a frame or runs a model.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from emtihan.core.api import ApiDomainError, ErrorOut, Id, error_responses, raise_as_http

from . import selectors, services
from .rules import ERR_EVENT_DETAIL

router = Router(tags=["proctoring"])

T = TypeVar("T")


# --- schemas -------------------------------------------------------------------------------


class ConsentOut(Schema):
    given_at: dt.datetime | None
    version: str
    language: str
    paragraphs: list[str]


class DeviceOut(Schema):
    checked_at: dt.datetime | None
    ok: bool


class StepResultOut(Schema):
    step: str
    passed: bool


class IdentityCheckOut(Schema):
    id: int
    number: int
    status: Literal["collecting", "analysing", "passed", "failed"]
    steps: list[str]
    frames_per_step: list[int]
    reason: str
    message: str
    step_results: list[StepResultOut]


class IdentityOut(Schema):
    status: str
    checks_used: int
    checks_allowed: int
    photo_on_file: bool
    message: str
    current_check: IdentityCheckOut | None


class LimitsOut(Schema):
    snapshot_max_bytes: int
    snapshot_max_width: int
    snapshot_max_height: int
    frames_per_step: list[int]
    events_per_request: int
    clip_max_seconds: int
    clip_sample_rate: int


class StateOut(Schema):
    exam_id: int
    level: Literal["record", "required"]
    snapshot_interval_seconds: int
    consent: ConsentOut
    device: DeviceOut
    identity: IdentityOut
    may_start: bool
    blocker: str | None
    attempt_id: int | None
    limits: LimitsOut


class ConsentIn(Schema):
    version: str = Field(max_length=16)
    language: Literal["kk", "ru", "en"]


class DeviceIn(Schema):
    camera: Literal["ok", "denied", "not_found", "in_use", "too_dark", "error"]
    microphone: Literal["ok", "denied", "not_found", "in_use", "silent", "error"]
    camera_label: str = Field("", max_length=200)
    width: int | None = Field(None, ge=1, le=10_000)
    height: int | None = Field(None, ge=1, le=10_000)
    microphone_level: float | None = Field(None, ge=0, le=1)


class FrameOut(Schema):
    id: int
    step: str
    frames_in_step: int


class SnapshotOut(Schema):
    id: int
    number: int
    next_in_seconds: int


class EventItemIn(Schema):
    kind: str = Field(max_length=24)
    at: dt.datetime
    duration_ms: int | None = None
    detail: dict[str, Any] = {}


class EventsIn(Schema):
    events: list[EventItemIn] = Field(max_length=50)


class AcceptedOut(Schema):
    accepted: int


class ClipOut(Schema):
    id: int


class IdentityDecisionIn(Schema):
    decision: Literal["approve", "reject"]
    reason: str = Field(max_length=2000)


class IdentityDecisionOut(Schema):
    identity_status: str


class RetryOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}
    retry_after_seconds: int


errors = {**error_responses, 404: ErrorOut}
upload_errors = {**errors, 410: ErrorOut, 429: RetryOut}


def _call(func: Callable[..., T], **kwargs: Any) -> T | Status:
    """Call a service; map this app's own errors (410, 429), then the shared ones."""

    def mapped() -> T | Status:
        try:
            return func(**kwargs)
        except services.SittingOver as exc:
            raise ApiDomainError(410, exc.message) from exc
        except services.TooFrequent as exc:
            return Status(
                429, {"detail": exc.message, "errors": {}, "retry_after_seconds": exc.retry_after}
            )

    return raise_as_http(mapped)


def _state(request: HttpRequest, exam_id: int) -> Any:
    return raise_as_http(selectors.proctoring_state, student_user=request.user, exam_id=exam_id)


def _event(kind: str, at: dt.datetime, duration_ms: int | None, detail: Any) -> services.EventIn:
    return services.EventIn(kind=kind, at=at, duration_ms=duration_ms, detail=detail or None)


# --- before the sitting ----------------------------------------------------------------------


@router.get("/exams/{exam_id}", response={200: StateOut, **errors}, summary="Proctoring state")
def state(request: HttpRequest, exam_id: Id):
    return _state(request, exam_id)


@router.post(
    "/exams/{exam_id}/consent", response={200: StateOut, **errors}, summary="Agree to the recording"
)
def consent(request: HttpRequest, exam_id: Id, data: ConsentIn):
    raise_as_http(
        services.consent_give,
        student_user=request.user,
        exam_id=exam_id,
        version=data.version,
        language=data.language,
    )
    return _state(request, exam_id)


@router.post(
    "/exams/{exam_id}/device-check",
    response={200: StateOut, **errors},
    summary="Report the camera and microphone check",
)
def device_check(request: HttpRequest, exam_id: Id, data: DeviceIn):
    raise_as_http(
        services.device_check_record,
        student_user=request.user,
        exam_id=exam_id,
        report=data.dict(),
    )
    return _state(request, exam_id)


@router.post(
    "/exams/{exam_id}/identity-checks",
    response={201: IdentityCheckOut, **errors},
    summary="Start an identity check (the steps in a random order)",
)
def identity_check_start(request: HttpRequest, exam_id: Id):
    check = raise_as_http(services.identity_check_start, student_user=request.user, exam_id=exam_id)
    return Status(201, selectors.check_view(check))


@router.post(
    "/identity-checks/{check_id}/frames",
    response={201: FrameOut, **errors},
    summary="Upload a frame of one step (multipart: step, file)",
)
def identity_frame(
    request: HttpRequest,
    check_id: Id,
    step: Form[Literal["straight", "closer", "left", "right"]],
    file: File[UploadedFile] = None,  # type: ignore[assignment]  # a missing file is the service's 400
):
    frame, count = raise_as_http(
        services.identity_frame_upload,
        student_user=request.user,
        check_id=check_id,
        step=step,
        file=file,
    )
    return Status(201, {"id": frame.pk, "step": frame.step, "frames_in_step": count})


@router.post(
    "/identity-checks/{check_id}/submit",
    response={202: IdentityCheckOut, **errors},
    summary="Send the frames for the server's decision",
)
def identity_check_submit(request: HttpRequest, check_id: Id):
    check = raise_as_http(
        services.identity_check_submit, student_user=request.user, check_id=check_id
    )
    return Status(202, selectors.check_view(check))


@router.get(
    "/identity-checks/{check_id}",
    response={200: IdentityCheckOut, **errors},
    summary="An identity check and its result",
)
def identity_check_get(request: HttpRequest, check_id: Id):
    check = raise_as_http(services.own_check, student_user=request.user, check_id=check_id)
    return selectors.check_view(check)


@router.get(
    "/exams/{exam_id}/log",
    response={200: dict[str, Any], **errors},
    summary="What was recorded about me in this exam",
)
def log(request: HttpRequest, exam_id: Id):
    found = raise_as_http(selectors.student_log, student_user=request.user, exam_id=exam_id)
    return selectors.log_json(found)


# --- during the sitting ----------------------------------------------------------------------


@router.post(
    "/attempts/{attempt_id}/snapshots",
    response={202: SnapshotOut, **upload_errors},
    summary="Upload a camera snapshot (multipart: file, taken_at)",
)
def snapshot(
    request: HttpRequest,
    attempt_id: Id,
    taken_at: Form[dt.datetime],
    file: File[UploadedFile] = None,  # type: ignore[assignment]  # a missing file is the service's 400
):
    result = _call(
        services.snapshot_upload,
        student_user=request.user,
        attempt_id=attempt_id,
        file=file,
        taken_at=taken_at,
    )
    if isinstance(result, Status):
        return result
    return Status(
        202,
        {
            "id": result.pk,
            "number": result.number,
            "next_in_seconds": result.session.exam.snapshot_interval_seconds,
        },
    )


@router.post(
    "/attempts/{attempt_id}/events",
    response={202: AcceptedOut, **upload_errors},
    summary="Report browser events",
)
def events(request: HttpRequest, attempt_id: Id, data: EventsIn):
    result = _call(
        services.events_record,
        student_user=request.user,
        attempt_id=attempt_id,
        events=[_event(e.kind, e.at, e.duration_ms, e.detail) for e in data.events],
    )
    if isinstance(result, Status):
        return result
    return Status(202, {"accepted": result})


@router.post(
    "/attempts/{attempt_id}/detections",
    response={202: AcceptedOut, **upload_errors},
    summary="Report a browser detection with its keyframe (multipart)",
)
def detection(
    request: HttpRequest,
    attempt_id: Id,
    kind: Form[Literal["no_face", "multiple_faces", "looking_away", "phone"]],
    at: Form[dt.datetime],
    duration_ms: Form[int | None] = None,
    detail: Form[str] = "",
    file: File[UploadedFile] = None,  # type: ignore[assignment]  # a missing file is the service's 400
):
    try:
        parsed = json.loads(detail) if detail else {}
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or len(detail) > 1024:
        raise ApiDomainError(400, _(ERR_EVENT_DETAIL), {"detail": [_(ERR_EVENT_DETAIL)]})
    result = _call(
        services.detection_upload,
        student_user=request.user,
        attempt_id=attempt_id,
        event=_event(kind, at, duration_ms, parsed),
        file=file,
    )
    if isinstance(result, Status):
        return result
    return Status(202, {"accepted": 1})


@router.post(
    "/attempts/{attempt_id}/clips",
    response={202: ClipOut, **upload_errors},
    summary="Upload a voice clip (multipart: file = 16 kHz mono 16-bit WAV, started_at)",
)
def clip(
    request: HttpRequest,
    attempt_id: Id,
    started_at: Form[dt.datetime],
    file: File[UploadedFile] = None,  # type: ignore[assignment]  # a missing file is the service's 400
):
    result = _call(
        services.clip_upload,
        student_user=request.user,
        attempt_id=attempt_id,
        file=file,
        started_at=started_at,
    )
    if isinstance(result, Status):
        return result
    return Status(202, {"id": result.pk})


# --- the proctor -------------------------------------------------------------------------------


@router.post(
    "/sessions/{session_id}/identity-decision",
    response={200: IdentityDecisionOut, **errors},
    summary="Approve or reject a student's identity by hand",
)
def identity_decision(request: HttpRequest, session_id: Id, data: IdentityDecisionIn):
    session = raise_as_http(
        services.identity_decide,
        actor=request.user,
        session_id=session_id,
        decision=data.decision,
        reason=data.reason,
    )
    return {"identity_status": session.identity_status}
