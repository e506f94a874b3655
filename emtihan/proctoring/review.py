"""Reads of an attempt's review page: the timeline of browser events and flags with
their pictures, the metric and threshold behind each flag, the attention plot (drawn
here as SVG), the identity checks' frames beside the photo on file, and a pending
manual identity decision. A fixed number of queries (docs/PROCTORING.md, "Reviewing a
sitting")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from emtihan.accounts.models import User
from emtihan.attempts import selectors as attempts_selectors
from emtihan.attempts.models import Attempt, AttemptStatus, ProposalStatus
from emtihan.policy import proctoring as policy

from .models import (
    BrowserEvent,
    EventKind,
    Flag,
    FlagKind,
    FlagStatus,
    IdentityCheck,
    IdentityStatus,
    ProctoringSession,
    Snapshot,
)
from .rules import LOOKING_AWAY_YAW_DEGREES

# The plot's size in SVG user units (it scales to the page's width).
PLOT_WIDTH = 720
PLOT_HEIGHT = 200
PLOT_MARGIN = 36
# Faces above this many are drawn at it (the bar says "3+").
PLOT_FACES_MAX = 3
# The yaw axis runs from 0 to this many degrees away from the student's straight pose.
PLOT_YAW_MAX = 90.0


# The identity check's steps (rules.STEPS) as the proctor reads them.
STEP_LABELS = {
    "straight": gettext_lazy("Look straight"),
    "closer": gettext_lazy("Move closer"),
    "left": gettext_lazy("Turn the head left"),
    "right": gettext_lazy("Turn the head right"),
}


def media_url(kind: str, pk: int) -> str:
    return reverse("proctoring:media", args=[kind, pk])


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str  # "flag" or "event"
    label: str
    detail: str  # the metric and threshold of a flag; the duration of an event
    picture: str  # a media URL, or ""
    clip: str  # a media URL, or ""
    status: str  # a flag's review status label; "" for an event
    flag_id: int | None = None
    reviewable: bool = False  # an open flag: the page offers its review
    note: str = ""  # the proctor's note on a reviewed flag


def review_attempt(user: User, attempt_id: int) -> Attempt | None:
    """The attempt, if the person may review it (proctors of its exam, staff); None
    otherwise, as if it did not exist."""
    attempt = (
        Attempt.objects.select_related(
            "exam", "student__user", "student__group", "decided_by", "decision_confirmed_by"
        )
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None or not policy.may_review_attempt(user, attempt):
        return None
    return attempt


def _flag_detail(flag: Flag) -> str:
    return _("%(metric)s: %(value)s (threshold %(threshold)s, %(count)d observations)") % {
        "metric": flag.metric,
        "value": f"{flag.value:g}",
        "threshold": f"{flag.threshold:g}",
        "count": flag.observations,
    }


def timeline(attempt: Attempt) -> list[TimelineEntry]:
    """Flags and browser events in time order, each with its picture or clip."""
    flag_labels = dict(FlagKind.choices)
    event_labels = dict(EventKind.choices)
    entries = []
    for flag in Flag.objects.filter(attempt=attempt).select_related("snapshot", "event", "clip"):
        picture = ""
        if flag.snapshot_id and flag.snapshot and flag.snapshot.file:
            picture = media_url("snapshot", flag.snapshot_id)
        elif flag.event_id and flag.event and flag.event.keyframe:
            picture = media_url("keyframe", flag.event_id)
        clip = (
            media_url("clip", flag.clip_id) if flag.clip_id and flag.clip and flag.clip.file else ""
        )
        entries.append(
            TimelineEntry(
                at=flag.started_at,
                kind="flag",
                label=str(flag_labels.get(flag.kind, flag.kind)),
                detail=_flag_detail(flag),
                picture=picture,
                clip=clip,
                status=flag.get_status_display(),
                flag_id=flag.pk,
                reviewable=flag.status == FlagStatus.OPEN,
                note=flag.review_note,
            )
        )
    for event in BrowserEvent.objects.filter(attempt=attempt):
        seconds = (event.duration_ms or 0) / 1000
        entries.append(
            TimelineEntry(
                at=event.at,
                kind="event",
                label=str(event_labels.get(event.kind, event.kind)),
                detail=_("%(seconds)d s") % {"seconds": round(seconds)}
                if event.duration_ms
                else "",
                picture=media_url("keyframe", event.pk) if event.keyframe else "",
                clip="",
                status="",
            )
        )
    entries.sort(key=lambda e: (e.at, e.kind))
    return entries


def attention_svg(
    snapshots: list[Snapshot], *, start: dt.datetime, end: dt.datetime, baseline_yaw: float
) -> SafeString:
    """The attention plot: faces seen on each analysed snapshot (bars: red for none or
    several) and how far the head turned from the student's straight pose (a line, with
    the looking-away threshold dashed), over the sitting's minutes. Every figure in the
    markup is a number computed here; the labels are escaped."""
    span = max((end - start).total_seconds(), 60.0)
    inner_w = PLOT_WIDTH - 2 * PLOT_MARGIN
    inner_h = PLOT_HEIGHT - 2 * PLOT_MARGIN

    def x(at: dt.datetime) -> float:
        seconds = min(max((at - start).total_seconds(), 0.0), span)
        return round(PLOT_MARGIN + inner_w * seconds / span, 1)

    def y_faces(faces: int) -> float:
        return round(PLOT_MARGIN + inner_h * (1 - min(faces, PLOT_FACES_MAX) / PLOT_FACES_MAX), 1)

    def y_yaw(degrees: float) -> float:
        return round(PLOT_MARGIN + inner_h * (1 - min(degrees, PLOT_YAW_MAX) / PLOT_YAW_MAX), 1)

    bottom = PLOT_MARGIN + inner_h
    analysed = [s for s in snapshots if s.faces is not None]
    bars = []
    for snap in analysed:
        faces = snap.faces or 0
        top = y_faces(max(faces, 0)) if faces else bottom - 4
        colour = "#2e7d32" if faces == 1 else "#c62828"
        bars.append((x(snap.taken_at) - 2, top, 4, round(bottom - top, 1), colour, faces))
    points = " ".join(
        f"{x(s.taken_at)},{y_yaw(abs(s.yaw - baseline_yaw))}" for s in analysed if s.yaw is not None
    )
    minutes = int(span // 60)
    step = max(1, minutes // 6)
    ticks = [
        (round(PLOT_MARGIN + inner_w * m * 60 / span, 1), m) for m in range(0, minutes + 1, step)
    ]
    threshold_y = y_yaw(LOOKING_AWAY_YAW_DEGREES)
    title = _(
        "Attention over the sitting: faces seen on each snapshot, and how far the head turned"
    )
    return format_html(
        '<svg class="attention-plot" viewBox="0 0 {w} {h}" role="img" aria-labelledby="attention-title" '
        'xmlns="http://www.w3.org/2000/svg"><title id="attention-title">{title}</title>'
        '<line x1="{m}" y1="{b}" x2="{r}" y2="{b}" stroke="#555"/>'
        '<line x1="{m}" y1="{ty}" x2="{r}" y2="{ty}" stroke="#ef6c00" stroke-dasharray="4 4"/>'
        '<text x="{r}" y="{tyl}" text-anchor="end" font-size="11" fill="#ef6c00">{away}</text>'
        "{bars}{line}{ticks}"
        '<text x="{m}" y="{top}" font-size="11" fill="#333">{legend}</text>'
        "</svg>",
        w=PLOT_WIDTH,
        h=PLOT_HEIGHT,
        title=title,
        m=PLOT_MARGIN,
        r=PLOT_WIDTH - PLOT_MARGIN,
        b=bottom,
        ty=threshold_y,
        tyl=threshold_y - 3,
        away=_("looking away: %(degrees)d°") % {"degrees": LOOKING_AWAY_YAW_DEGREES},
        bars=format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
            (
                (bx, by, bw, bh, colour, _("%(n)d faces") % {"n": n})
                for bx, by, bw, bh, colour, n in bars
            ),
        ),
        line=format_html(
            '<polyline points="{}" fill="none" stroke="#1565c0" stroke-width="2"/>', points
        )
        if points
        else "",
        ticks=format_html_join(
            "",
            '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#333">{}</text>',
            ((tx, bottom + 14, _("%(n)d min") % {"n": m}) for tx, m in ticks),
        ),
        top=PLOT_MARGIN - 10,
        legend=_("Bars: faces seen (green: one). Blue line: head turn from the straight pose."),
    )


def identity_checks(session: ProctoringSession | None) -> list[dict[str, Any]]:
    """Each identity check with its frames (by step) and its figures."""
    if session is None:
        return []
    checks = (
        IdentityCheck.objects.filter(session=session).prefetch_related("frames").order_by("number")
    )
    return [
        {
            "check": check,
            "frames": [
                {"step": str(STEP_LABELS.get(f.step, f.step)), "url": media_url("frame", f.pk)}
                for f in check.frames.all()
                if f.file
            ],
        }
        for check in checks
    ]


def review_context(user: User, attempt: Attempt) -> dict[str, Any]:
    """Everything the review page shows about one sitting (``user``: the reviewer, who
    may or may not be a second reviewer of its open proposal)."""
    session = ProctoringSession.objects.filter(attempt=attempt).select_related("student").first()
    snapshots = list(Snapshot.objects.filter(attempt=attempt).order_by("taken_at"))
    end = attempt.finished_at or attempt.deadline
    plot = attention_svg(
        snapshots,
        start=attempt.started_at,
        end=end,
        baseline_yaw=(session.baseline_yaw or 0.0) if session else 0.0,
    )
    pending_identity = bool(
        session and session.identity_status in (IdentityStatus.MANUAL, IdentityStatus.FAILED)
    )
    photo = media_url("photo", session.pk) if session and session.student.photo else ""
    ended = attempt.status != AttemptStatus.IN_PROGRESS or attempt.deadline <= timezone.now()
    proposals = attempts_selectors.proposals_of(attempt)
    open_ones = [p for p in proposals if p.status == ProposalStatus.OPEN]
    return {
        "attempt": attempt,
        "ended": ended,
        # The sitting's decision is the attempts app's (attempts:decide and
        # attempts:review_proposal, the same services as the absence-cap decision): the
        # page offers its form once the sitting ended, or the open proposal's review.
        "decision_groups": attempts_selectors.decision_groups(),
        "proposal": attempts_selectors.proposal_rows(user, open_ones)[0] if open_ones else None,
        "answered_proposals": [p for p in proposals if p.status != ProposalStatus.OPEN],
        "session": session,
        "timeline": timeline(attempt),
        "plot": plot,
        "snapshots_analysed": sum(1 for s in snapshots if s.faces is not None),
        "checks": identity_checks(session),
        "photo_url": photo,
        "pending_identity": pending_identity,
    }


def review_session(user: User, session_id: int) -> ProctoringSession | None:
    """A student's proctoring session, if the person may review it (proctors of its
    exam, staff); None otherwise, as if it did not exist."""
    session = (
        ProctoringSession.objects.select_related("exam", "student__user", "student__group")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not policy.may_review_session(user, session):
        return None
    return session


def identity_context(session: ProctoringSession) -> dict[str, Any]:
    """The identity page of a session (a student before their sitting, usually): the
    photo on file beside every identity-check frame, and the decision by hand while the
    identity waits for a proctor or failed."""
    return {
        "session": session,
        "exam": session.exam,
        "checks": identity_checks(session),
        "photo_url": media_url("photo", session.pk) if session.student.photo else "",
        "pending_identity": session.identity_status
        in (IdentityStatus.MANUAL, IdentityStatus.FAILED),
    }


def review_flag(user: User, flag_id: int) -> Flag | None:
    """A flag, if the person may review its sitting; None otherwise."""
    flag = Flag.objects.select_related("attempt").filter(pk=flag_id).first()
    if flag is None or not policy.may_review_attempt(user, flag.attempt):
        return None
    return flag
