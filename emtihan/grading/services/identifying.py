"""Identifying marks: each new work's answers are scanned (``grading.identifying``) when
its code is given (``works_ensure``), and every hit is kept as an ``IdentityFlag`` for
the exam office, never shown to graders. The exam office dismisses a work's flags, or
sends the sitting to the attempts' decision flow (cancel with a category, confirmed by
a second reviewer: the guide's §6.2, work with identification marks may be cancelled).
Both are audited (``grading.identifying``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emtihan.accounts.models import User
from emtihan.attempts.models import Attempt
from emtihan.audit.services import audit_record
from emtihan.core.errors import PermissionDeniedError, ValidationFailed
from emtihan.exams.models import QuestionKind
from emtihan.policy import grading as policy

from ..identifying import MAX_CHARS, Identity, scan
from ..models import FlagState, IdentityFlag, Work
from .marking import locked_work
from .rules import ERR_FLAG_ACTION, ERR_NOT_EXAM_OFFICE

MAX_DEPTH = 40


def doc_text(doc: Any, limit: int = MAX_CHARS) -> str:
    """The plain text of a written answer's document (paragraphs on their own lines),
    at most ``limit`` characters; formulas, drawings and pictures are not text."""
    parts: list[str] = []
    size = 0
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack and size < limit:
        node, depth = stack.pop()
        if isinstance(node, str):
            parts.append(node)
            size += len(node)
            continue
        if not isinstance(node, dict) or depth > MAX_DEPTH:
            continue
        if node.get("type") == "text" and isinstance(node.get("text"), str):
            parts.append(node["text"])
            size += len(node["text"])
            continue
        if node.get("type") == "hardBreak":
            parts.append("\n")
            continue
        children = node.get("content")
        if isinstance(children, list):
            stack.append(("\n", depth))  # after the block
            stack.extend((child, depth + 1) for child in reversed(children[:1000]))
    return "".join(parts)[:limit]


def answer_text(kind: str, content: Any) -> str:
    if not isinstance(content, dict):
        return ""
    if kind == QuestionKind.WRITTEN:
        return doc_text(content.get("doc")).strip()
    text = content.get("text")
    return text[:MAX_CHARS] if isinstance(text, str) else ""


def works_scan(works: list[Work], contents: dict[tuple[int, int], object], now: dt.datetime) -> int:
    """Scan new works (their attempts' final answers) and keep the hits; returns how many
    flags were made. A fixed number of queries for the batch."""
    attempts = Attempt.objects.filter(pk__in=[w.attempt_id for w in works]).select_related(
        "student__user", "student__group"
    )
    kinds = {}
    by_attempt = {a.pk: a for a in attempts}
    flags = []
    for work in works:
        attempt = by_attempt.get(work.attempt_id)
        if attempt is None:
            continue
        student = attempt.student
        identity = Identity.from_full_name(
            student.user.full_name,
            student_id=student.student_id,
            email=student.user.email,
            group=student.group.code,
        )
        questions = [entry["q"] for entry in attempt.layout]
        kinds = {entry["q"]: entry.get("kind", "") for entry in attempt.layout}
        texts = [answer_text(kinds[q], contents.get((attempt.pk, q))) for q in questions]
        for hit in scan(identity, texts):
            flags.append(
                IdentityFlag(
                    work=work,
                    question_id=questions[hit.answer],
                    kind=hit.kind,
                    excerpt=hit.excerpt,
                    start=hit.start,
                    end=hit.end,
                    created_at=now,
                )
            )
    IdentityFlag.objects.bulk_create(flags)
    Work.objects.filter(pk__in=[w.pk for w in works]).update(scanned_at=now)
    return len(flags)


DISMISS = "dismiss"
REFER = "refer"


def flags_decide(
    *, actor: User, work_id: int, action: str, note: str, now: dt.datetime | None = None
) -> Work:
    """The exam office's decision on a work's open flags: ``dismiss`` (not identifying)
    or ``refer`` (the sitting goes to the attempts' decision flow)."""
    now = now or timezone.now()
    if not policy.may_review_identifying_marks(actor):
        raise PermissionDeniedError(_(ERR_NOT_EXAM_OFFICE))
    if action not in (DISMISS, REFER):
        raise ValidationFailed(errors={"action": [_(ERR_FLAG_ACTION)]})
    with transaction.atomic():
        work = locked_work(work_id)
        open_flags = IdentityFlag.objects.filter(work=work, state=FlagState.OPEN)
        kinds = sorted(set(open_flags.values_list("kind", flat=True)))
        state = FlagState.DISMISSED if action == DISMISS else FlagState.REFERRED
        count = open_flags.update(
            state=state, decided_by=actor, decided_at=now, note=note.strip()[:2000]
        )
        audit_record(
            actor=actor,
            action="grading.identifying",
            obj=work,
            data={
                "code": work.code,
                "exam": work.exam_id,
                "attempt": work.attempt_id,
                "decision": action,
                "flags": count,
                "kinds": kinds,
                "note": note.strip()[:2000],
            },
        )
    return work
