"""Importing questions from Moodle XML or GIFT files: all of a file's questions or none."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import ValidationFailed

from ..importers import gift, moodle_xml
from ..importers.base import ImportResult, ParsedQuestion
from ..models import Exam, Question, QuestionPool
from .rules import (
    ERR_IMPORT_EMPTY,
    ERR_IMPORT_FORMAT,
    ERR_IMPORT_TOO_BIG,
    IMPORT_FORMATS,
    MAX_IMPORT_BYTES,
    check_editable,
    check_manager,
    digest,
    keep_publishable,
    locked_exam,
    next_order,
)


def detect_format(data: bytes) -> str:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return "moodle_xml" if head.startswith((b"<?xml", b"<quiz")) else "gift"


def questions_import(
    *,
    actor: User,
    exam: Exam,
    file: UploadedFile,
    fmt: str = "auto",
    encoding: str = "",
    pools_from_categories: bool = False,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Import a Moodle XML or GIFT file into the exam: all of its importable questions, or
    nothing if any question has an error (the result says which and why).

    ``pools_from_categories``: each category's questions go into a new pool named after
    the category (picking all of them: lower ``pick`` afterwards); otherwise they are
    fixed questions. They are added after the exam's existing questions, in file order.
    """
    check_manager(actor, exam)
    check_editable(exam, now)
    if fmt not in IMPORT_FORMATS:
        raise ValidationFailed({"fmt": [_(ERR_IMPORT_FORMAT)]})
    if file is None or not file.size:
        raise ValidationFailed({"file": [_(ERR_IMPORT_EMPTY)]})
    if file.size > MAX_IMPORT_BYTES:
        raise ValidationFailed({"file": [_(ERR_IMPORT_TOO_BIG) % {"mb": MAX_IMPORT_BYTES >> 20}]})
    data = file.read()
    if fmt == "auto":
        fmt = detect_format(data)
    parser = moodle_xml.parse if fmt == "moodle_xml" else gift.parse
    result = parser(data, encoding=encoding)
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
