"""Importing questions from Moodle XML or GIFT files: all of a file's questions or none.

Bounded in every dimension a file can grow: its bytes (``QUESTION_IMPORT_MAX_BYTES``),
the questions it may add (the exam's room under ``EXAM_MAX_QUESTIONS``), and the time
spent reading it (``QUESTION_IMPORT_MAX_SECONDS``; the importers stop between two
questions once it is spent). Parsing is linear in the file's size
(``importers/markdown.py``).

``question_import_start`` is the door for pages and the API: it checks the request,
keeps the file in a ``QuestionImport`` row and reads it at once when it is small
(``QUESTION_IMPORT_INLINE_BYTES``); a bigger one is read by the background task
``question_import_job`` (``manage.py db_worker``) while the page shows its progress. The
task is declared here, next to what queues it, so that services and tasks form no import
circle. Either way ``question_import_run`` reads the file with ``questions_import`` and
records the report; the questions are written in one transaction at the end, so an import
that fails or is stopped writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from django_tasks import task

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, ValidationFailed

from ..importers import gift, moodle_xml
from ..importers.base import ERR_NO_ROOM, ImportResult, Limits, ParsedQuestion
from ..models import Exam, Question, QuestionImport, QuestionPool
from .rules import (
    ERR_IMPORT_EMPTY,
    ERR_IMPORT_FORMAT,
    ERR_IMPORT_TOO_BIG,
    IMPORT_FORMATS,
    check_editable,
    check_manager,
    digest,
    keep_publishable,
    locked_exam,
    next_order,
)

logger = logging.getLogger(__name__)

ERR_IMPORT_CRASHED = gettext_noop(
    "The import stopped because of an error on the server: nothing was imported. Try again; if it happens again, tell the IT team."
)


def detect_format(data: bytes) -> str:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return "moodle_xml" if head.startswith((b"<?xml", b"<quiz")) else "gift"


def _check_request(
    actor: User, exam: Exam, file: UploadedFile | None, fmt: str, now: dt.datetime | None
) -> UploadedFile:
    """The file, if this request may import it at all; else the refusal."""
    check_manager(actor, exam)
    check_editable(exam, now)
    if fmt not in IMPORT_FORMATS:
        raise ValidationFailed({"fmt": [_(ERR_IMPORT_FORMAT)]})
    if file is None or not file.size:
        raise ValidationFailed({"file": [_(ERR_IMPORT_EMPTY)]})
    limit = settings.QUESTION_IMPORT_MAX_BYTES
    if file.size > limit:
        raise ValidationFailed({"file": [_(ERR_IMPORT_TOO_BIG) % {"mb": limit >> 20}]})
    return file


def questions_import(
    *,
    actor: User,
    exam: Exam,
    file: UploadedFile,
    fmt: str = "auto",
    encoding: str = "",
    pools_from_categories: bool = False,
    now: dt.datetime | None = None,
    deadline: float = math.inf,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a Moodle XML or GIFT file into the exam: all of its importable questions, or
    nothing if any question has an error (the result says which and why).

    ``pools_from_categories``: each category's questions go into a new pool named after
    the category (picking all of them: lower ``pick`` afterwards); otherwise they are
    fixed questions. They are added after the exam's existing questions, in file order.
    ``deadline`` (``time.monotonic()``) and ``progress(done, total)``: see ``Limits``.
    """
    data = _check_request(actor, exam, file, fmt, now).read()
    if fmt == "auto":
        fmt = detect_format(data)
    cap = settings.EXAM_MAX_QUESTIONS
    limits = Limits(
        room=max(0, cap - exam.questions.count()),
        cap=cap,
        deadline=deadline,
        seconds=settings.QUESTION_IMPORT_MAX_SECONDS,
        progress=progress,
    )
    parser = moodle_xml.parse if fmt == "moodle_xml" else gift.parse
    result = parser(data, encoding=encoding, limits=limits)
    if result.ok and result.questions:
        _write_imported(
            actor=actor,
            exam=exam,
            result=result,
            source=(getattr(file, "name", "") or "")[:200],
            pools_from_categories=pools_from_categories,
            now=now,
        )
    return result


