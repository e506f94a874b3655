"""The pile: a ``Work`` with a random marking code for every ended sitting of an exam.

Codes are given **lazily**: ``works_ensure(exam)`` runs whenever a pile or the results
page is read, and creates the missing works of the exam's ended attempts (finished or
timed out; a sitting still in progress has none). It is idempotent and safe to run twice
at once (the database's unique constraints decide; a loser's rows are skipped and read
back). A new work arrives with its closed questions already marked by the auto-grader
(``exams.grading.grade_closed`` on the final sent version); written questions wait for a
grader. Lazily, rather than on "Finish", because the sitting app sits below grading and
does not call it, and because a time-out locked by the background job must get its code
just the same.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from emtihan.attempts.models import AnswerVersion, Attempt, AttemptStatus
from emtihan.exams.grading import grade_closed
from emtihan.exams.models import Exam, Question

from ..models import CODE_ALPHABET, CODE_LENGTH, Mark, Work
from .identifying import works_scan

ENDED = (AttemptStatus.FINISHED, AttemptStatus.TIMED_OUT)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def final_contents(attempt_ids: list[int]) -> dict[tuple[int, int], object]:
    """``{(attempt_id, question_id): content}`` of the versions that count (the last
    sent, made final when the sitting ended). One query."""
    versions = AnswerVersion.objects.filter(
        answer__attempt_id__in=attempt_ids, number=F("answer__sent_number")
    ).values_list("answer__attempt_id", "answer__question_id", "content")
    return {(a, q): content for a, q, content in versions}


def works_ensure(*, exam: Exam, now: dt.datetime | None = None) -> int:
    """Give every ended sitting of ``exam`` its work (code + auto marks); returns how many
    were created. A fixed number of queries per call, whatever the pile's size."""
    now = now or timezone.now()
    missing = list(
        Attempt.objects.filter(exam=exam, status__in=ENDED, work__isnull=True).only(
            "id", "layout", "exam_id"
        )
    )
    if not missing:
        return 0
    created = 0
    with transaction.atomic():
        # A code drawn twice (1 in ~8.5e11 per pair) or a work made by a parallel request
        # is skipped by ignore_conflicts; the next round draws again for what is missing.
        for _round in range(3):
            Work.objects.bulk_create(
                [Work(attempt=a, exam=exam, code=new_code(), created_at=now) for a in missing],
                ignore_conflicts=True,
            )
            works = {
                w.attempt_id: w
                for w in Work.objects.filter(attempt__in=[a.pk for a in missing]).only(
                    "id", "attempt_id", "scanned_at"
                )
            }
            fresh = [a for a in missing if a.pk in works]
            created += _auto_marks(fresh, works, now)
            # Identifying marks: scanned once, as each work gets its code.
            new = [works[a.pk] for a in fresh if works[a.pk].scanned_at is None]
            if new:
                works_scan(new, final_contents([a.pk for a in fresh]), now)
            missing = [a for a in missing if a.pk not in works]
            if not missing:
                break
    return created


def _auto_marks(attempts: list[Attempt], works: dict[int, Work], now: dt.datetime) -> int:
    question_ids = {entry["q"] for a in attempts for entry in a.layout}
    questions = Question.objects.only("id", "kind", "spec", "points").in_bulk(question_ids)
    contents = final_contents([a.pk for a in attempts])
    marks = []
    for attempt in attempts:
        for entry in attempt.layout:
            question = questions.get(entry["q"])
            if question is None:
                continue
            auto = grade_closed(question, contents.get((attempt.pk, question.pk)))
            marks.append(
                Mark(
                    work=works[attempt.pk],
                    question=question,
                    points=auto,
                    auto_points=auto,
                    marked_at=now if auto is not None else None,
                )
            )
    Mark.objects.bulk_create(marks, ignore_conflicts=True)
    return len(attempts)
