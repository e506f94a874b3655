"""Reads of the proctor's console: every sitting of one exam with its state, time left,
absence, open flags and a priority, most urgent first, and the students waiting before
the start for a proctor's identity check (docs/PROCTORING.md, "The proctor's console").
Three queries per exam, whatever the number of sittings.

The priority formula is published in docs/PROCTORING.md; the weights below are it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone

from emtihan.accounts.models import User
from emtihan.attempts.models import Attempt, AttemptStatus, DecisionProposal, ProposalStatus
from emtihan.core.texts import minutes_of_seconds
from emtihan.exams.models import Exam
from emtihan.policy import proctoring as policy

from .models import Flag, FlagKind, FlagStatus, IdentityStatus, ProctoringSession

# Points per open flag, by kind: what most likely means someone else does the work
# weighs most; what a person does by accident (a blur, an offline spell) least.
FLAG_WEIGHTS: dict[str, int] = {
    FlagKind.IDENTITY_MISMATCH: 5,
    FlagKind.MULTIPLE_FACES: 4,
    FlagKind.PHONE: 4,
    FlagKind.BROWSER_MULTIPLE_FACES: 3,
    FlagKind.SECOND_SCREEN: 3,
    FlagKind.PASTE_OUTSIDE: 3,
    FlagKind.ABSENT: 3,
    FlagKind.TAB_HIDDEN: 2,
    FlagKind.LOOKING_AWAY: 2,
    FlagKind.BROWSER_NO_FACE: 2,
    FlagKind.CAMERA_LOST: 2,
    FlagKind.SPEECH: 2,
    FlagKind.BROWSER_LOOKING_AWAY: 1,
    FlagKind.WINDOW_BLUR: 1,
    FlagKind.FULLSCREEN_EXIT: 1,
    FlagKind.OFFLINE: 1,
    FlagKind.POOR_LIGHTING: 1,
}
# A flag whose condition lasted into the last RECENT_MINUTES counts RECENT_FACTOR times.
RECENT_MINUTES = 5
RECENT_FACTOR = 2
# Absence: ABSENCE_POINTS at the cap, in proportion below it, at most twice that.
ABSENCE_POINTS = 10
ABSENCE_RATIO_MAX = 2
# Identity: what is still unsettled about who sits the exam.
IDENTITY_POINTS: dict[str, int] = {
    IdentityStatus.REJECTED: 10,
    IdentityStatus.MANUAL: 8,
    IdentityStatus.FAILED: 5,
    IdentityStatus.CHECKING: 2,
    IdentityStatus.NOT_STARTED: 2,
    IdentityStatus.PASSED: 0,
    IdentityStatus.APPROVED: 0,
}


def flag_points(kind: str, ended_at: dt.datetime, now: dt.datetime) -> int:
    """One open flag's share of the priority."""
    weight = FLAG_WEIGHTS.get(kind, 1)
    recent = now - ended_at <= dt.timedelta(minutes=RECENT_MINUTES)
    return weight * (RECENT_FACTOR if recent else 1)


def absence_points(absence_seconds: float, cap_seconds: float) -> float:
    if cap_seconds <= 0:
        return 0.0
    return ABSENCE_POINTS * min(absence_seconds / cap_seconds, ABSENCE_RATIO_MAX)


def identity_points(status: str | None) -> int:
    """No proctoring session (an exam without the camera, or no request yet): nothing."""
    if status is None:
        return 0
    return IDENTITY_POINTS.get(status, 0)


@dataclass
class ConsoleRow:
    """One sitting as the console shows it."""

    attempt: Attempt
    ended: bool
    minutes_left: int | None  # None once the sitting has ended
    absence_minutes: int
    cap_minutes: int
    awaiting_review: bool  # a proposed cancel or postpone waits for a second reviewer
    identity_status: str | None
    identity_label: str
    open_flags: int
    flag_kinds: list[tuple[str, int]] = field(default_factory=list)  # (label, count)
    priority: float = 0.0


def console_exam(user: User, exam_id: int) -> Exam | None:
    """One exam in the person's console scope, or None (as if it did not exist)."""
    return (
        policy.exams_in_console(user)
        .filter(pk=exam_id)
        .select_related("choice__discipline", "choice__group")
        .first()
    )


def console_rows(exam: Exam, *, now: dt.datetime | None = None) -> list[ConsoleRow]:
    """Every sitting of the exam, by priority (highest first), then by name."""
    now = now or timezone.now()
    awaiting = DecisionProposal.objects.filter(attempt=OuterRef("pk"), status=ProposalStatus.OPEN)
    attempts = list(
        Attempt.objects.filter(exam=exam)
        .select_related("exam", "student__user", "student__group", "proctoring")
        .annotate(awaiting_review=Exists(awaiting))
        .order_by("student__user__full_name")
    )
    flags: dict[int, list[tuple[str, dt.datetime]]] = {}
    for attempt_id, kind, ended_at in Flag.objects.filter(
        attempt__exam=exam, status=FlagStatus.OPEN
    ).values_list("attempt_id", "kind", "ended_at"):
        flags.setdefault(attempt_id, []).append((kind, ended_at))
    labels = dict(FlagKind.choices)
    identity_labels = dict(IdentityStatus.choices)
    rows = []
    for attempt in attempts:
        ended = attempt.status != AttemptStatus.IN_PROGRESS or attempt.deadline <= now
        session = getattr(attempt, "proctoring", None)
        status = session.identity_status if session is not None else None
        own = flags.get(attempt.pk, [])
        counts = Counter(kind for kind, _ended in own)
        priority = (
            sum(flag_points(kind, ended_at, now) for kind, ended_at in own)
            + absence_points(attempt.absence_seconds, exam.absence_cap_seconds)
            + identity_points(status)
        )
        rows.append(
            ConsoleRow(
                attempt=attempt,
                ended=ended,
                minutes_left=None
                if ended
                else minutes_of_seconds((attempt.deadline - now).total_seconds()),
                absence_minutes=minutes_of_seconds(attempt.absence_seconds),
                cap_minutes=minutes_of_seconds(exam.absence_cap_seconds),
                awaiting_review=bool(getattr(attempt, "awaiting_review", False)),
                identity_status=status,
                identity_label=str(identity_labels[status]) if status else "",
                open_flags=len(own),
                flag_kinds=[(str(labels.get(k, k)), n) for k, n in counts.most_common()],
                priority=round(priority, 1),
            )
        )
    rows.sort(key=lambda r: -r.priority)  # stable: names stay in order within a priority
    return rows


# Identity states a proctor may settle by hand (``services.identity_decide``).
WAITING_STATES = (IdentityStatus.MANUAL, IdentityStatus.FAILED)


def waiting_sessions(exam: Exam) -> list[ProctoringSession]:
    """Students who have not started and whose identity a proctor may decide by hand:
    first those waiting for a proctor (no tries left, no usable photo), then those whose
    last check failed; by name. One query."""
    sessions = list(
        ProctoringSession.objects.filter(
            exam=exam, attempt__isnull=True, identity_status__in=WAITING_STATES
        )
        .select_related("student__user")
        .order_by("student__user__full_name")
    )
    sessions.sort(key=lambda s: s.identity_status != IdentityStatus.MANUAL)
    return sessions
