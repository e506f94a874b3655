"""Pages of the exam-form module: the teacher's list and dialog, the head's review, export.

Views parse the request, call one service or selector, and render; the rules live in
``services`` and ``rules``.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from emtihan.accounts.models import User
from emtihan.core.errors import DomainError
from emtihan.core.http import next_url
from emtihan.core.ids import parse_id, parse_whole
from emtihan.core.pages import service_errors
from emtihan.policy import accounts as roles
from emtihan.policy import examforms as policy
from emtihan.policy import university as university_policy
from emtihan.umkd.selectors import programme_versions_for
from emtihan.university.models import Department, Discipline, Faculty, StudyGroup

from . import exporting, selectors, services
from .forms import ChoiceDialogForm
from .models import ChoiceStatus, ExamFormChoice, Instruction


def _user(request: HttpRequest) -> User:
    """The logged-in user (every view here is behind login_required)."""
    return cast(User, request.user)


def _instructions(platform: str = ""):
    return Instruction.objects.filter(platform=platform).order_by("form", "order")


# --- teacher ---------------------------------------------------------------------------


@login_required
def teacher_list(request: HttpRequest) -> HttpResponse:
    if not roles.is_teacher(_user(request)):
        raise PermissionDenied
    period = services.current_period()
    rows = selectors.teacher_rows(user=_user(request), period=period)
    return render(
        request,
        "examforms/teacher_list.html",
        {
            "rows": rows,
            "period": period,
            "instructions": _instructions(""),
            "platform_instructions": Instruction.objects.exclude(platform=""),
        },
    )


def _dialog_context(
    discipline: Discipline, group: StudyGroup, form: ChoiceDialogForm | None, choice
):
    period = services.current_period()
    platform = form._value("platform") if form else ""
    return {
        "discipline": discipline,
        "group": group,
        "period": period,
        "choice": choice,
        "form": form,
        "student_count": group.students.filter(is_active=True).count(),
        "instructions": _instructions(platform) if platform else [],
        "transitions": choice.transitions.select_related("actor") if choice else [],
        "upload_url": _upload_url(discipline),
    }


def _upload_url(discipline: Discipline) -> str:
    base = reverse("umkd:discipline_materials", args=[discipline.pk])
    return f"{base}?{urlencode({'section': 'final_exam_programme', 'next': reverse('examforms:teacher_list')})}"


@login_required
@require_http_methods(["GET", "POST"])
def choice_edit(request: HttpRequest, discipline_id: int, group_id: int) -> HttpResponse:
    """The edit dialog: GET renders it (or, with ``fields=1``, just its fields after a
    drop-down changed); POST is "Send for review"."""
    discipline = get_object_or_404(
        Discipline.objects.select_related("department__faculty"), pk=discipline_id
    )
    group = get_object_or_404(StudyGroup, pk=group_id)
    period = services.current_period()
    if not policy.may_edit_choice(
        _user(request), discipline=discipline, group=group, period=period
    ):
        raise PermissionDenied(_(services.ERR_NOT_YOUR_DISCIPLINE))
    choice = ExamFormChoice.objects.filter(
        discipline=discipline, group=group, period=period
    ).first()
    rulebook = services.rulebook_for(discipline=discipline, period=period)
    programmes = list(programme_versions_for(discipline))
    fields_url = reverse("examforms:choice_edit", args=[discipline.pk, group.pk]) + "?fields=1"

    if request.method == "GET":
        if request.GET.get("fields"):
            form = ChoiceDialogForm(
                request.GET, rulebook=rulebook, programmes=programmes, fields_url=fields_url
            )
            return render(
                request,
                "examforms/_dialog_fields.html",
                _dialog_context(discipline, group, form, choice),
            )
        initial = {"revision": choice.revision if choice else ""}
        if choice:
            initial.update(
                platform=choice.platform,
                form=choice.form,
                exam_type=choice.exam_type,
                additional_info=choice.additional_info,
                programme=str(choice.programme_id or ""),
            )
        form = ChoiceDialogForm(
            initial=initial, rulebook=rulebook, programmes=programmes, fields_url=fields_url
        )
        return render(
            request, "examforms/_dialog.html", _dialog_context(discipline, group, form, choice)
        )

    form = ChoiceDialogForm(
        request.POST, rulebook=rulebook, programmes=programmes, fields_url=fields_url
    )
    with service_errors(form) as call:
        choice = services.choice_save(
            actor=_user(request),
            discipline=discipline,
            group=group,
            data=form.to_input(),
            submit=True,
            expected_revision=form.expected_revision(),
        )
    if call.ok:
        messages.success(
            request,
            _("%(discipline)s · %(group)s: sent for review.")
            % {"discipline": discipline.name, "group": group.code},
        )
        rows = selectors.teacher_rows(user=_user(request), period=period)
        response = render(
            request,
            "examforms/_saved.html",
            {"rows": rows, "selected": f"{discipline.pk}-{group.pk}"},
        )
        response["HX-Trigger"] = "emtihan:close-dialog"
        return response
    return render(
        request, "examforms/_dialog.html", _dialog_context(discipline, group, form, choice)
    )


# --- head of department ------------------------------------------------------------------


def _require_head(request: HttpRequest) -> None:
    if not university_policy.may_open_review(_user(request)):
        raise PermissionDenied


@login_required
def review(request: HttpRequest) -> HttpResponse:
    _require_head(request)
    period = services.current_period()
    all_rows = selectors.review_rows(head=_user(request), period=period)
    status = request.GET.get("status") or ""
    if status not in ChoiceStatus.values:
        status = ""
    rows = [r for r in all_rows if r.status == status] if status else all_rows
    return render(
        request,
        "examforms/review.html",
        {
            "rows": rows,
            "period": period,
            "status": status,
            "counts": selectors.status_counts(all_rows),
            "statuses": ChoiceStatus.choices,
            "total": len(all_rows),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_choice(request: HttpRequest, pk: int) -> HttpResponse:
    """The head's dialog for one choice: details, history, approve / return / reopen."""
    choice = get_object_or_404(
        ExamFormChoice.objects.select_related(
            "discipline__department", "group", "programme__material", "updated_by"
        ),
        pk=pk,
    )
    if not policy.may_review_choice(_user(request), choice):
        raise PermissionDenied(_(services.ERR_NOT_HEAD))
    error = ""
    comment = ""
    confirm: dict[str, object] | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        comment = request.POST.get("comment", "")
        revision = parse_whole(request.POST.get("revision") or "0")
        if revision is None:
            raise BadRequest("revision")
        # The number of attempts the head was warned about (the confirmation step).
        confirm_attempts = parse_whole(request.POST.get("confirm_attempts") or "-")
        with service_errors() as call:
            if action == "approve":
                services.choice_approve(
                    actor=_user(request), choice_id=pk, expected_revision=revision, comment=comment
                )
                messages.success(request, _("Approved: %(what)s") % {"what": _row_name(choice)})
            elif action == "return":
                services.choice_return(
                    actor=_user(request), choice_id=pk, expected_revision=revision,
                    comment=comment, confirm_attempts=confirm_attempts,
                )  # fmt: skip
                messages.success(
                    request, _("Returned to the teacher: %(what)s") % {"what": _row_name(choice)}
                )
            elif action == "reopen":
                services.choice_reopen(
                    actor=_user(request), choice_id=pk, comment=comment,
                    confirm_attempts=confirm_attempts,
                )  # fmt: skip
                messages.success(request, _("Reopened: %(what)s") % {"what": _row_name(choice)})
            else:
                raise DomainError(_("Unknown decision."))
        if call.ok:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        if isinstance(call.error, services.ConfirmationRequired):
            confirm = {"action": action, "message": call.message, "attempts": call.error.attempts}
        else:
            error = call.message
        choice.refresh_from_db()
    return render(
        request,
        "examforms/_review_dialog.html",
        {
            "choice": choice,
            "transitions": choice.transitions.select_related("actor"),
            "error": error,
            "comment": comment,
            "confirm": confirm,
        },
    )


