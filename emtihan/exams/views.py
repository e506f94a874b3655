"""The teacher's exam pages: list, create/edit, questions, pools, accommodations, import.

Views parse the request, call one service or selector, and render; the rules live in
``services``. An exam the user may not manage answers 404, like one that does not exist.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from emtihan.accounts.models import User
from emtihan.core.confirm import confirmation_page, confirmed
from emtihan.core.pages import service_errors
from emtihan.core.sanitize import plain_text
from emtihan.core.texts import minutes
from emtihan.policy import accounts as roles
from emtihan.policy import university as university_policy
from emtihan.university.models import Faculty

from . import assignments, selectors, services
from .forms import (
    CHOICE_KINDS,
    AccommodationForm,
    ExamSettingsForm,
    GraderAssignmentForm,
    ImportForm,
    PoolForm,
    ProctorAssignmentForm,
    QuestionForm,
    rows_from_post,
    rows_from_spec,
    spec_from_rows,
)
from .models import Accommodation, Exam, Question, QuestionKind, QuestionPool


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _exam(request: HttpRequest, exam_id: int) -> Exam:
    exam = selectors.exam_for_manager(_user(request), exam_id)
    if exam is None:
        raise Http404
    return exam


def _detail_url(exam: Exam, anchor: str = "") -> str:
    return reverse("exams:detail", args=[exam.pk]) + (f"#{anchor}" if anchor else "")


def _flash_warnings(request: HttpRequest, exam: Exam) -> None:
    for warning in services.exam_warnings(exam):
        messages.warning(request, warning)


# --- exams -----------------------------------------------------------------------------------


@login_required
def exam_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not roles.may_open_exam_pages(user):
        raise PermissionDenied
    return render(
        request,
        "exams/exam_list.html",
        {
            "exams": list(selectors.exams_for_manager(user)),
            "choices": selectors.choices_without_exam(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exam_create(request: HttpRequest, choice_id: int) -> HttpResponse:
    choice = selectors.choice_for_new_exam(_user(request), choice_id)
    if choice is None:
        raise Http404
    if request.method == "POST":
        form = ExamSettingsForm(request.POST)
        if form.is_valid():
            with service_errors(form) as call:
                exam = services.exam_create(actor=_user(request), choice=choice, **form.values())
            if call.ok:
                messages.success(request, _("The exam was created. Now add its questions."))
                _flash_warnings(request, exam)
                return redirect(_detail_url(exam))
    else:
        form = ExamSettingsForm(
            initial={
                "title": f"{choice.discipline.name} · {choice.group.code}",
                "duration_minutes": 90,
                "allow_formulas": True,
                "timeout_policy": "last_draft",
                "absence_cap_minutes": 20,
                "shuffle_questions": True,
                "shuffle_options": True,
                "proctoring": "off",
                "snapshot_interval_seconds": 20,
                "identity_check_attempts": 3,
                "proctoring_retention_days": 90,
            }
        )
    return render(request, "exams/exam_form.html", {"form": form, "choice": choice, "exam": None})


@login_required
def exam_detail(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = _exam(request, exam_id)
    detail = selectors.exam_detail(exam)
    return render(
        request,
        "exams/exam_detail.html",
        {
            "exam": exam,
            "detail": detail,
            "warnings": services.exam_warnings(exam),
            "problems": services.publish_problems(exam),
            "locked": services.lock_reason(exam, timezone.now()),
            "kinds": QuestionKind.choices,
            "pool_form": PoolForm(),
            "accommodation_form": AccommodationForm(students=detail.students),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exam_edit(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = _exam(request, exam_id)
    if request.method == "POST":
        form = ExamSettingsForm(request.POST)
        if form.is_valid():
            with service_errors(form) as call:
                exam = services.exam_update(actor=_user(request), exam=exam, **form.values())
            if call.ok:
                messages.success(request, _("The exam was saved."))
                _flash_warnings(request, exam)
                return redirect(_detail_url(exam))
    else:
        form = ExamSettingsForm(initial=services.exam_settings(exam))
    return render(
        request, "exams/exam_form.html", {"form": form, "choice": exam.choice, "exam": exam}
    )


@login_required
@require_POST
def exam_publish(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = _exam(request, exam_id)
    action = request.POST.get("action", "publish")
    with service_errors(request):
        if action == "unpublish":
            services.exam_unpublish(actor=_user(request), exam=exam)
            messages.success(request, _("The exam was withdrawn: students no longer see it."))
        else:
            services.exam_publish(actor=_user(request), exam=exam)
            messages.success(request, _("The exam was published to the group's students."))
    return redirect(_detail_url(exam))


@login_required
@require_http_methods(["GET", "POST"])
def exam_delete(request: HttpRequest, exam_id: int) -> HttpResponse:
    """ "Delete exam": a confirmation page (core/confirm.py), then the deletion."""
    exam = _exam(request, exam_id)
    if not confirmed(request):
        count = exam.questions.count()
        return confirmation_page(
            request,
            title=_("Delete the exam?"),
            question=ngettext(
                "Delete the exam “%(title)s” and its %(n)d question?",
                "Delete the exam “%(title)s” and its %(n)d questions?",
                count,
            )
            % {"title": exam.title, "n": count},
            consequences=_(
                "Its questions, pools and extra time are deleted with it. This cannot be undone."
            ),
            button=_("Delete the exam"),
            cancel_url=_detail_url(exam),
        )
    with service_errors(request) as call:
        services.exam_delete(actor=_user(request), exam=exam)
    if not call.ok:
        return redirect(_detail_url(exam))
    messages.success(request, _("The exam was deleted."))
    return redirect("exams:list")


# --- questions -------------------------------------------------------------------------------


def _question_page(
    request: HttpRequest,
    exam: Exam,
    form: QuestionForm,
    rows: list[dict],
    question: Question | None,
) -> HttpResponse:
    return render(
        request,
        "exams/question_form.html",
        {
            "exam": exam,
            "form": form,
            "question": question,
            "kind": form.question_kind,
            "rows": rows,
            "spec_errors": form.spec_errors,
            "is_choice": form.question_kind in CHOICE_KINDS,
            "QuestionKind": QuestionKind,
        },
    )


def _save_question(
    request: HttpRequest, exam: Exam, kind: str, question: Question | None
) -> HttpResponse:
    pools = list(exam.pools.all())
    if request.method == "GET":
        if question is None:
            initial: dict[str, Any] = {"kind": kind, "points": 1}
            rows = rows_from_spec(kind, {}, blank=4 if kind in CHOICE_KINDS else 3)
        else:
            initial = {
                "kind": question.kind,
                "name": question.name,
                "body": question.body,
                "points": question.points,
                "pool": question.pool_id,
                "order": question.order,
                "correct": "true" if (question.spec or {}).get("correct") else "false",
                "case_sensitive": (question.spec or {}).get("case_sensitive", False),
            }
            rows = rows_from_spec(kind, question.spec or {})
        form = QuestionForm(initial=initial, pools=pools, kind=kind)
        return _question_page(request, exam, form, rows, question)

    form = QuestionForm(request.POST, pools=pools, kind=kind)
    rows = rows_from_post(kind, request.POST)
    if form.is_valid():
        chosen_kind = form.cleaned_data["kind"]
        values = {
            "kind": chosen_kind,
            "body": form.cleaned_data["body"],
            "spec": spec_from_rows(chosen_kind, rows, form),
            "points": form.cleaned_data["points"],
            "name": form.cleaned_data["name"],
            "pool": form.chosen_pool(),
            "order": form.cleaned_data.get("order"),
        }
        with service_errors(form) as call:
            if question is None:
                services.question_create(actor=_user(request), exam=exam, **values)
                messages.success(request, _("The question was added."))
            else:
                services.question_update(actor=_user(request), question=question, **values)
                messages.success(request, _("The question was saved."))
        if call.ok:
            return redirect(_detail_url(exam, "questions"))
    blank = [{"id": "", "html": "", "fraction": "", "text": "", "value": "", "tolerance": ""}]
    return _question_page(request, exam, form, rows + blank * 2, question)


@login_required
@require_http_methods(["GET", "POST"])
def question_create(request: HttpRequest, exam_id: int, kind: str) -> HttpResponse:
    exam = _exam(request, exam_id)
    if kind not in QuestionKind.values:
        raise Http404
    return _save_question(request, exam, kind, None)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, exam_id: int, question_id: int) -> HttpResponse:
    exam = _exam(request, exam_id)
    question = get_object_or_404(Question, pk=question_id, exam=exam)
    return _save_question(request, exam, question.kind, question)


@login_required
@require_http_methods(["GET", "POST"])
def question_delete(request: HttpRequest, exam_id: int, question_id: int) -> HttpResponse:
    """A question's "Delete": a confirmation page quoting it, then the deletion."""
    exam = _exam(request, exam_id)
    question = get_object_or_404(Question, pk=question_id, exam=exam)
    if not confirmed(request):
        text = question.name or plain_text(question.body)
        return confirmation_page(
            request,
            title=_("Delete the question?"),
            question=_("Delete question %(position)d: “%(text)s”?")
            % {"position": question.order, "text": text[:160] + ("…" if len(text) > 160 else "")},
            consequences=_("This cannot be undone."),
            button=_("Delete the question"),
            cancel_url=_detail_url(exam, "questions"),
        )
    with service_errors(request) as call:
        services.question_delete(actor=_user(request), question=question)
    if call.ok:
        messages.success(request, _("The question was deleted."))
    return redirect(_detail_url(exam, "questions"))


