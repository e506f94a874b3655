"""UMKD pages: the teacher's disciplines, one discipline's materials, downloads.

Views parse the request, call one service or selector, and render; who may do what is
decided by ``emtihan.policy.umkd`` (services ask it before writing).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from emtihan.core import http
from emtihan.core.errors import ValidationFailed
from emtihan.core.pages import service_errors
from emtihan.policy import umkd as policy
from emtihan.university.models import Discipline

from . import selectors, services
from .forms import MaterialUploadForm
from .models import DocumentType, Material, MaterialVersion, Section

CONTENT_TYPES: dict[str, str] = {
    DocumentType.PDF: "application/pdf",
    DocumentType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentType.ODT: "application/vnd.oasis.opendocument.text",
}


@login_required
@require_GET
def my_disciplines(request: HttpRequest) -> HttpResponse:
    disciplines = selectors.disciplines_for_teacher(request.user)
    return render(request, "umkd/my_disciplines.html", {"disciplines": disciplines})


@login_required
@require_http_methods(["GET", "POST"])
def discipline_materials(request: HttpRequest, discipline_id: int) -> HttpResponse:
    """The discipline's UMKD by section; POST uploads a material or a new version."""
    discipline = get_object_or_404(
        Discipline.objects.select_related("department"), pk=discipline_id
    )
    if not policy.may_view_materials(request.user, discipline):
        raise PermissionDenied
    can_upload = policy.may_upload_material(request.user, discipline)
    next_url = http.next_url(request)
    section = request.GET.get("section", "")
    initial = {"section": section if section in Section.values else "", "next": next_url}
    form = MaterialUploadForm(initial=initial)
    version_form: MaterialUploadForm | None = None

    if request.method == "POST":
        if not can_upload:
            raise PermissionDenied
        bound = MaterialUploadForm(request.POST, request.FILES)
        if bound.is_valid():
            material_id = bound.cleaned_data["material"]
            # A new version is posted from a row of the list; its errors are shown there.
            if material_id:
                version_form = bound
            else:
                form = bound
            with service_errors(bound) as call:
                version = services.material_upload(
                    actor=request.user,
                    discipline=discipline,
                    section=bound.cleaned_data["section"] or None,
                    file=bound.cleaned_data["file"],
                    title=bound.cleaned_data["title"],
                    material=_material_or_none(material_id),
                )
            if call.ok:
                messages.success(
                    request,
                    _("Uploaded “%(title)s”, version %(number)s.")
                    % {"title": version.material.title, "number": version.number},
                )
                return redirect(next_url or request.path)
        else:
            form = bound

    materials = list(selectors.materials_for_discipline(discipline))
    version_form_material = version_form.cleaned_data.get("material") if version_form else None
    if version_form and version_form_material not in {m.pk for m in materials}:
        # Not a row of this page (a stale or edited form): show its errors at the top.
        form, version_form, version_form_material = version_form, None, None

    return render(
        request,
        "umkd/discipline_materials.html",
        {
            "discipline": discipline,
            "sections": _by_section(materials),
            "can_upload": can_upload,
            "form": form,
            "version_form": version_form,
            "version_form_material": version_form_material,
            "next_url": next_url,
            # Coming from the exam-form dialog (or back with errors): the form comes first.
            "upload_first": bool(initial["section"]) or form.is_bound,
            "programme_section": Section.FINAL_EXAM_PROGRAMME,
        },
    )


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> FileResponse:
    version = get_object_or_404(
        MaterialVersion.objects.select_related("material__discipline__department"), pk=pk
    )
    if not policy.may_view_materials(request.user, version.material.discipline):
        raise PermissionDenied
    try:
        handle = version.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file of this version is missing from storage.")) from exc
    # Always an attachment: the browser saves the document instead of rendering
    # uploaded content on our origin.
    return FileResponse(
        handle,
        as_attachment=True,
        filename=version.original_name,
        content_type=CONTENT_TYPES.get(version.document_type, "application/octet-stream"),
    )


def _material_or_none(material_id: int | None) -> Material | None:
    if not material_id:
        return None
    material = Material.objects.filter(pk=material_id).first()
    if material is None:
        raise ValidationFailed({"material": [_("This material does not exist.")]})
    return material


def _by_section(materials: list[Material]) -> list[dict]:
    grouped: dict[str, list[Material]] = {value: [] for value in Section.values}
    for material in materials:
        grouped.setdefault(material.section, []).append(material)
    return [
        {"value": value, "label": label, "materials": grouped[value]}
        for value, label in Section.choices
    ]
