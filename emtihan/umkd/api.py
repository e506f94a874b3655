"""UMKD over JSON: list a discipline's materials and programmes, upload a document.

Handlers are thin: they call the same selectors and service as the HTML views, so the
permissions and messages are identical. One input/output schema per operation.
"""

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from emtihan.core.api import ApiDomainError, Id, error_responses, limit, raise_as_http
from emtihan.policy import umkd as policy
from emtihan.university.models import Discipline

from . import selectors, services
from .models import Material, MaterialVersion, Section

router = Router(tags=["umkd"])

ERR_NOT_ALLOWED = gettext_noop("You cannot see this discipline's UMKD.")
ERR_NO_MATERIAL = gettext_noop("This material does not exist.")


class _VersionFields(Schema):
    id: int
    number: int
    original_name: str
    document_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str
    download_url: str

    @staticmethod
    def resolve_uploaded_by(obj: MaterialVersion) -> str:
        return str(obj.uploaded_by)

    @staticmethod
    def resolve_download_url(obj: MaterialVersion) -> str:
        return reverse("umkd:download", args=[obj.pk])


# --- GET /disciplines/{id}/materials ---------------------------------------------------


class MaterialListVersionOut(_VersionFields):
    pass


class MaterialListOut(Schema):
    id: int
    section: str
    title: str
    created_at: datetime
    versions: list[MaterialListVersionOut]

    @staticmethod
    def resolve_versions(obj: Material) -> list[MaterialVersion]:
        return list(obj.versions.all())


@router.get(
    "/disciplines/{discipline_id}/materials",
    response={200: list[MaterialListOut], **error_responses},
    summary="Materials of a discipline, by section, with all versions (newest first)",
)
def materials_list(request: HttpRequest, discipline_id: Id):
    discipline = _viewable_discipline(request, discipline_id)
    return Status(200, list(selectors.materials_for_discipline(discipline)))


# --- POST /disciplines/{id}/materials --------------------------------------------------


class MaterialUploadIn(Schema):
    # Required for a new material; a new version (material_id) keeps its material's.
    section: Annotated[str, limit(enum=["", *Section.values])] = ""
    title: str = ""
    material_id: Id | None = None


class MaterialUploadOut(_VersionFields):
    material_id: int
    material_title: str
    section: str

    @staticmethod
    def resolve_material_title(obj: MaterialVersion) -> str:
        return obj.material.title

    @staticmethod
    def resolve_section(obj: MaterialVersion) -> str:
        return obj.material.section


@router.post(
    "/disciplines/{discipline_id}/materials",
    response={201: MaterialUploadOut, **error_responses},
    summary="Upload a document (multipart): a new material, or with material_id a new version of one",
)
def material_upload(
    request: HttpRequest,
    discipline_id: Id,
    data: Form[MaterialUploadIn],
    file: File[UploadedFile] = None,  # type: ignore[assignment]  # the service reports a missing file as 400
):
    discipline = _discipline(discipline_id)
    material = None
    if data.material_id is not None:
        # Refuse outsiders before telling them whether a material id exists.
        if not policy.may_upload_material(request.user, discipline):
            raise ApiDomainError(403, _(services.ERR_NOT_YOUR_DISCIPLINE))
        material = Material.objects.filter(pk=data.material_id).first()
        if material is None:
            raise ApiDomainError(400, _(ERR_NO_MATERIAL), {"material_id": [_(ERR_NO_MATERIAL)]})
    try:
        version = raise_as_http(
            services.material_upload,
            actor=request.user,
            discipline=discipline,
            section=data.section or None,
            file=file,
            title=data.title,
            material=material,
        )
    except ApiDomainError as exc:
        # The service names the field "material"; this API's input calls it material_id.
        if "material" in exc.errors:
            exc.errors["material_id"] = exc.errors.pop("material")
        raise
    return Status(201, version)


# --- GET /disciplines/{id}/programmes --------------------------------------------------


class ProgrammeOut(_VersionFields):
    material_id: int
    title: str

    @staticmethod
    def resolve_title(obj: MaterialVersion) -> str:
        return obj.material.title


@router.get(
    "/disciplines/{discipline_id}/programmes",
    response={200: list[ProgrammeOut], **error_responses},
    summary="The latest version of each final-exam programme of a discipline, newest first",
)
def programmes_list(request: HttpRequest, discipline_id: Id):
    discipline = _viewable_discipline(request, discipline_id)
    return Status(
        200, list(selectors.programme_versions_for(discipline).select_related("uploaded_by"))
    )


def _discipline(discipline_id: int) -> Discipline:
    return get_object_or_404(Discipline.objects.select_related("department"), pk=discipline_id)


def _viewable_discipline(request: HttpRequest, discipline_id: int) -> Discipline:
    discipline = _discipline(discipline_id)
    if not policy.may_view_materials(request.user, discipline):
        raise ApiDomainError(403, _(ERR_NOT_ALLOWED))
    return discipline
