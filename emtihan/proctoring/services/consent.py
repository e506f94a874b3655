"""What the student agrees to before anything is recorded: the consent text and its
record (docs/PROCTORING.md, "Consent").

The text is built from the exam's settings (interval, retention, level) in the
student's language; its version is a digest of exactly what was shown, so a consent
always names the words the student read. Changing the exam's settings changes the text,
and a consent to the old text is refused (409) rather than stretched over the new one.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, ValidationFailed
from emtihan.exams.models import Exam, ProctoringLevel

from ..models import ProctoringSession
from ..rules import ERR_CONSENT_CHANGED, ERR_LANGUAGE
from .common import exam_session

LANGUAGES = ("kk", "ru", "en")


def consent_paragraphs(exam: Exam, language: str) -> list[str]:
    """The consent text for ``exam`` in ``language``, one string per paragraph."""
    with override(language):
        interval = exam.snapshot_interval_seconds
        days = exam.proctoring_retention_days
        paragraphs = [
            ngettext(
                "While you sit this exam, your camera sends a snapshot every %(n)d second. "
                "The browser also reports when you leave the exam tab or full screen, paste "
                "text copied outside the exam, lose the connection or connect a second "
                "screen, and when its own face check sees no face, several faces, a phone "
                "or you looking away (with one picture as evidence).",
                "While you sit this exam, your camera sends a snapshot every %(n)d seconds. "
                "The browser also reports when you leave the exam tab or full screen, paste "
                "text copied outside the exam, lose the connection or connect a second "
                "screen, and when its own face check sees no face, several faces, a phone "
                "or you looking away (with one picture as evidence).",
                interval,
            )
            % {"n": interval},
            _(
                "Before you start, the identity check takes a few pictures of your face while "
                "you look straight, move closer and turn your head, and compares a measurement "
                "of your face with your photo on file at the university."
            ),
            _(
                "When the browser hears speech, it records a short voice clip. If you have to "
                "leave the device or look away, say the reason aloud: the clip is evidence for "
                "you, not a violation by itself."
            ),
            _(
                "Who sees it: the proctors of this exam and the exam office. Your teachers and "
                "the graders do not. Computers only mark moments for a proctor to look at; only "
                "a person decides about your work. You can see everything recorded about you in "
                "your proctoring log."
            ),
            ngettext(
                "How long it is kept: the snapshots, voice clips, identity check pictures and "
                "face measurements are deleted automatically %(n)d day after the decision on "
                "your sitting.",
                "How long it is kept: the snapshots, voice clips, identity check pictures and "
                "face measurements are deleted automatically %(n)d days after the decision on "
                "your sitting.",
                days,
            )
            % {"n": days},
        ]
        if exam.proctoring == ProctoringLevel.REQUIRED:
            paragraphs.append(
                _(
                    "This exam cannot be started without the camera, the microphone and a "
                    "confirmed identity."
                )
            )
        else:
            paragraphs.append(
                _(
                    "This exam can be started without the camera; if you do not agree, nothing "
                    "is recorded and the proctor sees that the camera was off."
                )
            )
    return paragraphs


def consent_version(paragraphs: list[str]) -> str:
    """The first 16 hex digits of the SHA-256 of the text as shown."""
    return hashlib.sha256("\n\n".join(paragraphs).encode()).hexdigest()[:16]


def consent_give(
    *,
    student_user: User,
    exam_id: int,
    version: str,
    language: str,
    now: dt.datetime | None = None,
) -> ProctoringSession:
    """Record the student's consent to the text ``version`` they read in ``language``.

    Refused (409) when that is not the current text in that language: the exam's
    settings changed since the page was loaded, so the student reads the new text. A
    second consent keeps the first one (idempotent: a retried request, a reload)."""
    now = now or timezone.now()
    if language not in LANGUAGES:
        raise ValidationFailed({"language": [_(ERR_LANGUAGE)]})
    session = exam_session(student_user=student_user, exam_id=exam_id, now=now)
    if version != consent_version(consent_paragraphs(session.exam, language)):
        raise DomainError(_(ERR_CONSENT_CHANGED))
    with transaction.atomic():
        # Race: two tabs agreeing at once; the condition lets one record it, once.
        given = ProctoringSession.objects.filter(pk=session.pk, consent_at__isnull=True).update(
            consent_at=now, consent_version=version, consent_language=language
        )
        if given:
            audit_record(
                actor=student_user,
                action="proctoring.consent",
                obj=session,
                data={"exam_id": exam_id, "version": version, "language": language},
            )
    session.refresh_from_db()
    return session
