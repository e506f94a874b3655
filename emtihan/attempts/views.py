"""The student's exam pages (home, exams, description, sitting, receipts), the picture
download, and the pages where a proctor or the exam office decides on a sitting.

Views parse the request, call one service or selector, and render.
"""

from __future__ import annotations

import json
import uuid
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from emtihan.accounts.models import User
from emtihan.core import http
from emtihan.core.confirm import confirmation_page, confirmed
from emtihan.core.pages import service_errors
from emtihan.core.texts import minutes_of_seconds
from emtihan.exams.models import TimeoutPolicy
from emtihan.policy import attempts as policy

from . import drafts, selectors, services
from .models import AttemptStatus, Decision, Picture, ProposalStatus
from .tokens import token_issue

API_BASE = "/api/v1/attempts/"
# What json_script escapes: the JSON can sit inside <script type="application/json">
# as it is, whatever the questions' HTML contains.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _user(request: HttpRequest) -> User:
    """The logged-in user (every view here is behind login_required)."""
    return cast(User, request.user)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Exams the student can start or continue now (the "main window" of the guide)."""
    exams = selectors.exams_for_student(_user(request))
    return render(request, "attempts/home.html", {"exams": exams, "tab": "home"})


@login_required
@require_GET
def exams(request: HttpRequest) -> HttpResponse:
    """All the student's exams: upcoming, active and completed."""
    exams = selectors.exams_for_student(_user(request))
    return render(request, "attempts/exams.html", {"exams": exams, "tab": "exams"})


@login_required
@require_http_methods(["GET", "POST"])
def exam(request: HttpRequest, exam_id: int) -> HttpResponse:
    """The exam's description and rules; POST starts (or resumes) the sitting."""
    found = selectors.exam_for_student(_user(request), exam_id)
    if found is None:
        raise Http404(_(services.ERR_EXAM_NOT_FOUND))
    exam, attempt = found
    if request.method == "POST":
        with service_errors(request) as call:
            attempt = services.attempt_start(student_user=_user(request), exam_id=exam.pk)
        if not call.ok:
            return redirect("attempts:exam", exam_id=exam.pk)
        return redirect("attempts:sitting", attempt_id=attempt.pk)
    now = timezone.now()
    extra = selectors.extra_minutes(_user(request), exam)
    is_open = exam.opens_at <= now < exam.closes_at
    # The proctoring gate's message (consent, device check, identity) beside Start.
    blocker = (
        services.start_blocker(student_user=_user(request), exam=exam)
        if is_open and attempt is None
        else None
    )
    return render(
        request,
        "attempts/exam.html",
        {
            "exam": exam,
            "attempt": attempt,
            "extra_minutes": extra,
            "absence_cap_minutes": minutes_of_seconds(exam.absence_cap_seconds),
            "empty_policy": exam.timeout_policy == TimeoutPolicy.EMPTY,
            "is_open": is_open,
            "start_blocker": blocker,
            "not_open_yet": now < exam.opens_at,
            "attempt_open": attempt is not None
            and attempt.status == AttemptStatus.IN_PROGRESS
            and now < attempt.deadline,
            "no_materials": not (
                exam.allow_formulas
                or exam.allow_drawings
                or exam.allow_pictures
                or exam.allowed_other
            ),
            "tab": "exams",
        },
    )


@login_required
@require_GET
def sitting(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The exam page: a server-rendered shell for the front end's TypeScript island."""
    with service_errors(request) as call:
        attempt = services.attempt_resume(attempt_id=attempt_id, student_user=_user(request))
    if not call.ok:
        return redirect("attempts:home")
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return redirect("attempts:finished", attempt_id=attempt.pk)
    state = {
        **selectors.attempt_state(attempt),
        "attempt_token": token_issue(attempt_id=attempt.pk, user=_user(request)),
    }
    return render(
        request,
        "attempts/sitting.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "state_json": json.dumps(state, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES),
            "api_base": API_BASE,
            "finished_url": reverse("attempts:finished", args=[attempt.pk]),
            "home_url": reverse("attempts:home"),
        },
    )