# --- pools -----------------------------------------------------------------------------------


@login_required
@require_POST
def pool_create(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = _exam(request, exam_id)
    form = PoolForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_detail_url(exam, "pools"))
    with service_errors(request) as call:
        services.pool_create(actor=_user(request), exam=exam, **form.cleaned_data)
    if call.ok:
        messages.success(request, _("The pool was added. Add questions to it."))
    return redirect(_detail_url(exam, "pools"))


@login_required
@require_http_methods(["GET", "POST"])
def pool_edit(request: HttpRequest, exam_id: int, pool_id: int) -> HttpResponse:
    exam = _exam(request, exam_id)
    pool = get_object_or_404(QuestionPool, pk=pool_id, exam=exam)
    if request.method == "POST":
        form = PoolForm(request.POST)
        if form.is_valid():
            with service_errors(form) as call:
                services.pool_update(actor=_user(request), pool=pool, **form.cleaned_data)
            if call.ok:
                messages.success(request, _("The pool was saved."))
                return redirect(_detail_url(exam, "pools"))
    else:
        form = PoolForm(initial={"name": pool.name, "pick": pool.pick, "order": pool.order})
    return render(request, "exams/pool_form.html", {"exam": exam, "pool": pool, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def pool_delete(request: HttpRequest, exam_id: int, pool_id: int) -> HttpResponse:
    exam = _exam(request, exam_id)
    pool = get_object_or_404(QuestionPool, pk=pool_id, exam=exam)
    if not confirmed(request):
        return confirmation_page(
            request,
            title=_("Delete the pool?"),
            question=_("Delete the pool “%(name)s”?") % {"name": pool.name},
            consequences=_("This cannot be undone."),
            button=_("Delete the pool"),
            cancel_url=_detail_url(exam, "pools"),
        )
    with service_errors(request) as call:
        services.pool_delete(actor=_user(request), pool=pool)
    if call.ok:
        messages.success(request, _("The pool was deleted."))
    return redirect(_detail_url(exam, "pools"))


# --- accommodations --------------------------------------------------------------------------


@login_required
@require_POST
def accommodation_set(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = _exam(request, exam_id)
    students = selectors.exam_detail(exam).students
    form = AccommodationForm(request.POST, students=students)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_detail_url(exam, "accommodations"))
    student = next(s for s in students if s.pk == form.cleaned_data["student"])
    with service_errors(request) as call:
        services.accommodation_set(
            actor=_user(request),
            exam=exam,
            student=student,
            extra_minutes=form.cleaned_data["extra_minutes"],
            reason=form.cleaned_data["reason"],
        )
    if call.ok:
        messages.success(request, _("The extra time was saved."))
    return redirect(_detail_url(exam, "accommodations"))


@login_required
@require_http_methods(["GET", "POST"])
def accommodation_delete(request: HttpRequest, exam_id: int, accommodation_id: int) -> HttpResponse:
    exam = _exam(request, exam_id)
    accommodation = get_object_or_404(
        Accommodation.objects.select_related("student__user"), pk=accommodation_id, exam=exam
    )
    if not confirmed(request):
        return confirmation_page(
            request,
            title=_("Remove the extra time?"),
            question=_("Remove the extra time of %(student)s (%(minutes)s)?")
            % {
                "student": accommodation.student.user.get_full_name(),
                "minutes": minutes(accommodation.extra_minutes),
            },
            consequences=_("A sitting already started keeps its deadline."),
            button=_("Remove the extra time"),
            cancel_url=_detail_url(exam, "accommodations"),
        )
    with service_errors(request) as call:
        services.accommodation_delete(actor=_user(request), accommodation=accommodation)
    if call.ok:
        messages.success(request, _("The extra time was removed."))
    return redirect(_detail_url(exam, "accommodations"))


# --- import ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def questions_import(request: HttpRequest, exam_id: int) -> HttpResponse:
    """The upload form and this exam's recent imports; a file posted here is read at once
    or in the background, and the teacher is sent to its page either way."""
    exam = _exam(request, exam_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            job = services.question_import_start(
                actor=_user(request),
                exam=exam,
                file=form.cleaned_data["file"],
                fmt=form.cleaned_data["fmt"],
                encoding=form.cleaned_data["encoding"],
                pools_from_categories=form.cleaned_data["pools_from_categories"],
                language=request.LANGUAGE_CODE,
            )
        if not call.error:
            return redirect("exams:import_detail", exam_id=exam.pk, import_id=job.pk)
    return render(
        request,
        "exams/import.html",
        {"exam": exam, "form": form, "imports": selectors.question_imports(exam)},
    )


@login_required
@require_GET
def question_import_detail(request: HttpRequest, exam_id: int, import_id: int) -> HttpResponse:
    """One import: its progress, which the page polls (htmx) until it is done, then its
    report."""
    exam = _exam(request, exam_id)
    job = selectors.question_import(exam, import_id)
    if job is None:
        raise Http404
    context = {"exam": exam, "job": job, "result": selectors.question_import_result(job)}
    if request.headers.get("HX-Request"):
        return render(request, "exams/_import_progress.html", context)
    return render(request, "exams/import_detail.html", context)


# --- graders -----------------------------------------------------------------------------------


@login_required
@require_GET
def grader_home(request: HttpRequest) -> HttpResponse:
    """A grader's landing page: the exams they are assigned to. Marking itself opens here
    when grading is enabled; nothing on this page names a student."""
    if not roles.is_grader(_user(request)):
        raise PermissionDenied
    return render(
        request, "exams/grader_home.html", {"exams": selectors.exams_for_grader(_user(request))}
    )


# --- the registrar: proctor and grader assignments ---------------------------------------------


def _require_registrar(request: HttpRequest) -> None:
    if not university_policy.may_manage_assignments(_user(request)):
        raise PermissionDenied(_(assignments.ERR_NOT_REGISTRAR))


@login_required
@require_http_methods(["GET", "POST"])
def assignment_list(request: HttpRequest) -> HttpResponse:
    """Who proctors and grades which exam; POST adds a proctor or a grader."""
    _require_registrar(request)
    exams = assignments.assignable_exams()
    which = request.POST.get("form", "") if request.method == "POST" else ""
    proctor_form = ProctorAssignmentForm(
        request.POST if which == "proctor" else None,
        people=assignments.proctor_candidates(),
        exams=exams,
        faculties=Faculty.objects.order_by("code"),
    )
    grader_form = GraderAssignmentForm(
        request.POST if which == "grader" else None,
        people=assignments.grader_candidates(),
        exams=exams,
    )
    if which == "proctor" and proctor_form.is_valid():
        with service_errors(proctor_form) as call:
            assignments.proctor_assign(actor=_user(request), **proctor_form.cleaned_data)
        if call.ok:
            messages.success(request, _("The proctor was assigned."))
            return redirect("exams:assignments")
    elif which == "grader" and grader_form.is_valid():
        with service_errors(grader_form) as call:
            assignments.grader_assign(actor=_user(request), **grader_form.cleaned_data)
        if call.ok:
            messages.success(request, _("The grader was assigned."))
            return redirect("exams:assignments")
    return render(
        request,
        "exams/assignments.html",
        {
            "lists": assignments.assignment_lists(),
            "proctor_form": proctor_form,
            "grader_form": grader_form,
            "kinds": {
                "exam_proctor": assignments.EXAM_PROCTOR,
                "faculty_proctor": assignments.FACULTY_PROCTOR,
                "exam_grader": assignments.EXAM_GRADER,
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """ "Remove": a confirmation page (core/confirm.py), then the removal."""
    _require_registrar(request)
    with service_errors() as call:
        assignment = assignments.assignment_get(actor=_user(request), kind=kind, pk=pk)
    if not call.ok:
        raise Http404(call.message)
    if not confirmed(request):
        return confirmation_page(
            request,
            title=_("Remove the assignment?"),
            question=_("Remove the assignment “%(what)s”?") % {"what": assignment},
            consequences=_(
                "This person will no longer be assigned there. Decisions they have already "
                "made stay as they are."
            ),
            button=_("Remove"),
            cancel_url=reverse("exams:assignments"),
        )
    with service_errors(request) as call:
        assignments.assignment_remove(actor=_user(request), kind=kind, pk=pk)
    if call.ok:
        messages.success(request, _("The assignment was removed: %(what)s") % {"what": assignment})
    return redirect("exams:assignments")
