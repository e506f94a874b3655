"""The registrar's registry-import pages: upload, then watch the job and read its report.

Views parse the request, call one service (``services``) and render; the import itself
runs in a background task (``tasks.registry_import_job``).
"""

from __future__ import annotations

import zipfile
from typing import cast

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from emtihan.accounts.models import User
from emtihan.policy import university as policy

from . import importing, services
from .models import ImportJob, ImportStatus


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xlsx,.csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[UploadedFile]:
        single_file_clean = super().clean
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            single_file_clean(None, initial)  # "This field is required."
            return []
        return [single_file_clean(f, initial) for f in files]


class ImportUploadForm(forms.Form):
    uploads = MultipleFileField(
        label=gettext_lazy("Registry files"),
        help_text=gettext_lazy(
            "One XLSX workbook with sheets named faculties, departments, disciplines, groups, students, "
            "teachers, assignments; or CSV files named after their kind (students.csv)."
        ),
    )
    photos = forms.FileField(
        label=gettext_lazy("Student photos (ZIP, optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".zip"}),
        help_text=gettext_lazy("The photos named in the students' photo column."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("What the CSV files hold"),
        required=False,
        choices=[("", gettext_lazy("Taken from each file's name"))]
        + list(importing.KIND_LABELS.items()),
    )
    partial = forms.BooleanField(
        label=gettext_lazy("Import the good rows even if some rows are bad"),
        required=False,
        help_text=gettext_lazy(
            "Without this, one bad row stops the whole import and nothing is written."
        ),
    )

    def clean_uploads(self) -> list[UploadedFile]:
        files = self.cleaned_data["uploads"]
        for f in files:
            _check_size(f)
            try:
                importing.detect_format(f.name, _head(f))
            except importing.ImportFormatError as exc:
                raise forms.ValidationError(f"{f.name}: {exc.message}") from exc
        return files

    def clean_photos(self) -> UploadedFile | None:
        photos = self.cleaned_data.get("photos")
        if photos:
            _check_size(photos)
            if not zipfile.is_zipfile(photos):
                raise forms.ValidationError(
                    _("%(name)s is not a ZIP file.") % {"name": photos.name}
                )
            photos.seek(0)
        return photos


def _head(f: UploadedFile) -> bytes:
    head = f.read(4096)
    f.seek(0)
    return head


def _check_size(f: UploadedFile) -> None:
    limit = settings.REGISTRY_MAX_UPLOAD_BYTES
    if f.size and f.size > limit:
        raise forms.ValidationError(
            _("%(name)s is larger than %(limit)s.")
            % {"name": f.name, "limit": filesizeformat(limit)}
        )


def _require_registrar(request: HttpRequest) -> None:
    if not policy.may_import_registry(request.user):
        raise PermissionDenied(_(services.ERR_NOT_REGISTRAR))


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    """The upload form and the latest imports."""
    _require_registrar(request)
    form = (
        ImportUploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else ImportUploadForm()
    )
    if form.is_valid():
        job = services.import_job_create(
            actor=cast(User, request.user),
            files=form.cleaned_data["uploads"],
            photos=form.cleaned_data["photos"],
            partial=form.cleaned_data["partial"],
            kind=form.cleaned_data["kind"],
            language=get_language() or "",
        )
        return redirect("university:import_detail", job_id=job.pk)
    jobs = ImportJob.objects.select_related("created_by")[:50]
    return render(
        request, "university/import_list.html", {"form": form, "rows": [_job_row(j) for j in jobs]}
    )


@login_required
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """One import: a progress bar the page polls (htmx) until it is done, then the report."""
    _require_registrar(request)
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=job_id)
    context = _detail_context(job)
    if request.headers.get("HX-Request"):
        return render(request, "university/_import_progress.html", context)
    return render(request, "university/import_detail.html", context)


@login_required
@require_POST
def import_rerun(request: HttpRequest, job_id: int) -> HttpResponse:
    """The same files again, e.g. after the missing academic period was created."""
    _require_registrar(request)
    job = get_object_or_404(ImportJob, pk=job_id)
    new = services.import_job_rerun(job=job, actor=cast(User, request.user))
    return redirect("university:import_detail", job_id=new.pk)


# Colours of the existing status badges (app.css): grey, blue, green, orange.
_STATUS_CSS: dict[str, str] = {
    ImportStatus.QUEUED: "draft",
    ImportStatus.RUNNING: "submitted",
    ImportStatus.FAILED: "returned",
}


def _job_row(job: ImportJob) -> dict:
    report = importing.ImportReport.from_dict(job.report) if job.report else None
    if job.status == ImportStatus.DONE and report is not None:
        css = "approved" if report.applied else "returned"
        label = _("Imported") if report.applied else _("Nothing imported")
    else:
        css, label = _STATUS_CSS.get(job.status, "draft"), job.get_status_display()
    return {"job": job, "report": report, "css": css, "label": label}


def _detail_context(job: ImportJob) -> dict:
    report = importing.ImportReport.from_dict(job.report) if job.report else None
    rows = (
        [(importing.KIND_LABELS[kind], counts) for kind, counts in report.counts.items()]
        if report
        else []
    )
    return {
        "job": job,
        "report": report,
        "count_rows": rows,
        "stage_label": importing.STAGE_LABELS.get(job.stage, ""),
    }