@transaction.atomic
def _write_imported(
    *,
    actor: User,
    exam: Exam,
    result: ImportResult,
    source: str,
    pools_from_categories: bool,
    now: dt.datetime | None,
) -> None:
    exam = locked_exam(actor, exam)
    check_editable(exam, now)
    # Checked again under the exam's lock: questions added while the file was read count.
    cap = settings.EXAM_MAX_QUESTIONS
    room = cap - exam.questions.count()
    if len(result.questions) > room:
        raise DomainError(_(ERR_NO_ROOM) % {"max": cap, "room": max(0, room)})
    order = next_order(exam)
    pools: dict[str, QuestionPool] = {}
    rows: list[Question] = []
    for parsed in result.questions:
        pool = None
        if pools_from_categories and parsed.category:
            pool = pools.get(parsed.category)
            if pool is None:
                pool = QuestionPool.objects.create(
                    exam=exam, name=parsed.category[:255], pick=0, order=order
                )
                pools[parsed.category] = pool
                order += 1
        rows.append(_imported_question(exam, parsed, pool=pool, order=order, source=source))
        order += 1
    Question.objects.bulk_create(rows)
    for pool in pools.values():
        pool.pick = sum(1 for row in rows if row.pool is pool)
        pool.save(update_fields=["pick"])
    keep_publishable(exam)
    result.imported = len(rows)
    audit_record(
        actor=actor,
        action="exams.questions_import",
        obj=exam,
        data={
            "format": result.fmt,
            "encoding": result.encoding,
            "source": source,
            "imported": len(rows),
            "skipped": len(result.skipped),
            "pools": sorted(pools),
            "content": digest([{"body": r.body, "spec": r.spec} for r in rows]),
        },
    )


def _imported_question(
    exam: Exam, parsed: ParsedQuestion, *, pool: QuestionPool | None, order: int, source: str
) -> Question:
    return Question(
        exam=exam,
        pool=pool,
        kind=parsed.kind,
        name=parsed.name[:255],
        body=parsed.body,
        spec=parsed.spec,
        points=parsed.points,
        order=order,
        source=f"{source} #{parsed.index}"[:255],
    )


# --- the import as a job: read now or in the background ------------------------------------


def question_import_start(
    *,
    actor: User,
    exam: Exam,
    file: UploadedFile | None,
    fmt: str = "auto",
    encoding: str = "",
    pools_from_categories: bool = False,
    language: str = "",
    now: dt.datetime | None = None,
) -> QuestionImport:
    """Keep the file as a ``QuestionImport`` and read it: now if it is small, else in the
    background (the page polls ``done``/``total``). A request that cannot be imported at
    all (not the caller's exam, the window has opened, no file, too big, an unknown format)
    is refused here and nothing is kept."""
    checked = _check_request(actor, exam, file, fmt, now)
    data = checked.read()
    job = QuestionImport.objects.create(
        exam=exam,
        created_by=actor,
        source=(checked.name or "")[:200],
        size=len(data),
        data=data,
        fmt=fmt,
        encoding=encoding,
        pools_from_categories=pools_from_categories,
        language=language,
    )
    if len(data) <= settings.QUESTION_IMPORT_INLINE_BYTES:
        question_import_run(import_id=job.pk, now=now)
        job.refresh_from_db()
    else:
        transaction.on_commit(partial(question_import_job.enqueue, job.pk))
    return job


def question_import_run(*, import_id: int, now: dt.datetime | None = None) -> None:
    """Read a queued import's file and write its questions, once: the caller that claims
    it runs it. Its report (or why it failed) is kept on the row."""
    if not QuestionImport.claim(import_id):
        return  # another worker took it, or it already ran
    job = QuestionImport.objects.select_related("exam", "created_by").get(pk=import_id)
    with override(job.language or None):
        try:
            result = questions_import(
                actor=job.created_by,
                exam=job.exam,
                file=SimpleUploadedFile(job.source, bytes(job.data)),
                fmt=job.fmt,
                encoding=job.encoding,
                pools_from_categories=job.pools_from_categories,
                now=now,
                deadline=time.monotonic() + settings.QUESTION_IMPORT_MAX_SECONDS,
                progress=partial(QuestionImport.set_progress, job.pk),
            )
        except DomainError as exc:  # e.g. the window opened or the exam filled up meanwhile
            job.fail(exc.message)
            return
        except BaseException:
            logger.exception("question import %s crashed", import_id)
            job.fail(_(ERR_IMPORT_CRASHED))
            raise
    job.finish(result.to_dict())


@task()
def question_import_job(import_id: int) -> None:
    """The background side of ``question_import_start`` for a big file."""
    question_import_run(import_id=import_id)
