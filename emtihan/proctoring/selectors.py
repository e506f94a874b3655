"""Reads of the proctoring app for the API and the pages: the student's state before
the sitting, an identity check as the student sees it, the student's own log, and the
recordings a person may open. Each is a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.attempts.models import Attempt
from emtihan.exams.models import Exam
from emtihan.policy import proctoring as policy
from emtihan.university.models import Student

from .models import (
    AudioClip,
    BrowserEvent,
    CheckStatus,
    IdentityCheck,
    IdentityFrame,
    ProctoringSession,
    Snapshot,
)
from .retention import deletion_due
from .rules import (
    CLIP_MAX_SECONDS,
    CLIP_SAMPLE_RATE,
    EVENTS_PER_REQUEST,
    IDENTITY_FRAMES_PER_STEP,
    IDENTITY_MESSAGES,
    IDENTITY_MIN_FRAMES_PER_STEP,
    SNAPSHOT_MAX_BYTES,
    SNAPSHOT_MAX_HEIGHT,
    SNAPSHOT_MAX_WIDTH,
)
from .services import LANGUAGES, consent_paragraphs, consent_version, start_blocker, student_exam

LIMITS = {
    "snapshot_max_bytes": SNAPSHOT_MAX_BYTES,
    "snapshot_max_width": SNAPSHOT_MAX_WIDTH,
    "snapshot_max_height": SNAPSHOT_MAX_HEIGHT,
    "frames_per_step": [IDENTITY_MIN_FRAMES_PER_STEP, IDENTITY_FRAMES_PER_STEP],
    "events_per_request": EVENTS_PER_REQUEST,
    "clip_max_seconds": CLIP_MAX_SECONDS,
    "clip_sample_rate": CLIP_SAMPLE_RATE,
}


def language() -> str:
    current = (get_language() or "kk")[:2]
    return current if current in LANGUAGES else "kk"


def check_view(check: IdentityCheck) -> dict[str, Any]:
    """An identity check as the student sees it: the steps, the status, and when it
    failed, why in their words (the distances are for proctors)."""
    decided = check.status in (CheckStatus.PASSED, CheckStatus.FAILED)
    return {
        "id": check.pk,
        "number": check.number,
        "status": check.status,
        "steps": check.steps,
        "frames_per_step": [IDENTITY_MIN_FRAMES_PER_STEP, IDENTITY_FRAMES_PER_STEP],
        "reason": check.reason,
        "message": _(IDENTITY_MESSAGES[check.reason]) if decided and check.reason else "",
        "step_results": [
            {"step": r["step"], "passed": r["passed"]} for r in check.result.get("steps", [])
        ],
    }


def proctoring_state(*, student_user: User, exam_id: int) -> dict[str, Any]:
    """Everything the device-check and identity pages need (GET /exams/{exam_id}).
    Creates nothing: a student who only looks has no session yet."""
    exam, student = student_exam(student_user=student_user, exam_id=exam_id)
    return _state(exam, student)


def precheck_page(*, student_user: User, exam_id: int) -> tuple[Exam, dict[str, Any]]:
    """The exam and its ``ProctoringState`` for the student's camera-check page."""
    exam, student = student_exam(student_user=student_user, exam_id=exam_id)
    return exam, _state(exam, student)


def _state(exam: Exam, student: Student) -> dict[str, Any]:
    session = (
        ProctoringSession.objects.filter(exam=exam, student=student)
        .select_related("attempt")
        .first()
    )
    lang = language()
    paragraphs = consent_paragraphs(exam, lang)
    current = None
    if session is not None:
        current = session.identity_checks.order_by("-number").first()
    attempt_id = (
        Attempt.objects.filter(exam=exam, student=student).values_list("pk", flat=True).first()
    )
    blocker = start_blocker(session, exam.proctoring)
    identity_status = session.identity_status if session else "not_started"
    message = ""
    if current is not None and current.status in (CheckStatus.PASSED, CheckStatus.FAILED):
        message = _(IDENTITY_MESSAGES[current.reason])
    return {
        "exam_id": exam.pk,
        "level": exam.proctoring,
        "snapshot_interval_seconds": exam.snapshot_interval_seconds,
        "consent": {
            "given_at": session.consent_at if session else None,
            "version": consent_version(paragraphs),
            "language": lang,
            "paragraphs": paragraphs,
        },
        "device": {
            "checked_at": session.device_checked_at if session else None,
            "ok": bool(session and session.device_ok),
        },
        "identity": {
            "status": identity_status,
            "checks_used": session.identity_checks_used if session else 0,
            "checks_allowed": exam.identity_check_attempts,
            "photo_on_file": bool(student.photo),
            "message": message,
            "current_check": check_view(current) if current is not None else None,
        },
        "may_start": blocker is None,
        "blocker": _(blocker) if blocker else None,
        "attempt_id": attempt_id,
        "limits": LIMITS,
    }


def media_url(kind: str, pk: int) -> str:
    return reverse("proctoring:media", args=[kind, pk])


