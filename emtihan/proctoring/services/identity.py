"""The identity check, the student's side (start, frames, submit) and the proctor's
decision by hand. The server's decision is the task's (``analysis``)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, NotFoundError, PermissionDeniedError, ValidationFailed
from emtihan.policy import proctoring as policy

from .. import files
from ..models import CheckStatus, IdentityCheck, IdentityFrame, IdentityStatus, ProctoringSession
from ..rules import (
    ERR_CHECK_CLOSED,
    ERR_CHECK_NOT_FOUND,
    ERR_CONSENT_FIRST,
    ERR_DECISION,
    ERR_IDENTITY_DONE,
    ERR_IDENTITY_IN_PROGRESS,
    ERR_IDENTITY_REJECTED,
    ERR_NO_CHECKS_LEFT,
    ERR_NOT_PROCTOR,
    ERR_NOTHING_TO_DECIDE,
    ERR_REASON_REQUIRED,
    ERR_STEP,
    ERR_TOO_FEW_FRAMES,
    ERR_TOO_MANY_FRAMES,
    ERR_WAITING_FOR_PROCTOR,
    IDENTITY_FRAME_MAX_BYTES,
    IDENTITY_FRAMES_PER_STEP,
    IDENTITY_MIN_FRAMES_PER_STEP,
    STEPS,
)
from ..tasks import analyse_identity_check
from .common import exam_session, read_jpeg

REASON_MAX_LENGTH = 2000


def identity_check_start(
    *, student_user: User, exam_id: int, now: dt.datetime | None = None
) -> IdentityCheck:
    """A new identity check with the four steps in a random order, or the check the
    student is already collecting frames for (a reload keeps it)."""
    now = now or timezone.now()
    session = exam_session(student_user=student_user, exam_id=exam_id, now=now)
    if session.consent_at is None:
        raise DomainError(_(ERR_CONSENT_FIRST))
    with transaction.atomic():
        # Race: two tabs starting a check at once would both get a try; under the
        # session's row lock the second finds the first one's open check.
        session = (
            ProctoringSession.objects.select_for_update().select_related("exam").get(pk=session.pk)
        )
        _check_may_try(session)
        open_check = session.identity_checks.filter(status=CheckStatus.COLLECTING).first()
        if open_check is not None:
            return open_check
        steps = list(STEPS)
        secrets.SystemRandom().shuffle(steps)
        check = IdentityCheck.objects.create(
            session=session,
            number=session.identity_checks.count() + 1,
            steps=steps,
            started_at=now,
        )
        audit_record(
            actor=student_user,
            action="proctoring.identity_check_start",
            obj=session,
            data={"check": check.pk, "number": check.number, "steps": steps},
        )
    return check


def _check_may_try(session: ProctoringSession) -> None:
    status = session.identity_status
    if status in (IdentityStatus.PASSED, IdentityStatus.APPROVED):
        raise DomainError(_(ERR_IDENTITY_DONE))
    if status == IdentityStatus.CHECKING:
        raise DomainError(_(ERR_IDENTITY_IN_PROGRESS))
    if status == IdentityStatus.REJECTED:
        raise DomainError(_(ERR_IDENTITY_REJECTED))
    if status == IdentityStatus.MANUAL:
        raise DomainError(_(ERR_WAITING_FOR_PROCTOR))
    if session.identity_checks_used >= session.exam.identity_check_attempts:
        raise DomainError(_(ERR_NO_CHECKS_LEFT))


def own_check(*, student_user: User, check_id: int) -> IdentityCheck:
    check = (
        IdentityCheck.objects.select_related("session__exam")
        .filter(pk=check_id, session__in=policy.own_sessions(student_user))
        .first()
    )
    if check is None:
        raise NotFoundError(_(ERR_CHECK_NOT_FOUND))
    return check


def identity_frame_upload(
    *, student_user: User, check_id: int, step: str, file: Any, now: dt.datetime | None = None
) -> tuple[IdentityFrame, int]:
    """Keep one frame of a step; returns it with the step's frame count."""
    now = now or timezone.now()
    check = own_check(student_user=student_user, check_id=check_id)
    if step not in check.steps:
        raise ValidationFailed({"step": [_(ERR_STEP)]})
    data, _width, _height = read_jpeg(file, max_bytes=IDENTITY_FRAME_MAX_BYTES)
    frame = IdentityFrame(check_row=check, step=step, size=len(data), uploaded_at=now)
    stored = files.store(frame, "file", data)
    try:
        with transaction.atomic():
            # Race: frames of one step sent in parallel could pass the count together;
            # the check's row lock counts them one at a time, and a submit (which takes
            # the same lock) cannot slip between the count and the insert.
            locked = IdentityCheck.objects.select_for_update().get(pk=check.pk)
            if locked.status != CheckStatus.COLLECTING:
                raise DomainError(_(ERR_CHECK_CLOSED))
            count = locked.frames.filter(step=step).count()
            if count >= IDENTITY_FRAMES_PER_STEP:
                raise DomainError(_(ERR_TOO_MANY_FRAMES))
            frame.save()
    except BaseException:
        files.discard([stored])
        raise
    return frame, count + 1