@login_required
@require_GET
def finished(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The end of the sitting: the receipt of every sent answer."""
    with service_errors(request) as call:
        attempt = services.attempt_resume(attempt_id=attempt_id, student_user=_user(request))
    if not call.ok:
        return redirect("attempts:home")
    if attempt.status == AttemptStatus.IN_PROGRESS:
        return redirect("attempts:sitting", attempt_id=attempt.pk)
    return render(
        request,
        "attempts/finished.html",
        {"attempt": attempt, "receipts": selectors.receipts_of(attempt), "tab": "exams"},
    )


@login_required
@require_GET
def picture(request: HttpRequest, attempt_id: int, picture_id: int) -> FileResponse:
    """A picture by the path written into the student's answer. Anyone the policy does
    not let see it gets 404, whether it exists or not: the ids are sequential, and a
    403 would tell which attempt a picture belongs to."""
    found = selectors.picture_for(_user(request), attempt_id=attempt_id, picture_id=picture_id)
    if found is None:
        raise Http404
    return _picture_response(found)


@login_required
@require_GET
def picture_by_key(request: HttpRequest, key: uuid.UUID) -> FileResponse:
    """A picture by its random key: the URL graders get, which names no attempt."""
    found = selectors.picture_by_key_for(_user(request), key)
    if found is None:
        raise Http404
    return _picture_response(found)


def _picture_response(found: Picture) -> FileResponse:
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # The stored name holds the attempt's id: the download is named by the key instead.
    extension = "jpg" if found.content_type == "image/jpeg" else "png"
    response = FileResponse(
        handle, content_type=found.content_type, filename=f"{found.key}.{extension}"
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- proctors and the exam office ---------------------------------------------------------


@login_required
@require_GET
def proctor_exams(request: HttpRequest) -> HttpResponse:
    """The proctor's exams (their assignments; staff: every exam), each with its sittings."""
    _require_decider(request)
    return render(
        request,
        "attempts/proctor_exams.html",
        {"rows": selectors.exams_for_proctor(_user(request))},
    )


@login_required
@require_GET
def decisions(request: HttpRequest) -> HttpResponse:
    """Sittings in the proctor's scope waiting for a person: a decision (absence past the
    cap) or a second reviewer (a proposed cancel or postpone)."""
    _require_decider(request)
    attempts = selectors.attempts_pending_decision(_user(request))
    return render(
        request,
        "attempts/decisions.html",
        {
            "rows": selectors.sitting_rows(_user(request), attempts),
            "decision_groups": selectors.decision_groups(),
            "draft": drafts.take(request),
        },
    )


@login_required
@require_GET
def exam_attempts(request: HttpRequest, exam_id: int) -> HttpResponse:
    """Every sitting of one exam in the proctor's scope: state, time left, absence, the
    decision form and the proposals waiting for a second reviewer."""
    _require_decider(request)
    exam = selectors.exam_for_proctor(_user(request), exam_id)
    if exam is None:
        raise Http404
    return render(
        request,
        "attempts/exam_attempts.html",
        {
            "exam": exam,
            "rows": selectors.sitting_rows(_user(request), selectors.attempts_of_exam(exam)),
            "decision_groups": selectors.decision_groups(),
            "draft": drafts.take(request),
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """A proctor's decision: ``choice`` is ``"<decision>:<category>"`` (the form's one
    select), with a ``comment``. An accept is final; a cancel or postpone is proposed for
    a second reviewer (``review_proposal``), who is asked again before a cancel."""
    _require_decider(request)
    next_url = http.next_url(request, reverse("attempts:decisions"))
    decision, _sep, category = request.POST.get("choice", "").partition(":")
    with service_errors(request) as call:
        result = services.attempt_decide(
            actor=_user(request),
            attempt_id=attempt_id,
            decision=decision,
            category=category,
            comment=request.POST.get("comment", ""),
        )
    if not call.ok:
        # What the proctor wrote is offered again on the page they return to.
        drafts.keep(request, attempt_id=attempt_id)
    elif result.proposal is not None:
        messages.success(
            request,
            _(
                "Proposed for %(student)s: %(decision)s. It takes effect once a second "
                "reviewer (another proctor of the exam or the exam office) confirms it."
            )
            % {
                "student": result.attempt.student,
                "decision": result.proposal.get_decision_display(),
            },
        )
    else:
        messages.success(
            request,
            _("Decision recorded for %(student)s: %(decision)s.")
            % {
                "student": result.attempt.student,
                "decision": result.attempt.get_decision_display(),
            },
        )
    return redirect(next_url)


@login_required
@require_POST
def review_proposal(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """The second reviewer confirms or rejects a proposed cancel or postpone (the proposer
    may only reject: withdraw). Confirming a cancel is asked again first (core/confirm.py)."""
    _require_decider(request)
    next_url = http.next_url(request, reverse("attempts:decisions"))
    action = request.POST.get("action", "")
    if action == "confirm" and not confirmed(request):
        proposal = selectors.proposal_for(_user(request), proposal_id)
        if proposal is None:
            raise Http404(_(services.ERR_PROPOSAL_NOT_FOUND))
        if proposal.decision == Decision.CANCEL:
            attempt = proposal.attempt
            return confirmation_page(
                request,
                title=_("Cancel the work?"),
                question=_("Cancel the work of %(student)s in “%(exam)s”?")
                % {"student": attempt.student.user.get_full_name(), "exam": attempt.exam.title},
                consequences=_(
                    "You confirm the cancel proposed by %(proposer)s (%(category)s). The "
                    "sitting is marked cancelled: the work is not accepted, and the student "
                    "is told by e-mail and on their exams page. Its answers and receipts stay "
                    "on record; a later decision, with its reason, can replace this one."
                )
                % {
                    "proposer": proposal.proposed_by.get_full_name(),
                    "category": proposal.get_category_display(),
                },
                button=_("Cancel the work"),
                cancel_url=next_url,
                keep=("action", "note", "next"),
            )
    with service_errors(request) as call:
        proposal = services.attempt_proposal_review(
            actor=_user(request),
            proposal_id=proposal_id,
            action=action,
            note=request.POST.get("note", ""),
        )
    if call.ok:
        attempt = proposal.attempt
        if proposal.status == ProposalStatus.CONFIRMED:
            messages.success(
                request,
                _("Decision confirmed for %(student)s: %(decision)s.")
                % {"student": attempt.student, "decision": attempt.get_decision_display()},
            )
        else:
            messages.success(
                request,
                _("Proposal rejected for %(student)s: the sitting stays as it was.")
                % {"student": attempt.student},
            )
    return redirect(next_url)


def _require_decider(request: HttpRequest) -> None:
    if not policy.may_open_decisions(_user(request)):
        raise PermissionDenied(_(services.ERR_NOT_DECIDER))