def _row_name(choice: ExamFormChoice) -> str:
    return f"{choice.discipline.name} · {choice.group.code}"


@login_required
@require_POST
def review_bulk(request: HttpRequest) -> HttpResponse:
    _require_head(request)
    items = []
    for value in request.POST.getlist("selected"):
        raw_id, _sep, raw_revision = value.partition(":")
        choice_id, revision = parse_id(raw_id), parse_whole(raw_revision)
        if choice_id is None or revision is None:
            raise BadRequest("selected")  # the page sends "id:revision"; this was not it
        items.append((choice_id, revision))
    decision = request.POST.get("decision", "")
    comment = request.POST.get("comment", "")
    if not items:
        messages.warning(request, _("Select at least one row first."))
    else:
        with service_errors(request) as call:
            result = services.choices_bulk_decide(
                actor=_user(request), items=items, decision=decision, comment=comment
            )
        if call.ok:
            if result.done:
                messages.success(request, _("Choices decided: %(n)d.") % {"n": len(result.done)})
            names = {
                c.pk: _row_name(c)
                for c in ExamFormChoice.objects.filter(pk__in=result.failed).select_related(
                    "discipline", "group"
                )
            }
            for failed_id, reason in result.failed.items():
                messages.error(request, f"{names.get(failed_id, str(failed_id))}: {reason}")
    return redirect(next_url(request, reverse("examforms:review")))


# --- registrar: export -------------------------------------------------------------------


@login_required
def export(request: HttpRequest) -> HttpResponse:
    if not university_policy.may_open_export(_user(request)):
        raise PermissionDenied
    allowed = policy.export_scope(_user(request))
    scope = request.GET.get("scope", "")
    if scope:
        period = services.current_period()
        kind, _sep, ident = scope.partition(":")
        ident_id = parse_id(ident) or 0
        if not allowed.allows(kind, ident_id):
            raise PermissionDenied
        if kind == "department":
            rows = selectors.export_rows(period=period, department_ids=[ident_id])
            label = Department.objects.get(pk=ident_id).code
        elif kind == "faculty":
            rows = selectors.export_rows(period=period, faculty_id=ident_id)
            label = Faculty.objects.get(pk=ident_id).code
        else:
            rows = selectors.export_rows(period=period)
            label = "all"
        content = exporting.choices_xlsx(rows=rows, period=period)
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="exam-forms-{period.code}-{label}.xlsx"'
        )
        return response
    return render(
        request,
        "examforms/export.html",
        {
            "departments": allowed.departments,
            "faculties": allowed.faculties,
            "is_registrar": allowed.everything,
        },
    )