def identity_check_submit(
    *, student_user: User, check_id: int, now: dt.datetime | None = None
) -> IdentityCheck:
    """Send the check's frames for analysis (a background task decides)."""
    now = now or timezone.now()
    check = own_check(student_user=student_user, check_id=check_id)
    with transaction.atomic():
        # Lock order everywhere: the session, then its check. Race: a proctor may have
        # decided by hand since the check was started; the session's lock orders this
        # after that decision, which then stands.
        session = (
            ProctoringSession.objects.select_for_update()
            .select_related("exam")
            .get(pk=check.session_id)
        )
        check = IdentityCheck.objects.select_for_update().get(pk=check.pk)
        if check.status != CheckStatus.COLLECTING:
            raise DomainError(_(ERR_CHECK_CLOSED))
        _check_may_try(session)
        counts = dict(
            check.frames.values_list("step").annotate(n=Count("pk")).values_list("step", "n")
        )
        if any(counts.get(step, 0) < IDENTITY_MIN_FRAMES_PER_STEP for step in check.steps):
            raise ValidationFailed({"frames": [_(ERR_TOO_FEW_FRAMES)]})
        check.status = CheckStatus.ANALYSING
        check.submitted_at = now
        check.save(update_fields=["status", "submitted_at"])
        ProctoringSession.objects.filter(pk=check.session_id).update(
            identity_status=IdentityStatus.CHECKING
        )
        audit_record(
            actor=student_user,
            action="proctoring.identity_check_submit",
            obj=session,
            data={"check": check.pk, "frames": counts},
        )
        # Enqueued in the transaction: with the database backend the task row commits
        # with the state it will read, or not at all.
        analyse_identity_check.enqueue(check.pk)
    check.refresh_from_db()
    return check


def identity_decide(
    *,
    actor: User,
    session_id: int,
    decision: str,
    reason: str,
    now: dt.datetime | None = None,
) -> ProctoringSession:
    """A proctor approves or rejects a student's identity by hand, with a reason: after
    the tries ran out, without a photo on file, or with an unusable photo."""
    now = now or timezone.now()
    if decision not in ("approve", "reject"):
        raise ValidationFailed({"decision": [_(ERR_DECISION)]})
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed({"reason": [_(ERR_REASON_REQUIRED)]})
    session = ProctoringSession.objects.select_related("student").filter(pk=session_id).first()
    if session is None or not policy.may_review_session(actor, session):
        # A proctor out of scope learns nothing about the session: the same 403 as for a
        # session that does not exist.
        raise PermissionDeniedError(_(ERR_NOT_PROCTOR))
    with transaction.atomic():
        session = ProctoringSession.objects.select_for_update().get(pk=session.pk)
        if session.identity_status not in (IdentityStatus.MANUAL, IdentityStatus.FAILED):
            raise DomainError(_(ERR_NOTHING_TO_DECIDE))
        session.identity_status = (
            IdentityStatus.APPROVED if decision == "approve" else IdentityStatus.REJECTED
        )
        session.identity_decided_by = actor
        session.identity_decided_at = now
        session.identity_reason = reason
        session.save(
            update_fields=[
                "identity_status",
                "identity_decided_by",
                "identity_decided_at",
                "identity_reason",
            ]
        )
        audit_record(
            actor=actor,
            action=f"proctoring.identity_{decision}",
            obj=session,
            data={"exam_id": session.exam_id, "student_id": session.student_id, "reason": reason},
        )
    return session
