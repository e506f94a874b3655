"""The start gate: what a sitting of a proctored exam needs before it starts.

Registered with ``attempts.services.register_start_requirement`` in ``apps.py``, so it
holds for the exam page's Start button and for ``POST /api/v1/attempts/start`` alike.
Only a first start is gated: a sitting that has started is resumed whatever happens here.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from emtihan.attempts.services import StartRequest
from emtihan.core.errors import DomainError
from emtihan.exams.models import ProctoringLevel

from ..models import IDENTITY_CLEARED, ProctoringSession
from ..rules import ERR_START_CONSENT, ERR_START_DEVICE, ERR_START_IDENTITY


def start_blocker(session: ProctoringSession | None, level: str) -> str | None:
    """The message (untranslated constant) of the first thing that still keeps a sitting
    at this level from starting, or None."""
    if level != ProctoringLevel.REQUIRED:
        return None
    if session is None or session.consent_at is None:
        return ERR_START_CONSENT
    if not session.device_ok:
        return ERR_START_DEVICE
    if session.identity_status not in IDENTITY_CLEARED:
        return ERR_START_IDENTITY
    return None


def start_requirement(request: StartRequest) -> None:
    """Refuse the first start of a sitting that requires proctoring until the student
    has agreed, passed the device check and passed (or been approved in) the identity
    check. One query, and none for an exam without the requirement."""
    if request.exam.proctoring != ProctoringLevel.REQUIRED:
        return
    session = (
        ProctoringSession.objects.filter(exam_id=request.exam.pk, student_id=request.student_id)
        .only("consent_at", "device_ok", "identity_status")
        .first()
    )
    blocker = start_blocker(session, request.exam.proctoring)
    if blocker is not None:
        raise DomainError(_(blocker))
