"""Draft saves (the hot path: one read, one conditional UPDATE) and sends (an immutable,
numbered ``AnswerVersion`` with its receipt)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import ValidationFailed
from emtihan.exams.models import QuestionKind

from .. import content as answer_content
from ..models import REQUEST_KEY_MAX_LENGTH, Answer, AnswerVersion, Attempt, AttemptStatus, Picture
from ..selectors import answer_state, receipt_of
from .presence import attempt_for_write
from .rules import (
    ERR_BASE_VERSION,
    ERR_KEY,
    ERR_QUESTION_NOT_FOUND,
    ERR_STALE,
    NotFoundError,
    Receipt,
    SaveResult,
    StaleVersion,
    closed_error,
)

KEY_PATTERN = re.compile(rf"^[A-Za-z0-9_-]{{1,{REQUEST_KEY_MAX_LENGTH}}}$")


def answer_save(
    *,
    attempt_id: int,
    student_user: User,
    question_id: int,
    content: Any,
    base_version: int,
    key: str,
    now: dt.datetime | None = None,
) -> SaveResult:
    """Autosave a draft (docs/EXAM-SITTING.md). Steady state: one read of the attempt and
    one conditional UPDATE of the answer, plus a presence write at most every 20 s."""
    now = now or timezone.now()
    stored_key = "d:" + _check_key(key)
    _check_base(base_version)
    attempt = attempt_for_write(attempt_id=attempt_id, student_user=student_user, now=now)
    clean = _clean(attempt, question_id=question_id, content=content)

    updated = Answer.objects.filter(
        attempt_id=attempt.pk, question_id=question_id, draft_version=base_version, locked=False
    ).update(
        draft=clean.content,
        draft_digest=clean.digest,
        draft_version=base_version + 1,
        draft_saved_at=now,
        last_request_key=stored_key,
    )
    if updated:
        return SaveResult(draft_version=base_version + 1, saved_at=now, server_time=now)

    # Nothing matched: a first save, a retry of an accepted save, a stale base, or the
    # attempt was locked between our read and our write. One read tells them apart.
    answer = Answer.objects.filter(attempt_id=attempt.pk, question_id=question_id).first()
    if answer is None and base_version == 0:
        answer = _answer_insert(
            attempt,
            question_id=question_id,
            draft=clean.content,
            draft_digest=clean.digest,
            draft_version=1,
            draft_saved_at=now,
            last_request_key=stored_key,
        )
        if answer.last_request_key == stored_key:
            return SaveResult(draft_version=1, saved_at=now, server_time=now)
    if answer is not None and answer.last_request_key == stored_key:
        return SaveResult(
            draft_version=answer.draft_version,
            saved_at=answer.draft_saved_at or now,
            server_time=now,
        )
    if answer is not None and answer.locked:
        raise closed_error(attempt.pk)
    raise StaleVersion(_(ERR_STALE), current=answer_state(answer, question_id=question_id))


def _answer_insert(attempt: Attempt, *, question_id: int, **fields: Any) -> Answer:
    """Insert the question's answer row (its first draft, or an empty row before a first
    send), or return the row another request inserted. Once per question per attempt.

    Under the attempt's row lock (``Attempt.lock_status``, which says why): a first save
    or send either lands before the time-out lock collects the answers or finds the
    attempt closed.
    """
    try:
        with transaction.atomic():
            status = Attempt.lock_status(attempt.pk)
            if status != AttemptStatus.IN_PROGRESS:
                raise closed_error(attempt.pk, status=status)
            return Answer.objects.create(attempt_id=attempt.pk, question_id=question_id, **fields)
    except IntegrityError:
        # Another tab's first save or send of this question won the insert.
        return Answer.objects.get(attempt_id=attempt.pk, question_id=question_id)


def answer_send(
    *,
    attempt_id: int,
    student_user: User,
    question_id: int,
    content: Any,
    base_version: int,
    key: str,
    now: dt.datetime | None = None,
) -> SaveResult:
    """Send an answer: the content becomes the draft and a new immutable, numbered
    ``AnswerVersion`` whose receipt (version, time, digest) the student keeps."""
    now = now or timezone.now()
    stored_key = "s:" + _check_key(key)
    _check_base(base_version)
    attempt = attempt_for_write(attempt_id=attempt_id, student_user=student_user, now=now)
    clean = _clean(attempt, question_id=question_id, content=content)
    if base_version == 0:
        _answer_ensure(attempt, question_id=question_id)

    with transaction.atomic():
        # Lock the answer: two sends from two tabs, both based on version N, would each
        # read sent_number and write the same version number; with the lock the second
        # waits, then finds draft_version moved and is refused as stale (409). The
        # time-out lock takes this row lock too, so a send either lands before the
        # final version is taken or finds the answer locked.
        answer = (
            Answer.objects.select_for_update()
            .filter(attempt_id=attempt.pk, question_id=question_id)
            .first()
        )
        if answer is None:
            raise StaleVersion(_(ERR_STALE), current=answer_state(None, question_id=question_id))
        if answer.last_request_key == stored_key:
            return _sent_result(answer, now)
        if answer.locked:
            raise closed_error(attempt.pk)
        if answer.draft_version != base_version:
            raise StaleVersion(_(ERR_STALE), current=answer_state(answer, question_id=question_id))
        number = answer.sent_number + 1
        AnswerVersion.objects.create(
            answer=answer, number=number, content=clean.content, digest=clean.digest, sent_at=now
        )
        answer.draft = clean.content
        answer.draft_digest = clean.digest
        answer.draft_version = base_version + 1
        answer.draft_saved_at = now
        answer.last_request_key = stored_key
        answer.sent_number = number
        answer.sent_digest = clean.digest
        answer.sent_at = now
        answer.save(
            update_fields=[
                "draft",
                "draft_digest",
                "draft_version",
                "draft_saved_at",
                "last_request_key",
                "sent_number",
                "sent_digest",
                "sent_at",
            ]
        )
        audit_record(
            actor=student_user,
            action="attempt.answer_send",
            obj=attempt,
            data={"question_id": question_id, "version": number, "digest": clean.digest},
        )
    return _sent_result(answer, now)


def _answer_ensure(attempt: Attempt, *, question_id: int) -> None:
    """Make sure the answer row exists (empty, version 0) before a first send locks it."""
    if not Answer.objects.filter(attempt_id=attempt.pk, question_id=question_id).exists():
        _answer_insert(attempt, question_id=question_id)


def _sent_result(answer: Answer, now: dt.datetime) -> SaveResult:
    receipt = receipt_of(
        number=answer.sent_number, sent_at=answer.sent_at, digest=answer.sent_digest
    )
    assert receipt is not None and answer.draft_saved_at is not None  # noqa: S101 (a sent answer)
    return SaveResult(
        draft_version=answer.draft_version,
        saved_at=answer.draft_saved_at,
        server_time=now,
        receipt=Receipt(**receipt),
    )


def _clean(attempt: Attempt, *, question_id: int, content: Any) -> answer_content.CleanContent:
    entry = next((e for e in attempt.layout if e.get("q") == question_id), None)
    if entry is None:
        raise NotFoundError(_(ERR_QUESTION_NOT_FOUND))
    kind = entry.get("kind", "")
    allowed_pictures: set[int] = set()
    if kind == QuestionKind.WRITTEN:
        wanted = answer_content.picture_ids_in(content, attempt_id=attempt.pk)
        if wanted:  # one query, only for answers that hold pictures
            allowed_pictures = set(
                Picture.objects.filter(attempt_id=attempt.pk, pk__in=wanted).values_list(
                    "pk", flat=True
                )
            )

    def is_our_picture(src: str) -> bool:
        ref = answer_content.picture_ref(src)
        return ref is not None and ref[0] == attempt.pk and ref[1] in allowed_pictures

    return answer_content.clean_content(
        kind=kind,
        content=content,
        option_ids=[str(o) for o in entry.get("options") or []],
        picture_src=is_our_picture,
    )


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise ValidationFailed({"key": [_(ERR_KEY)]})
    return key


def _check_base(base_version: Any) -> None:
    if not isinstance(base_version, int) or isinstance(base_version, bool) or base_version < 0:
        raise ValidationFailed({"base_version": [_(ERR_BASE_VERSION)]})
