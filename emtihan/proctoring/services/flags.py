"""A proctor's review of a flag: upheld (it shows what it says) or dismissed (it does
not, or the student explained it), with a note. Flags are evidence for the sitting's
decision, never a penalty by themselves (DESIGN.md invariant 7); the decision on the
sitting is the attempts app's (``attempts.services.attempt_decide``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, NotFoundError, ValidationFailed
from emtihan.policy import proctoring as policy

from ..models import Flag, FlagStatus
from ..rules import ERR_ATTEMPT_NOT_FOUND, ERR_FLAG_REVIEW, ERR_FLAG_REVIEWED, ERR_REASON_REQUIRED
from .identity import REASON_MAX_LENGTH

REVIEWS = (FlagStatus.UPHELD, FlagStatus.DISMISSED)


def flag_review(
    *, actor: User, flag_id: int, status: str, note: str, now: dt.datetime | None = None
) -> Flag:
    """Uphold or dismiss an open flag with a note (required); proctors of the flag's
    exam and staff only (anyone else: not found). Audited."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if status not in REVIEWS:
        errors["status"] = [_(ERR_FLAG_REVIEW)]
    note = (note or "").strip()
    if not note or len(note) > REASON_MAX_LENGTH:
        errors["note"] = [_(ERR_REASON_REQUIRED)]
    if errors:
        raise ValidationFailed(errors)
    flag = Flag.objects.select_related("attempt").filter(pk=flag_id).first()
    if flag is None or not policy.may_review_attempt(actor, flag.attempt):
        raise NotFoundError(_(ERR_ATTEMPT_NOT_FOUND))
    with transaction.atomic():
        # Race: two proctors reviewing one flag; the row lock lets the first one win.
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        if flag.status != FlagStatus.OPEN:
            raise DomainError(_(ERR_FLAG_REVIEWED))
        flag.status = status
        flag.reviewed_by = actor
        flag.reviewed_at = now
        flag.review_note = note
        flag.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        audit_record(
            actor=actor,
            action="proctoring.flag_review",
            obj=flag.attempt,
            data={"flag": flag.pk, "kind": flag.kind, "status": status, "note": note},
        )
    return flag
