"""Writes of UMKD: uploading a material or a new version of one.

Called by both the HTML views and the JSON API, so the rules are the same whichever
door a request comes through. Every check runs before anything is written; the write is
one transaction, and a stored file whose rows did not commit is deleted again.
"""

from __future__ import annotations

import hashlib
import logging
import math
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from emtihan.audit.services import audit_record
from emtihan.core.errors import PermissionDeniedError, ValidationFailed
from emtihan.policy import umkd as policy
from emtihan.university.models import Discipline

from . import sniffing
from .models import Material, MaterialVersion, Section

logger = logging.getLogger(__name__)

# Error messages are module constants so tests can assert on them; gettext_noop marks
# them for extraction and they are translated where they are raised.
ERR_NOT_YOUR_DISCIPLINE = gettext_noop(
    "You can upload materials only for disciplines you teach in the current period."
)
ERR_SECTION_UNKNOWN = gettext_noop("Choose a UMKD section.")
ERR_SECTION_MISMATCH = gettext_noop("A new version goes into the section of its material.")
ERR_MATERIAL_OTHER_DISCIPLINE = gettext_noop("This material belongs to another discipline.")
ERR_FILE_REQUIRED = gettext_noop("Choose a file to upload.")
ERR_FILE_EMPTY = gettext_noop("The file is empty.")
ERR_FILE_TOO_LARGE = gettext_noop("The file is %(size)s MB; the limit is %(limit)s MB.")
ERR_FILE_TYPE = gettext_noop(
    "The file is not a PDF, DOCX or ODT document (its content is %(looks_like)s)."
)

# What a refused file looks like, in words (``sniffing`` codes -> messages).
LOOKS_LIKE = {
    sniffing.UNKNOWN: gettext_noop("unknown"),
    sniffing.ZIP: gettext_noop("a ZIP archive"),
    sniffing.CORRUPT_ZIP: gettext_noop("a damaged or incomplete ZIP-based file"),
    sniffing.DOCM: gettext_noop("a Word document with macros (DOCM)"),
    sniffing.XLSX: gettext_noop("an Excel spreadsheet (XLSX)"),
    sniffing.PPTX: gettext_noop("a PowerPoint presentation (PPTX)"),
    sniffing.ODS: gettext_noop("an OpenDocument spreadsheet (ODS)"),
    sniffing.ODP: gettext_noop("an OpenDocument presentation (ODP)"),
    sniffing.OPENDOCUMENT: gettext_noop("an OpenDocument file that is not a text document"),
    sniffing.OLE: gettext_noop("an old Microsoft Office file (DOC/XLS): save it as DOCX or PDF"),
    sniffing.RTF: gettext_noop("RTF: save it as DOCX or PDF"),
    sniffing.HTML: gettext_noop("a web page (HTML)"),
    sniffing.XML: gettext_noop("XML"),
    sniffing.EXECUTABLE: gettext_noop("a program"),
    sniffing.PNG: gettext_noop("an image (PNG)"),
    sniffing.JPEG: gettext_noop("an image (JPEG)"),
    sniffing.GIF: gettext_noop("an image (GIF)"),
}

# Why a file of an accepted type was refused (``sniffing`` defect codes -> messages).
DEFECTS = {
    sniffing.DAMAGED: gettext_noop(
        "The document is damaged or incomplete: open it in the program that made it, save it again and upload the new file."
    ),
    sniffing.ENCRYPTED: gettext_noop(
        "The document is protected by a password or encrypted: save it without a password or restrictions and upload it again."
    ),
    sniffing.TOO_MANY_PAGES: gettext_noop(
        "The PDF has more than %(pages)d pages: split it into several materials."
    ),
    sniffing.TOO_COMPLEX: gettext_noop(
        "The PDF is too complex to check (more than %(objects)d objects or %(revisions)d revisions): print it to a new PDF and upload that."
    ),
    sniffing.HTML_INSIDE: gettext_noop(
        "The PDF also carries a web page (HTML) at its start or end, which programs that write PDFs never do: it is refused for safety. Save the PDF again from the program that made it."
    ),
    sniffing.TOO_MANY_ENTRIES: gettext_noop(
        "The document is made of more than %(entries)d files inside it, far more than any DOCX or ODT document: it is refused."
    ),
    sniffing.UNPACKS_TOO_BIG: gettext_noop(
        "The document unpacks to more than %(unpacked)d MB: make its pictures smaller or split it into several materials."
    ),
    sniffing.ZIP_BOMB: gettext_noop(
        "A part of the document is compressed more than %(ratio)d times, which only files made to fill a server's memory are: it is refused."
    ),
}
DEFECT_LIMITS = {
    "pages": sniffing.pdf_check.MAX_PAGES,
    "objects": sniffing.pdf_check.MAX_OBJECTS,
    "revisions": sniffing.pdf_check.MAX_REVISIONS,
    "entries": sniffing.MAX_ZIP_ENTRIES,
    "unpacked": sniffing.MAX_UNPACKED_BYTES >> 20,
    "ratio": sniffing.MAX_RATIO,
}

