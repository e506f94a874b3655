"""Draft saves (the hot path: one conditional UPDATE that also checks the attempt) and
sends (an immutable, numbered ``AnswerVersion`` with its receipt)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from django.db import IntegrityError, connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, ValidationFailed
from emtihan.exams.models import QuestionKind
from emtihan.policy.accounts import is_person
from emtihan.university.models import Student

from .. import content as answer_content
from ..models import (
    PRESENCE_WRITE_SECONDS,
    REQUEST_KEY_MAX_LENGTH,
    Answer,
    AnswerVersion,
    Attempt,
    AttemptStatus,
    Picture,
)
from ..selectors import answer_state, receipt_of
from .presence import attempt_for_write, touch
from .rules import (
    ERR_BASE_VERSION,
    ERR_KEY,
    ERR_QUESTION_NOT_FOUND,
    ERR_STALE,
    NotFoundError,
    Receipt,
    SaveResult,
    StaleVersion,
    attempt_of,
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
    """Autosave a draft (docs/EXAM-SITTING.md). Steady state: one conditional UPDATE of
    the answer that checks the attempt in the same statement, plus a presence write (and
    its read of the attempt) at most every 20 s."""
    now = now or timezone.now()
    stored_key = "d:" + _check_key(key)
    _check_base(base_version)
    # The seed of the known layout a checked UPDATE ran with and matched no row.
    tried_seed = None
    known = _layouts.get((attempt_id, student_user.pk)) if is_person(student_user) else None
    clean = _clean_known(known, attempt_id, question_id=question_id, content=content)
    if known is not None and clean is not None:
        seed = known[0]
        last_seen_at = _draft_update_checked(
            attempt_id=attempt_id,
            student_user=student_user,
            seed=seed,
            question_id=question_id,
            clean=clean,
            base_version=base_version,
            stored_key=stored_key,
            now=now,
        )
        if last_seen_at is not None:
            if (now - last_seen_at).total_seconds() >= PRESENCE_WRITE_SECONDS:
                touch(attempt_of(attempt_id=attempt_id, student_user=student_user), now)
            return SaveResult(draft_version=base_version + 1, saved_at=now, server_time=now)
        tried_seed = seed

    attempt = attempt_for_write(attempt_id=attempt_id, student_user=student_user, now=now)
    _remember_layout(attempt, student_user)
    clean = _clean(attempt.pk, _shape_of(attempt.layout, question_id), content=content)
    # The checked UPDATE above already found no row to change if it ran for this attempt
    # and the attempt is open: the answer's side (its version, its lock, no row yet) did
    # not match, as the UPDATE below would find.
    if tried_seed != attempt.seed:
        updated = Answer.objects.filter(
            attempt_id=attempt.pk,
            question_id=question_id,
            draft_version=base_version,
            locked=False,
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


# A question as the content check needs it: its kind and its option ids in the student's
# order (a multiple choice is stored in that order).
Shape = tuple[str, tuple[str, ...]]

# The layouts of the attempts this process has saved drafts for, by (attempt, the
# student's user), as {question id: Shape}: with one, a draft save checks its content
# without reading the attempt. A layout never changes after the start; the seed it was
# made from is checked by the save's own UPDATE, so an entry can only ever apply to the
# attempt it was read from. Each distinct shape is kept once (there are few: the
# questions times their option orders), and everything is dropped past QUESTIONS_KEPT
# questions (about 100 bytes each: 25 MB at most, 5,000 sittings of 50 questions).
_layouts: dict[tuple[int, int], tuple[int, dict[int, Shape]]] = {}
_shapes: dict[Shape, Shape] = {}
_kept = {"questions": 0}
QUESTIONS_KEPT = 250_000


def _shape(entry: dict[str, Any]) -> Shape:
    return (str(entry.get("kind", "")), tuple(str(o) for o in entry.get("options") or []))


def _shape_of(layout: list[dict[str, Any]], question_id: int) -> Shape | None:
    return next((_shape(e) for e in layout if e.get("q") == question_id), None)


def _remember_layout(attempt: Attempt, student_user: User) -> None:
    if _kept["questions"] + len(attempt.layout) > QUESTIONS_KEPT:
        _layouts.clear()
        _shapes.clear()
        _kept["questions"] = 0
    shapes = {}
    for entry in attempt.layout:
        shape = _shape(entry)
        shapes[int(entry.get("q", 0))] = _shapes.setdefault(shape, shape)
    _layouts[(attempt.pk, student_user.pk)] = (attempt.seed, shapes)
    _kept["questions"] += len(shapes)


def _clean_known(
    known: tuple[int, dict[int, Shape]] | None,
    attempt_id: int,
    *,
    question_id: int,
    content: Any,
) -> answer_content.CleanContent | None:
    """The content checked against a known layout; None without one, or when the full
    path has to refuse the request (after the checks that come first there, e.g. a 410)."""
    shape = known[1].get(question_id) if known is not None else None
    if shape is None:
        return None
    try:
        return _clean(attempt_id, shape, content=content)
    except DomainError:
        return None


def _draft_update_checked(
    *,
    attempt_id: int,
    student_user: User,
    seed: int,
    question_id: int,
    clean: answer_content.CleanContent,
    base_version: int,
    stored_key: str,
    now: dt.datetime,
) -> dt.datetime | None:
    """The steady-state draft save as one statement: the conditional UPDATE of the answer
    (the same conditions as the full path's) that also checks what the full path reads the
    attempt for: it is the student's own, in progress, before its deadline, and the one
    the layout was read from. Returns the attempt's ``last_seen_at`` (for the presence
    write), or None when no row matched and the full path has to say why.

    Raw SQL because the ORM has no UPDATE ... RETURNING; the subqueries keep to what both
    PostgreSQL and SQLite (3.35+) accept in an UPDATE and its RETURNING.
    """
    answer, attempt, student = (m._meta.db_table for m in (Answer, Attempt, Student))
    fields = [cast(Field, Answer._meta.get_field(name)) for name in _DRAFT_COLUMNS]
    values = [clean.content, clean.digest, base_version + 1, now, stored_key]
    assignments = ", ".join(f"{field.column} = %s" for field in fields)
    # Names from the models, every value a parameter.
    sql = (
        f"UPDATE {answer} SET {assignments}"  # noqa: S608
        " WHERE attempt_id = %s AND question_id = %s AND draft_version = %s AND locked = %s"
        f" AND EXISTS (SELECT 1 FROM {attempt} t INNER JOIN {student} s ON s.id = t.student_id"
        f" WHERE t.id = {answer}.attempt_id AND s.user_id = %s AND t.status = %s"
        " AND t.deadline > %s AND t.seed = %s)"
        f" RETURNING (SELECT t.last_seen_at FROM {attempt} t WHERE t.id = {answer}.attempt_id)"
    )
    deadline = Attempt._meta.get_field("deadline")
    params = [
        *(
            field.get_db_prep_save(value, connection)
            for field, value in zip(fields, values, strict=True)
        ),
        attempt_id,
        question_id,
        base_version,
        False,
        student_user.pk,
        AttemptStatus.IN_PROGRESS.value,
        deadline.get_db_prep_value(now, connection),
        seed,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return _datetime_from_db(cast(Field, Attempt._meta.get_field("last_seen_at")), row[0])


_DRAFT_COLUMNS = ("draft", "draft_digest", "draft_version", "draft_saved_at", "last_request_key")


def _datetime_from_db(field: Field, value: Any) -> dt.datetime:
    """A column read by raw SQL, converted as the ORM converts it (SQLite returns text)."""
    column = field.get_col(field.model._meta.db_table)
    for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
        value = convert(value, column, connection)
    return value


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
    clean = _clean(attempt.pk, _shape_of(attempt.layout, question_id), content=content)
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


def _clean(attempt_id: int, shape: Shape | None, *, content: Any) -> answer_content.CleanContent:
    if shape is None:
        raise NotFoundError(_(ERR_QUESTION_NOT_FOUND))
    kind, options = shape
    allowed_pictures: set[int] = set()
    if kind == QuestionKind.WRITTEN:
        wanted = answer_content.picture_ids_in(content, attempt_id=attempt_id)
        if wanted:  # one query, only for answers that hold pictures
            allowed_pictures = set(
                Picture.objects.filter(attempt_id=attempt_id, pk__in=wanted).values_list(
                    "pk", flat=True
                )
            )

    def is_our_picture(src: str) -> bool:
        ref = answer_content.picture_ref(src)
        return ref is not None and ref[0] == attempt_id and ref[1] in allowed_pictures

    return answer_content.clean_content(
        kind=kind,
        content=content,
        option_ids=options,
        picture_src=is_our_picture,
    )


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise ValidationFailed({"key": [_(ERR_KEY)]})
    return key


def _check_base(base_version: Any) -> None:
    if not isinstance(base_version, int) or isinstance(base_version, bool) or base_version < 0:
        raise ValidationFailed({"base_version": [_(ERR_BASE_VERSION)]})
