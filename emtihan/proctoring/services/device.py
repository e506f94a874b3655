"""The device check: the browser's report of the camera and the microphone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import ValidationFailed

from ..models import ProctoringSession
from ..rules import ERR_DEVICE_REPORT
from .common import exam_session

CAMERA_STATES = ("ok", "denied", "not_found", "in_use", "too_dark", "error")
MICROPHONE_STATES = ("ok", "denied", "not_found", "in_use", "silent", "error")
LABEL_MAX_LENGTH = 200
MAX_SIDE = 10_000  # pixels: a camera's resolution as the browser reports it


def _clean(report: dict[str, Any]) -> dict[str, Any]:
    camera, microphone = report.get("camera"), report.get("microphone")
    errors: dict[str, list[str]] = {}
    if camera not in CAMERA_STATES:
        errors["camera"] = [_(ERR_DEVICE_REPORT)]
    if microphone not in MICROPHONE_STATES:
        errors["microphone"] = [_(ERR_DEVICE_REPORT)]
    clean: dict[str, Any] = {"camera": camera, "microphone": microphone}
    label = report.get("camera_label") or ""
    if not isinstance(label, str) or len(label) > LABEL_MAX_LENGTH:
        errors["camera_label"] = [_(ERR_DEVICE_REPORT)]
    clean["camera_label"] = label
    for side in ("width", "height"):
        value = report.get(side)
        if value is not None and (not isinstance(value, int) or not 0 < value <= MAX_SIDE):
            errors[side] = [_(ERR_DEVICE_REPORT)]
        clean[side] = value
    level = report.get("microphone_level")
    if level is not None and (not isinstance(level, (int, float)) or not 0 <= level <= 1):
        errors["microphone_level"] = [_(ERR_DEVICE_REPORT)]
    clean["microphone_level"] = level
    if errors:
        raise ValidationFailed(errors)
    return clean


def device_check_record(
    *, student_user: User, exam_id: int, report: dict[str, Any], now: dt.datetime | None = None
) -> ProctoringSession:
    """Keep the browser's latest device-check report; ``device_ok`` when both the camera
    and the microphone work. The server cannot see the devices: it keeps what the
    browser says, and the identity check's frames show that the camera works."""
    now = now or timezone.now()
    clean = _clean(report)
    session = exam_session(student_user=student_user, exam_id=exam_id, now=now)
    device_ok = clean["camera"] == "ok" and clean["microphone"] == "ok"
    with transaction.atomic():
        ProctoringSession.objects.filter(pk=session.pk).update(
            device_checked_at=now, device_ok=device_ok, device_report=clean
        )
        if device_ok != session.device_ok or session.device_checked_at is None:
            audit_record(
                actor=student_user,
                action="proctoring.device_check",
                obj=session,
                data={"camera": clean["camera"], "microphone": clean["microphone"]},
            )
    session.device_checked_at, session.device_ok, session.device_report = now, device_ok, clean
    return session