def student_log(*, student_user: User, exam_id: int) -> dict[str, Any]:
    """What was recorded about the student in one exam (their log page and
    GET /exams/{exam_id}/log): consent, device check, identity checks, and of the
    sitting the snapshots, events, clips and flags, with when the recordings go."""
    exam, student = student_exam(student_user=student_user, exam_id=exam_id)
    session = (
        ProctoringSession.objects.filter(exam=exam, student=student)
        .select_related("attempt", "exam")
        .first()
    )
    log: dict[str, Any] = {
        "exam": exam,
        "session": session,
        "checks": [],
        "frames": [],
        "snapshots": [],
        "events": [],
        "clips": [],
        "flags": [],
        "deletion_due": None,
    }
    if session is None:
        return log
    log["checks"] = list(session.identity_checks.order_by("number"))
    log["frames"] = list(
        IdentityFrame.objects.filter(check_row__session=session).order_by("check_row_id", "pk")
    )
    attempt = session.attempt
    if attempt is not None:
        log["snapshots"] = list(Snapshot.objects.filter(attempt=attempt).order_by("taken_at"))
        log["events"] = list(BrowserEvent.objects.filter(attempt=attempt).order_by("at"))
        log["clips"] = list(AudioClip.objects.filter(attempt=attempt).order_by("started_at"))
        log["flags"] = list(attempt.flags.order_by("started_at"))
    log["deletion_due"] = deletion_due(session)
    return log


def log_json(log: dict[str, Any]) -> dict[str, Any]:
    """The log in the API's shape."""
    session: ProctoringSession | None = log["session"]
    exam: Exam = log["exam"]

    def link(kind: str, row: Any, field: str = "file") -> str | None:
        file: FieldFile = getattr(row, field)
        return media_url(kind, row.pk) if file else None

    return {
        "exam_id": exam.pk,
        "level": exam.proctoring,
        "consent": {
            "given_at": session.consent_at if session else None,
            "version": session.consent_version if session else "",
            "language": session.consent_language if session else "",
        },
        "device": {
            "checked_at": session.device_checked_at if session else None,
            "ok": bool(session and session.device_ok),
            "report": session.device_report if session else {},
        },
        "identity": {
            "status": session.identity_status if session else "not_started",
            "decided_at": session.identity_decided_at if session else None,
            "reason": session.identity_reason if session else "",
            "checks": [
                {**check_view(c), "started_at": c.started_at, "decided_at": c.decided_at}
                for c in log["checks"]
            ],
            "frames": [
                {"check_id": f.check_row_id, "step": f.step, "url": link("frame", f)}
                for f in log["frames"]
            ],
        },
        "snapshots": [
            {"taken_at": s.taken_at, "faces": s.faces, "url": link("snapshot", s)}
            for s in log["snapshots"]
        ],
        "events": [
            {
                "kind": e.kind,
                "at": e.at,
                "duration_ms": e.duration_ms,
                "url": link("keyframe", e, "keyframe"),
            }
            for e in log["events"]
        ],
        "clips": [
            {
                "started_at": c.started_at,
                "duration_seconds": c.duration_seconds,
                "speech_seconds": c.speech_seconds,
                "url": link("clip", c),
            }
            for c in log["clips"]
        ],
        "flags": [
            {
                "kind": f.kind,
                "started_at": f.started_at,
                "ended_at": f.ended_at,
                "metric": f.metric,
                "value": f.value,
                "threshold": f.threshold,
                "status": f.status,
            }
            for f in log["flags"]
        ],
        "deletion_due": log["deletion_due"],
        "purged_at": session.purged_at if session else None,
    }


@dataclass(frozen=True)
class Recording:
    file: FieldFile
    content_type: str


def recording_for(user: User, kind: str, pk: int) -> Recording | None:
    """A recording the person may open (the student it is about, the exam's proctors,
    staff), or None: missing and forbidden look the same."""
    row: Any
    if kind == "snapshot":
        row = Snapshot.objects.select_related("session__student").filter(pk=pk).first()
        file, session, content_type = (
            (row.file, row.session, "image/jpeg") if row else (None, None, "")
        )
    elif kind == "frame":
        row = (
            IdentityFrame.objects.select_related("check_row__session__student")
            .filter(pk=pk)
            .first()
        )
        file, session, content_type = (
            (row.file, row.check_row.session, "image/jpeg") if row else (None, None, "")
        )
    elif kind == "keyframe":
        row = BrowserEvent.objects.select_related("session__student").filter(pk=pk).first()
        file, session, content_type = (
            (row.keyframe, row.session, "image/jpeg") if row else (None, None, "")
        )
    elif kind == "clip":
        row = AudioClip.objects.select_related("session__student").filter(pk=pk).first()
        file, session, content_type = (
            (row.file, row.session, "audio/wav") if row else (None, None, "")
        )
    elif kind == "photo":
        # The photo on file of the session's student (registry import), beside the
        # identity-check frames on the review page: to its reviewers only.
        row = ProctoringSession.objects.select_related("student").filter(pk=pk).first()
        if row is None or not policy.may_review_session(user, row):
            return None
        file, session = row.student.photo, row
        content_type = "image/png" if file.name.lower().endswith(".png") else "image/jpeg"
    else:
        return None
    if not file or session is None or not policy.may_view_recording(user, session):
        return None
    return Recording(file=file, content_type=content_type)