_HASH_CHUNK = 1024 * 1024


def material_upload(
    *,
    actor: Any,
    discipline: Discipline,
    section: str | None,
    file: UploadedFile | None,
    title: str | None = None,
    material: Material | None = None,
) -> MaterialVersion:
    """Store ``file`` as a new material of ``discipline`` in ``section``, or, when
    ``material`` is given, as its next version (``section`` may then be omitted; the
    material keeps its title).

    Raises ``PermissionDeniedError`` if ``actor`` may not upload here and
    ``ValidationFailed`` (field -> messages) for bad input; nothing is written then.
    """
    if not policy.may_upload_material(actor, discipline):
        raise PermissionDeniedError(_(ERR_NOT_YOUR_DISCIPLINE))

    errors: dict[str, list[str]] = {}
    if material is not None:
        if material.discipline_id != discipline.pk:
            errors.setdefault("material", []).append(_(ERR_MATERIAL_OTHER_DISCIPLINE))
        elif section and section != material.section:
            errors.setdefault("section", []).append(_(ERR_SECTION_MISMATCH))
    elif section not in Section.values:
        errors.setdefault("section", []).append(_(ERR_SECTION_UNKNOWN))

    file_error, document_type = _check_file(file)
    if file_error:
        errors.setdefault("file", []).append(file_error)
    # ``_check_file`` reports a missing file, so the last two tests only narrow the types.
    if errors or file is None or document_type is None:
        raise ValidationFailed(errors)
    section = material.section if material is not None else str(section)
    size = file.size or 0

    original_name = PurePath(file.name or "").name[:255] or f"document.{document_type}"
    digest = _sha256(file)
    title = (title or "").strip()[:255] or PurePath(original_name).stem[:255] or original_name

    stored_name = ""
    try:
        with transaction.atomic():
            if material is None:
                material = Material.objects.create(
                    discipline=discipline, section=section, title=title, created_by=actor
                )
            else:
                # Lock the material so two uploads of a new version at the same moment
                # get numbers N+1 and N+2 instead of both trying N+1.
                material = (
                    Material.objects.select_for_update(of=("self",))
                    .select_related("discipline")
                    .get(pk=material.pk)
                )
            last = material.versions.aggregate(n=Max("number"))["n"] or 0
            version = MaterialVersion(
                material=material,
                number=last + 1,
                original_name=original_name,
                document_type=document_type,
                size=size,
                sha256=digest,
                uploaded_by=actor,
            )
            file.seek(0)
            version.file.save(original_name, file, save=False)
            stored_name = version.file.name
            version.save()
            audit_record(
                actor=actor,
                action="umkd.upload",
                obj=version,
                data={
                    "discipline": discipline.code,
                    "section": material.section,
                    "material": material.pk,
                    "title": material.title,
                    "number": version.number,
                    "original_name": original_name,
                    "document_type": document_type,
                    "size": version.size,
                    "sha256": digest,
                },
            )
    except BaseException:
        # The rows rolled back; the file must not outlive them.
        if stored_name:
            _delete_quietly(version.file.storage, stored_name)
        raise
    return version


def _check_file(file: UploadedFile | None) -> tuple[str | None, str | None]:
    """(error message, None) or (None, accepted document type)."""
    if file is None:
        return _(ERR_FILE_REQUIRED), None
    if not file.size:
        return _(ERR_FILE_EMPTY), None
    limit = settings.UMKD_MAX_UPLOAD_BYTES
    if file.size > limit:
        return _(ERR_FILE_TOO_LARGE) % {
            "size": format_megabytes(file.size),
            "limit": format_megabytes(limit),
        }, None
    verdict = sniffing.sniff_document(file)
    if verdict.defect:
        return _(DEFECTS[verdict.defect]) % DEFECT_LIMITS, None
    if not verdict.accepted:
        looks_like = _(LOOKS_LIKE.get(verdict.looks_like, LOOKS_LIKE[sniffing.UNKNOWN]))
        return _(ERR_FILE_TYPE) % {"looks_like": looks_like}, None
    return None, verdict.document_type


def format_megabytes(size: int) -> str:
    # Rounded up to 0.1 MB, so a file just over the limit never reads as equal to it.
    tenths = math.ceil(size * 10 / (1024 * 1024))
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths / 10:.1f}"


def _sha256(file: UploadedFile) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    for chunk in file.chunks(_HASH_CHUNK):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _delete_quietly(storage: Any, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # the original error matters more than a cleanup failure
        logger.exception("Could not delete orphaned UMKD file %s", name)
