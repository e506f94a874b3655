"""Pages of marking and results (docs/GRADING.md).

- ``pile`` and ``work``: a grader's exam, works by code only; ``work`` saves the marks
  (Enter in any field saves and opens the next unmarked work).
- ``results`` and ``release``: the exam's teachers and the exam office follow the
  marking and release (asking first, ``core.confirm``).
- ``result``: the student's released result, per question.
- ``archive``, ``archive_build``, ``archive_download``: the exam office builds an exam's
  archive (a PDF per work, in one ZIP) in the background, follows it and downloads it.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from emtihan.accounts.models import User
from emtihan.core.confirm import confirmation_page, confirmed
from emtihan.core.ids import parse_id
from emtihan.core.pages import service_errors
from emtihan.core.sanitize import sanitize_html
from emtihan.exams.models import Exam
from emtihan.policy import grading as policy
from emtihan.university.models import Discipline, StudyGroup

from . import archive as archive_service
from . import gradebook, selectors, services
from .models import ArchiveBuild, ArchiveStatus, ThresholdUnit, WorkState


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _grader_exam(request: HttpRequest, exam_id: int):  # type: ignore[no-untyped-def]
    if not policy.may_open_marking(_user(request)):
        raise PermissionDenied
    exam = selectors.exam_for_grader(_user(request), exam_id)
    if exam is None:
        raise Http404
    return exam


@login_required
@require_GET
def pile(request: HttpRequest, exam_id: int) -> HttpResponse:
    """The exam's works by code with their state."""
    exam = _grader_exam(request, exam_id)
    services.works_ensure(exam=exam)
    works = selectors.pile(exam)
    first = next((w for w in works if w.state != WorkState.MARKED and not w.released), None)
    if services.settings_of(exam) is not None:
        first = selectors.next_independent(exam, _user(request), None)
    return render(
        request,
        "grading/pile.html",
        {"exam": exam, "works": works, "first": first, "counts": selectors.state_counts(exam)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def work(request: HttpRequest, exam_id: int, code: str) -> HttpResponse:
    """One work: the questions with the final answers and their marks (POST saves)."""
    exam = _grader_exam(request, exam_id)
    found = selectors.work_of(exam, code)
    if found is None:
        raise Http404
    if services.settings_of(exam) is not None:
        return _independent_work(request, exam, found)
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        page = selectors.work_page(found)
        marks = [
            services.MarkInput(
                question_id=q.question.pk,
                points=request.POST.get(q.field, ""),
                comment=request.POST.get(f"{q.field}-comment", ""),
                reason=request.POST.get(f"{q.field}-reason", ""),
                criteria={row.criterion.pk: request.POST.get(row.name, "") for row in q.rubric},
            )
            for q in page.questions
            if q.field in request.POST
        ]
        try:
            revision = int(request.POST.get("revision", ""))
        except ValueError:
            revision = -1
        with service_errors() as call:
            saved = services.work_mark(
                actor=_user(request), work_id=found.pk, revision=revision, marks=marks
            )
        if call.ok:
            messages.success(request, _("Marks of work %(code)s saved.") % {"code": found.code})
            if request.POST.get("then") == "stay":
                return redirect("grading:work", exam.pk, found.code)
            following = selectors.next_code(selectors.pile(exam), saved.code)
            if following is None:
                messages.info(request, _("Every work of this exam is marked."))
                return redirect("grading:pile", exam.pk)
            return redirect("grading:work", exam.pk, following)
        errors = call.errors
        if "__all__" not in errors:
            # What the grader typed is shown again beside the messages, never lost.
            posted = {k: request.POST.get(k, "") for k in request.POST if k.startswith("q")}
        found.refresh_from_db()
    page = selectors.work_page(found)
    for question in page.questions:
        question.show_posted(posted, errors)
    focus = next(
        (q.field for q in page.questions if q.errors),
        next((q.field for q in page.questions if not q.value), None),
    )
    if focus is None and page.questions:
        focus = page.questions[0].field
    works = selectors.pile(exam)
    codes = [w.code for w in works]
    position = codes.index(found.code) + 1 if found.code in codes else 0
    return render(
        request,
        "grading/work.html",
        {
            "exam": exam,
            "page": page,
            "focus": focus,
            "general_errors": errors.get("__all__", []),
            "posted": posted,
            "position": position,
            "count": len(works),
            "previous": codes[position - 2] if position > 1 else None,
            "next": codes[position] if 0 < position < len(codes) else None,
            "revision": page.work.revision,
            "closed_form": page.work.released,
            "closed_notice": _(
                "The results of this work are released; its marks can no longer change."
            ),
        },
    )


def _releaser_exam(request: HttpRequest, exam_id: int):  # type: ignore[no-untyped-def]
    exam = selectors.exam_for_releaser(_user(request), exam_id)
    if exam is None:
        raise Http404
    return exam


@login_required
@require_GET
def results(request: HttpRequest, exam_id: int) -> HttpResponse:
    """The exam's marking progress and its release, for its teachers and the exam office.
    Counts and states only; names appear only in its list of appeals (released results,
    identity already joined)."""
    exam = _releaser_exam(request, exam_id)
    services.works_ensure(exam=exam)
    return render(
        request,
        "grading/results.html",
        {
            "exam": exam,
            "summary": services.release_summary(exam),
            "counts": selectors.state_counts(exam),
            "written": selectors.written_questions(exam),
            "second": services.settings_of(exam),
            "to_settle": selectors.to_settle(exam),
            "may_archive": policy.exams_archived_by(_user(request)).filter(pk=exam.pk).exists(),
            "may_review_marks": policy.may_review_identifying_marks(_user(request)),
            "appeals": selectors.exam_appeals(exam),
            "may_export_gradebook": policy.may_export_gradebook(_user(request)),
        },
    )


@login_required
@require_POST
def release(request: HttpRequest, exam_id: int) -> HttpResponse:
    """Release the marked works' results: the results page's button posts here and gets
    the question (``core.confirm``); the question's button posts again, confirmed."""
    exam = _releaser_exam(request, exam_id)
    back = reverse("grading:results", args=[exam.pk])
    if not confirmed(request):
        summary = services.release_summary(exam)
        return confirmation_page(
            request,
            title=_("Release the results"),
            question=_(
                "Release the results of %(ready)s marked works of “%(exam)s”? Each student "
                "sees their marks, comments and grade and gets an e-mail."
            )
            % {"ready": summary.ready, "exam": exam.title},
            consequences=_(
                "Released marks can no longer be changed. Works not marked yet (%(left)s) "
                "and works waiting for a decision (%(held)s) are not released now."
            )
            % {"left": summary.not_marked, "held": summary.held},
            button=_("Release the results"),
            cancel_url=back,
        )
    with service_errors(request) as call:
        released = services.results_release(actor=_user(request), exam=exam)
    if call.ok:
        messages.success(request, _("Results of %(n)s works released.") % {"n": len(released)})
    return redirect(back)


@login_required
@require_GET
def result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The student's result: points and comment per question, total and grade."""
    found = selectors.result_for_student(_user(request), attempt_id)
    if found is None:
        raise Http404
    return render(request, "grading/result.html", {"result": found})


# Empty rows the rubric form offers below the criteria already set.
RUBRIC_SPARE_ROWS = 3


@login_required
@require_http_methods(["GET", "POST"])
def rubric(request: HttpRequest, exam_id: int, question_id: int) -> HttpResponse:
    """The rubric of one written question: criteria with points (POST saves it whole)."""
    exam = _releaser_exam(request, exam_id)
    found = selectors.written_question(exam, question_id)
    if found is None:
        raise Http404
    number, question = found
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            count = min(int(request.POST.get("rows", "0")), services.RUBRIC_MAX_CRITERIA + 10)
        except ValueError:
            count = 0
        typed = [
            services.CriterionInput(
                text=request.POST.get(f"c{n}-text", ""),
                points=request.POST.get(f"c{n}-points", ""),
            )
            for n in range(count)
        ]
        with service_errors() as call:
            services.rubric_set(actor=_user(request), question_id=question.pk, rows=typed)
        if call.ok:
            messages.success(request, _("Rubric of question %(n)s saved.") % {"n": number})
            return redirect("grading:results", exam.pk)
        errors = call.errors
        rows = [{"text": r.text, "points": r.points} for r in typed]
    else:
        rows = [{"text": c.text, "points": f"{c.points:f}"} for c in selectors.rubric_of(question)]
        rows += [{"text": "", "points": ""} for _n in range(RUBRIC_SPARE_ROWS)]
    for n, row in enumerate(rows):
        row["text_errors"] = errors.get(f"c{n}-text", [])  # type: ignore[assignment]
        row["points_errors"] = errors.get(f"c{n}-points", [])  # type: ignore[assignment]
    return render(
        request,
        "grading/rubric.html",
        {
            "exam": exam,
            "question": question,
            "number": number,
            "body_html": sanitize_html(question.body),
            "rows": rows,
            "general_errors": errors.get("__all__", []),
        },
    )


# --- second marking ------------------------------------------------------------------------


def _marks_posted(request: HttpRequest, page: selectors.WorkPage) -> list[services.MarkInput]:
    return [
        services.MarkInput(
            question_id=q.question.pk,
            points=request.POST.get(q.field, ""),
            comment=request.POST.get(f"{q.field}-comment", ""),
            reason=request.POST.get(f"{q.field}-reason", ""),
            criteria={row.criterion.pk: request.POST.get(row.name, "") for row in q.rubric},
        )
        for q in page.questions
        if q.field in request.POST
    ]


def _independent_work(request: HttpRequest, exam, found) -> HttpResponse:  # type: ignore[no-untyped-def]
    """A work of a second-marked exam: the grader's own marks only (services.second)."""
    user = _user(request)
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        page, _marking = selectors.independent_page(found, user)
        try:
            revision = int(request.POST.get("revision", ""))
        except ValueError:
            revision = -1
        with service_errors() as call:
            services.independent_mark(
                actor=user, work_id=found.pk, revision=revision, marks=_marks_posted(request, page)
            )
        if call.ok:
            messages.success(request, _("Marks of work %(code)s saved.") % {"code": found.code})
            if request.POST.get("then") == "stay":
                return redirect("grading:work", exam.pk, found.code)
            following = selectors.next_independent(exam, user, found.code)
            if following is None:
                messages.info(request, _("You have marked every work of this exam you can."))
                return redirect("grading:pile", exam.pk)
            return redirect("grading:work", exam.pk, following.code)
        errors = call.errors
        if "__all__" not in errors:
            posted = {k: request.POST.get(k, "") for k in request.POST if k.startswith("q")}
        found.refresh_from_db()
    page, marking = selectors.independent_page(found, user)
    for question in page.questions:
        question.show_posted(posted, errors)
    full = marking is None and len(selectors.pair_graders(found)) >= 2
    settled = found.state in (WorkState.TO_SETTLE, WorkState.MARKED) or found.released
    if full:
        notice = _("Two other graders mark this work.")
    elif settled:
        notice = _("Both graders' marks of this work are in; they can no longer change here.")
    else:
        notice = ""
    focus = next(
        (q.field for q in page.questions if q.errors),
        next((q.field for q in page.questions if not q.value), None),
    )
    works = selectors.pile(exam)
    codes = [w.code for w in works]
    position = codes.index(found.code) + 1 if found.code in codes else 0
    return render(
        request,
        "grading/work.html",
        {
            "exam": exam,
            "page": page,
            "focus": focus or (page.questions[0].field if page.questions else None),
            "general_errors": errors.get("__all__", []),
            "posted": posted,
            "position": position,
            "count": len(works),
            "previous": codes[position - 2] if position > 1 else None,
            "next": codes[position] if 0 < position < len(codes) else None,
            "revision": marking.revision if marking else 0,
            "closed_form": bool(notice),
            "closed_notice": notice,
            "second_note": _(
                "Second marking: you mark this work on your own; the other grader's marks "
                "are not shown, and yours are not shown to them. Your marks are in once "
                "every question has one."
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def settle(request: HttpRequest, exam_id: int, code: str) -> HttpResponse:
    """Settle a work whose two graders differ too much: the final marks and the reason."""
    user = _user(request)
    exam = selectors.exam_for_settler(user, exam_id)
    if exam is None:
        raise Http404
    found = selectors.work_to_settle(exam, code)
    if found is None:
        raise Http404
    if not policy.may_settle(user, exam, selectors.pair_graders(found)):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        page = selectors.work_page(found)
        with service_errors() as call:
            services.work_settle(
                actor=user,
                work_id=found.pk,
                marks=_marks_posted(request, page),
                reason=request.POST.get("reason", ""),
            )
        if call.ok:
            messages.success(request, _("Work %(code)s settled.") % {"code": found.code})
            if policy.may_release(user, exam):
                return redirect("grading:results", exam.pk)
            return redirect("grading:pile", exam.pk)
        errors = call.errors
        posted = {k: request.POST.get(k, "") for k in request.POST if k[:1] == "q" or k == "reason"}
    return render(
        request,
        "grading/settle.html",
        {
            "exam": exam,
            "work": found,
            "lines": selectors.settle_page(found, posted, errors),
            "reason": posted.get("reason", ""),
            "reason_errors": errors.get("reason", []),
            "general_errors": errors.get("__all__", []),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def marking_settings(request: HttpRequest, exam_id: int) -> HttpResponse:
    """Second marking on or off, and its threshold (the exam's teachers, the exam office)."""
    exam = _releaser_exam(request, exam_id)
    stored = selectors.marking_settings_of(exam)
    errors: dict[str, list[str]] = {}
    values = {
        "second_marking": stored.second_marking,
        "threshold": f"{stored.threshold:f}",
        "unit": stored.threshold_unit,
    }
    if request.method == "POST":
        values = {
            "second_marking": request.POST.get("second_marking") == "on",
            "threshold": request.POST.get("threshold", ""),
            "unit": request.POST.get("unit", ""),
        }
        with service_errors() as call:
            services.marking_settings_set(
                actor=_user(request),
                exam=exam,
                second_marking=bool(values["second_marking"]),
                threshold=str(values["threshold"]),
                unit=str(values["unit"]),
            )
        if call.ok:
            messages.success(request, _("Marking settings saved."))
            return redirect("grading:results", exam.pk)
        errors = call.errors
    return render(
        request,
        "grading/marking_settings.html",
        {
            "exam": exam,
            "values": values,
            "units": ThresholdUnit.choices,
            "locked": services.marking_started(exam),
            "threshold_errors": errors.get("threshold", []),
            "general_errors": errors.get("__all__", []),
        },
    )


# --- appeals (the commission: the exam's teachers and the exam office) -----------------------


@login_required
@require_POST
def appeal_file(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The student files an appeal from their result page; a refusal shows the page
    again with the message and the reason they typed."""
    found = selectors.result_for_student(_user(request), attempt_id)
    if found is None:
        raise Http404
    reason = request.POST.get("reason", "")
    with service_errors() as call:
        services.appeal_file(actor=_user(request), attempt_id=attempt_id, reason=reason)
    if call.ok:
        messages.success(
            request,
            _(
                "Your appeal is filed. The exam's teachers review it; you get an e-mail with the outcome."
            ),
        )
        return redirect("grading:result", attempt_id)
    found = selectors.result_for_student(_user(request), attempt_id)
    return render(
        request,
        "grading/result.html",
        {"result": found, "appeal_errors": call.errors, "typed_reason": reason},
        status=400,
    )


@login_required
@require_GET
def appeals(request: HttpRequest) -> HttpResponse:
    """The appeals of the exams the person reviews (the exam's teachers, the exam office)."""
    if not policy.may_open_appeals(_user(request)):
        raise PermissionDenied
    return render(
        request, "grading/appeals.html", {"appeals": selectors.appeals_for_reviewer(_user(request))}
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The commission's page of one appeal: the student, their reason, the work with its
    answers and marks; the decision (new marks, or a rejection with a reason) is asked
    first (``core.confirm``), then final."""
    found = selectors.appeal_for_reviewer(_user(request), appeal_id)
    if found is None:
        raise Http404
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    if request.method == "POST" and found.is_open:
        change = request.POST.get("outcome") == "change"
        back = reverse("grading:appeal", args=[found.pk])
        if not confirmed(request):
            student = found.work.attempt.student.user.get_full_name()
            return confirmation_page(
                request,
                title=_("Change the marks") if change else _("Reject the appeal"),
                question=(
                    _("Change the marks of %(student)s as entered and recompute the grade?")
                    if change
                    else _("Reject the appeal of %(student)s? The result stays as it was.")
                )
                % {"student": student},
                consequences=_(
                    "The decision is final: the student is told by e-mail and sees it on "
                    "their result page."
                ),
                button=_("Change the marks") if change else _("Reject the appeal"),
                cancel_url=back,
                keep=[k for k in request.POST if k not in ("csrfmiddlewaretoken", "confirmed")],
            )
        page = selectors.work_page(found.work)
        marks = [
            services.NewMark(question_id=q.question.pk, points=request.POST.get(q.field, ""))
            for q in page.questions
            if q.field in request.POST
        ]
        with service_errors() as call:
            services.appeal_decide(
                actor=_user(request),
                appeal_id=found.pk,
                change=change,
                marks=marks,
                answer=request.POST.get("answer", ""),
            )
        if call.ok:
            messages.success(request, _("The appeal is decided; the student gets an e-mail."))
            return redirect(back)
        errors = call.errors
        posted = {k: request.POST.get(k, "") for k in request.POST if k.startswith("q")}
        posted["answer"] = request.POST.get("answer", "")
        found = selectors.appeal_for_reviewer(_user(request), appeal_id) or found
    page = selectors.work_page(found.work)
    for question in page.questions:
        question.show_posted(posted, errors)
    return render(
        request,
        "grading/appeal.html",
        {
            "appeal": found,
            "exam": found.work.exam,
            "student": found.work.attempt.student,
            "page": page,
            "changes": selectors.appeal_changes(found),
            "general_errors": errors.get("__all__", []),
            "answer_errors": errors.get("answer", []),
            "answer": posted.get("answer", found.answer),
        },
        status=400 if errors else 200,
    )


# --- the gradebook (the registrar's office) ---------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _gradebook_user(request: HttpRequest) -> User:
    if not policy.may_export_gradebook(_user(request)):
        raise PermissionDenied
    return _user(request)


@login_required
@require_GET
def gradebook_page(request: HttpRequest) -> HttpResponse:
    """Choose what to export: an exam, a study group or a discipline."""
    _gradebook_user(request)
    exams = Exam.objects.select_related("choice__discipline", "choice__group").order_by(
        "choice__discipline__code", "choice__group__code", "title"
    )
    return render(
        request,
        "grading/gradebook.html",
        {
            "exams": exams,
            "groups": StudyGroup.objects.filter(exam_choices__exams__isnull=False)
            .distinct()
            .order_by("code"),
            "disciplines": Discipline.objects.filter(exam_choices__exams__isnull=False)
            .distinct()
            .order_by("code"),
        },
    )


@login_required
@require_GET
def gradebook_export(request: HttpRequest) -> HttpResponse:
    """The XLSX of one exam (``?exam=``), group (``?group=``) or discipline
    (``?discipline=``); a missing or unknown one is a 404."""
    _gradebook_user(request)
    exams = Exam.objects.all()
    if (exam_id := parse_id(request.GET.get("exam", ""))) is not None:
        exam = Exam.objects.filter(pk=exam_id).first()
        if exam is None:
            raise Http404
        exams, title, label = exams.filter(pk=exam_id), exam.title, f"exam-{exam_id}"
    elif (group_id := parse_id(request.GET.get("group", ""))) is not None:
        group = StudyGroup.objects.filter(pk=group_id).first()
        if group is None:
            raise Http404
        exams, title, label = exams.filter(choice__group=group), group.code, f"group-{group_id}"
    elif (discipline_id := parse_id(request.GET.get("discipline", ""))) is not None:
        discipline = Discipline.objects.filter(pk=discipline_id).first()
        if discipline is None:
            raise Http404
        exams = exams.filter(choice__discipline=discipline)
        title, label = f"{discipline.code} {discipline.name}", f"discipline-{discipline_id}"
    else:
        raise Http404
    with service_errors(request) as call:
        content = gradebook.gradebook_xlsx(gradebook.gradebook_rows(exams), title=title)
    if not call.ok:
        return redirect("grading:gradebook")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="gradebook-{label}.xlsx"'
    return response


# --- identifying marks (the exam office) ---------------------------------------------------


@login_required
@require_GET
def identifying(request: HttpRequest) -> HttpResponse:
    """Works whose answers may carry identifying marks, with the matching text marked:
    the exam office decides (never shown to graders)."""
    if not policy.may_review_identifying_marks(_user(request)):
        raise PermissionDenied
    return render(request, "grading/identifying.html", {"works": selectors.flagged_works()})


@login_required
@require_POST
def identifying_decide(request: HttpRequest, work_id: int) -> HttpResponse:
    """Dismiss a work's marks, or send its sitting to the attempts' decision flow."""
    if not policy.may_review_identifying_marks(_user(request)):
        raise PermissionDenied
    action = request.POST.get("action", "")
    with service_errors(request) as call:
        work = services.flags_decide(
            actor=_user(request),
            work_id=work_id,
            action=action,
            note=request.POST.get("note", ""),
        )
    if call.ok and action == services.REFER:
        messages.info(
            request,
            _(
                "Decide on the sitting of work %(code)s here: to cancel it under the guide's "
                "§6.2, choose “Other” and name the identification marks in the comment; a "
                "cancellation needs a second reviewer."
            )
            % {"code": work.code},
        )
        return redirect("attempts:exam_attempts", work.exam_id)
    if call.ok:
        messages.success(request, _("Marks of work %(code)s dismissed.") % {"code": work.code})
    return redirect("grading:identifying")


# --- the archive (the exam office) -----------------------------------------------------------


def _archive_exam(request: HttpRequest, exam_id: int):  # type: ignore[no-untyped-def]
    if not policy.may_archive(_user(request)):
        raise PermissionDenied
    exam = (
        policy.exams_archived_by(_user(request))
        .select_related("choice__discipline", "choice__group")
        .filter(pk=exam_id)
        .first()
    )
    if exam is None:
        raise Http404
    return exam


def _archive_build(exam, build_id: int) -> ArchiveBuild:  # type: ignore[no-untyped-def]
    build = ArchiveBuild.objects.filter(exam=exam, pk=build_id).first()
    if build is None:
        raise Http404
    return build


@login_required
@require_http_methods(["GET", "POST"])
def archive(request: HttpRequest, exam_id: int) -> HttpResponse:
    """The exam's archives: build one (a background task), follow it, download it."""
    exam = _archive_exam(request, exam_id)
    if request.method == "POST":
        build = archive_service.archive_start(actor=_user(request), exam=exam)
        return redirect("grading:archive_build", exam.pk, build.pk)
    builds = list(ArchiveBuild.objects.filter(exam=exam)[:20])
    return render(request, "grading/archive.html", {"exam": exam, "builds": builds})


@login_required
@require_GET
def archive_build(request: HttpRequest, exam_id: int, build_id: int) -> HttpResponse:
    """One build's progress; htmx polls its fragment until it is ready or failed."""
    exam = _archive_exam(request, exam_id)
    build = _archive_build(exam, build_id)
    context = {"exam": exam, "build": build}
    if request.headers.get("HX-Request"):
        return render(request, "grading/_archive_progress.html", context)
    return render(request, "grading/archive_build.html", context)


@login_required
@require_GET
def archive_download(request: HttpRequest, exam_id: int, build_id: int) -> FileResponse:
    exam = _archive_exam(request, exam_id)
    build = _archive_build(exam, build_id)
    if build.status != ArchiveStatus.DONE or not build.file:
        raise Http404
    return FileResponse(
        build.file.open("rb"),
        as_attachment=True,
        filename=f"exam-{exam.pk}-archive-{build.pk}.zip",
        content_type="application/zip",
    )
