"""The student's proctoring log page and the one door to recordings (pictures, clips).

Views parse the request, call one selector, and render; the policy decides who opens a
recording (``policy.proctoring.may_view_recording``).
"""

from __future__ import annotations

import json
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from emtihan.accounts.models import User
from emtihan.attempts import drafts as attempt_drafts
from emtihan.core.errors import DomainError, PermissionDeniedError
from emtihan.core.pages import service_errors
from emtihan.policy import proctoring as policy

from . import console as console_reads
from . import review as review_reads
from . import selectors, services

API_BASE = "/api/v1/proctoring/"
# What json_script escapes, so the JSON can sit inside <script type="application/json">.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
ERR_NOT_PROCTOR = gettext_noop("Only the exam's proctors and the exam office open this page.")


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_GET
def log(request: HttpRequest, exam_id: int) -> HttpResponse:
    """What was recorded about the student in one exam (linked from the exam page's
    proctoring indicator)."""
    try:
        found = selectors.student_log(student_user=_user(request), exam_id=exam_id)
    except DomainError as exc:
        # Not a student, not their exam, or an exam without the camera: nothing to show.
        raise Http404(exc.message) from exc
    return render(request, "proctoring/log.html", {**found, "tab": "exams"})


@login_required
@require_GET
def precheck(request: HttpRequest, exam_id: int) -> HttpResponse:
    """Before the exam: consent, the camera and microphone check, the identity check and
    the rules with Start (the TypeScript island ``proctoring/precheck.ts`` drives the
    camera; it talks to the JSON API of docs/PROCTORING.md)."""
    try:
        exam, state = selectors.precheck_page(student_user=_user(request), exam_id=exam_id)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        # Not their exam, or an exam sat without the camera: nothing to check.
        raise Http404(exc.message) from exc
    context = {
        "exam": exam,
        "state": state,
        "state_json": json.dumps(state, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES),
        "api_base": API_BASE,
        "tab": "exams",
    }
    return render(request, "proctoring/precheck.html", context)


@login_required
@require_POST
def precheck_consent(request: HttpRequest, exam_id: int) -> HttpResponse:
    """The consent form (a plain form: it works without the page's script)."""
    with service_errors(request) as call:
        services.consent_give(
            student_user=_user(request),
            exam_id=exam_id,
            version=request.POST.get("version", ""),
            language=request.POST.get("language", ""),
        )
    if call.ok:
        messages.success(request, _("Your consent is recorded."))
    return redirect(reverse("proctoring:precheck", args=[exam_id]) + "#device")


@login_required
@require_GET
def media(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    """A snapshot, identity-check frame, keyframe or voice clip, to the student it is
    about and to the exam's proctors; 404 to anyone else and for a deleted recording."""
    recording = selectors.recording_for(_user(request), kind, pk)
    if recording is None:
        raise Http404
    try:
        handle = recording.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=recording.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the proctor's console ------------------------------------------------------------


def _require_proctor(request: HttpRequest) -> None:
    if not policy.may_open_console(_user(request)):
        raise PermissionDenied(_(ERR_NOT_PROCTOR))


@login_required
@require_GET
def console(request: HttpRequest, exam_id: int) -> HttpResponse:
    """One exam's live sittings, most urgent first; the table refreshes itself
    (``console_rows``, every 10 seconds, by htmx)."""
    _require_proctor(request)
    exam = console_reads.console_exam(_user(request), exam_id)
    if exam is None:
        raise Http404
    context = {
        "exam": exam,
        "rows": console_reads.console_rows(exam),
        "waiting": console_reads.waiting_sessions(exam),
        "tab": "proctor",
    }
    return render(request, "proctoring/console.html", context)


@login_required
@require_GET
def console_rows(request: HttpRequest, exam_id: int) -> HttpResponse:
    """The console's table alone (what the page asks for every 10 seconds)."""
    _require_proctor(request)
    exam = console_reads.console_exam(_user(request), exam_id)
    if exam is None:
        raise Http404
    context = {
        "exam": exam,
        "rows": console_reads.console_rows(exam),
        "waiting": console_reads.waiting_sessions(exam),
    }
    return render(request, "proctoring/_console_rows.html", context)


# --- an attempt's review ----------------------------------------------------------------


@login_required
@require_GET
def review(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """One sitting's timeline, attention plot, identity checks and pending decisions."""
    _require_proctor(request)
    attempt = review_reads.review_attempt(_user(request), attempt_id)
    if attempt is None:
        raise Http404
    context = {
        **review_reads.review_context(_user(request), attempt),
        "draft": attempt_drafts.take(request),
        "tab": "proctor",
    }
    return render(request, "proctoring/review.html", context)


@login_required
@require_POST
def identity_decision(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """A proctor approves or rejects the student's identity by hand, with a reason
    (``services.identity_decide`` owns the rule and the audit)."""
    _require_proctor(request)
    attempt = review_reads.review_attempt(_user(request), attempt_id)
    if attempt is None or not hasattr(attempt, "proctoring"):
        raise Http404
    with service_errors(request) as call:
        session = services.identity_decide(
            actor=_user(request),
            session_id=attempt.proctoring.pk,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )
    if call.ok:
        messages.success(
            request,
            _("Identity decision recorded: %(status)s.")
            % {"status": session.get_identity_status_display()},
        )
    return redirect(reverse("proctoring:review", args=[attempt_id]))


@login_required
@require_http_methods(["GET", "POST"])
def identity(request: HttpRequest, session_id: int) -> HttpResponse:
    """A student's identity checks beside the photo on file, before (or without) a
    sitting, and the decision by hand while it waits for a proctor: GET shows, POST
    decides (``services.identity_decide`` owns the rule and the audit)."""
    _require_proctor(request)
    session = review_reads.review_session(_user(request), session_id)
    if session is None:
        raise Http404
    if request.method == "POST":
        with service_errors(request) as call:
            session = services.identity_decide(
                actor=_user(request),
                session_id=session.pk,
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""),
            )
        if call.ok:
            messages.success(
                request,
                _("Identity decision recorded: %(status)s.")
                % {"status": session.get_identity_status_display()},
            )
        return redirect(reverse("proctoring:identity", args=[session_id]))
    context = {**review_reads.identity_context(session), "tab": "proctor"}
    return render(request, "proctoring/identity.html", context)


@login_required
@require_POST
def flag_review(request: HttpRequest, flag_id: int) -> HttpResponse:
    """A proctor upholds or dismisses a flag with a note, from the review page's timeline
    (``services.flag_review`` owns the rule and the audit)."""
    _require_proctor(request)
    flag = review_reads.review_flag(_user(request), flag_id)
    if flag is None:
        raise Http404
    with service_errors(request) as call:
        flag = services.flag_review(
            actor=_user(request),
            flag_id=flag.pk,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
        )
    if call.ok:
        messages.success(
            request,
            _("Flag review recorded: %(status)s.") % {"status": flag.get_status_display()},
        )
    return redirect(reverse("proctoring:review", args=[flag.attempt_id]) + "#timeline")
