"""The end of a sitting: the student's finish and the time-out lock (a person's decision
afterwards is ``decisions``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.exams.models import TimeoutPolicy

from .. import content as answer_content
from ..models import Answer, AnswerVersion, Attempt, AttemptStatus
from .rules import attempt_of, audit_absence_pending


def lock_if_expired(attempt: Attempt, now: dt.datetime) -> None:
    """Any request that touches an attempt past its deadline locks it first, so the
    answer a student sees never depends on when the lock job last ran."""
    if attempt.status == AttemptStatus.IN_PROGRESS and now >= attempt.deadline:
        attempt_close(attempt.pk, status=AttemptStatus.TIMED_OUT, now=now, actor=None)
        attempt.refresh_from_db(fields=["status", "finished_at", "absence_seconds", "decision"])


def attempt_finish(
    *, attempt_id: int, student_user: User, key: str = "", now: dt.datetime | None = None
) -> Attempt:
    """The student's "Finish". Idempotent: finishing a finished or timed-out attempt
    returns it unchanged. Unsent answers count per the exam's time-out policy."""
    now = now or timezone.now()
    attempt = attempt_of(attempt_id=attempt_id, student_user=student_user)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        status = AttemptStatus.TIMED_OUT if now >= attempt.deadline else AttemptStatus.FINISHED
        attempt_close(attempt.pk, status=status, now=now, actor=student_user, key=key)
    return Attempt.objects.select_related("exam").get(pk=attempt.pk)


def attempts_lock_expired(now: dt.datetime | None = None) -> int:
    """Lock every in-progress attempt past its deadline; returns how many it locked.

    Run by ``manage.py attempts_lock_expired --every 15`` and the ``lock_expired`` task;
    requests also lock their own attempt lazily, so a late run changes nothing a student
    sees."""
    now = now or timezone.now()
    due = Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS, deadline__lte=now).values_list(
        "pk", flat=True
    )
    return sum(
        attempt_close(pk, status=AttemptStatus.TIMED_OUT, now=now, actor=None) for pk in list(due)
    )


def attempt_close(
    attempt_id: int, *, status: str, now: dt.datetime, actor: User | None, key: str = ""
) -> bool:
    """End an attempt (finished or timed out) exactly once; False if it had ended.

    ``Attempt.close`` ends the row (the last absence gap, the decision); then the answers
    are made final per the time-out policy and locked, and the end is recorded in the
    audit log, all in one transaction under the attempt's row lock.
    """
    with transaction.atomic():
        closing = Attempt.close(attempt_id, status=status, now=now)
        if closing is None:
            return False
        attempt = closing.attempt
        final = _apply_timeout_policy(attempt, end=closing.end)
        audit_record(
            actor=actor,
            action="attempt.finish" if status == AttemptStatus.FINISHED else "attempt.timeout",
            obj=attempt,
            data={
                "absence_seconds": attempt.absence_seconds,
                "absence_added": closing.absence_added,
                "policy": attempt.exam.timeout_policy,
                "final_versions": final,
                **({"key": key} if key else {}),
            },
        )
        if closing.pending:
            audit_absence_pending(attempt)
    return True


def _apply_timeout_policy(attempt: Attempt, *, end: dt.datetime) -> list[dict[str, Any]]:
    """Make the answers final and lock them; returns the versions the server made.

    ``last_draft``: a draft that differs from the last sent version (or was never sent)
    becomes a final version, marked ``auto``. ``empty``: an answer never sent gets an
    empty final version (``auto``), so the record shows the draft was not counted; a sent
    answer keeps its last sent version, later edits are not counted.
    """
    # Row locks on the answers: a send in flight holds one, so its version is seen here;
    # a draft save arriving after this point finds ``locked`` set and is refused.
    answers = list(Answer.objects.select_for_update().filter(attempt=attempt))
    kinds = {entry["q"]: entry.get("kind", "") for entry in attempt.layout}
    policy = attempt.exam.timeout_policy
    versions: list[AnswerVersion] = []
    for answer in answers:
        answer.locked = True
        if answer.draft_version == 0:
            continue
        if policy == TimeoutPolicy.EMPTY:
            if answer.sent_number:
                continue
            final_content = answer_content.empty_content(kinds.get(answer.question_id, ""))
            final_digest = answer_content.digest_of(final_content)
        else:
            if answer.draft_digest == answer.sent_digest:
                continue
            final_content, final_digest = answer.draft, answer.draft_digest
        answer.sent_number += 1
        answer.sent_digest = final_digest
        answer.sent_at = end
        versions.append(
            AnswerVersion(
                answer=answer,
                number=answer.sent_number,
                content=final_content,
                digest=final_digest,
                sent_at=end,
                auto=True,
            )
        )
    AnswerVersion.objects.bulk_create(versions)
    if answers:
        Answer.objects.bulk_update(answers, ["locked", "sent_number", "sent_digest", "sent_at"])
    return [
        {"question_id": v.answer.question_id, "version": v.number, "digest": v.digest}
        for v in versions
    ]
