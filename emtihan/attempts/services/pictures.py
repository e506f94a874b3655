"""Pictures in written answers: checked by their content, re-encoded without metadata."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import PermissionDeniedError, ValidationFailed

from ..models import Picture
from .presence import attempt_for_write
from .rules import (
    ERR_PICTURE_DIMENSIONS,
    ERR_PICTURE_FORMAT,
    ERR_PICTURE_LIMIT,
    ERR_PICTURE_REQUIRED,
    ERR_PICTURE_TOO_LARGE,
    ERR_PICTURES_NOT_ALLOWED,
)

PICTURE_MAX_BYTES = 5 * 1024 * 1024
PICTURE_MAX_SIDE = 4000  # pixels
PICTURE_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF"})
PICTURES_PER_ATTEMPT = 100


def picture_upload(
    *,
    attempt_id: int,
    student_user: User,
    file: UploadedFile | None,
    now: dt.datetime | None = None,
) -> Picture:
    """Store a picture for the student's written answers.

    The content decides, not the name or the declared type: Pillow must recognise a PNG,
    JPEG, WebP or GIF and verify it. The stored file is a re-encoding (JPEG stays JPEG,
    everything else becomes PNG; an animation keeps its first frame) with no metadata:
    no EXIF location, no camera serial, no payload appended after the image.
    """
    now = now or timezone.now()
    attempt = attempt_for_write(attempt_id=attempt_id, student_user=student_user, now=now)
    if not (attempt.exam.allow_pictures or attempt.exam.allow_drawings):
        raise PermissionDeniedError(_(ERR_PICTURES_NOT_ALLOWED))
    if file is None:
        raise ValidationFailed({"file": [_(ERR_PICTURE_REQUIRED)]})
    if (file.size or 0) > PICTURE_MAX_BYTES:
        raise ValidationFailed({"file": [_(ERR_PICTURE_TOO_LARGE)]})
    if Picture.objects.filter(attempt_id=attempt.pk).count() >= PICTURES_PER_ATTEMPT:
        raise ValidationFailed({"file": [_(ERR_PICTURE_LIMIT)]})
    data, content_type, width, height = _reencode(file)
    extension = "jpg" if content_type == "image/jpeg" else "png"
    name = default_storage.save(
        f"attempts/{attempt.pk}/pictures/{uuid.uuid4().hex}.{extension}", ContentFile(data)
    )
    digest = hashlib.sha256(data).hexdigest()
    try:
        with transaction.atomic():
            picture = Picture.objects.create(
                attempt_id=attempt.pk,
                file=name,
                content_type=content_type,
                width=width,
                height=height,
                size=len(data),
                sha256=digest,
                uploaded_at=now,
            )
            audit_record(
                actor=student_user,
                action="attempt.picture_upload",
                obj=attempt,
                data={"picture_id": picture.pk, "sha256": digest, "size": len(data)},
            )
    except Exception:
        default_storage.delete(name)
        raise
    return picture


def _reencode(file: UploadedFile) -> tuple[bytes, str, int, int]:
    invalid = ValidationFailed({"file": [_(ERR_PICTURE_FORMAT)]})
    try:
        file.seek(0)
        with Image.open(file) as probe:
            if probe.format not in PICTURE_FORMATS:
                raise invalid
            if probe.width > PICTURE_MAX_SIDE or probe.height > PICTURE_MAX_SIDE:
                raise ValidationFailed({"file": [_(ERR_PICTURE_DIMENSIONS)]})
            probe.verify()
        file.seek(0)
        with Image.open(file) as opened:
            source_format = opened.format
            opened.seek(0)
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except ValidationFailed:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise invalid from exc
    out = io.BytesIO()
    if source_format == "JPEG":
        image.convert("RGB").save(out, format="JPEG", quality=90)
        content_type = "image/jpeg"
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            has_alpha = (
                image.mode in ("P", "PA") and "transparency" in image.info or "A" in image.mode
            )
            image = image.convert("RGBA" if has_alpha else "RGB")
        image.save(out, format="PNG")
        content_type = "image/png"
    return out.getvalue(), content_type, image.width, image.height
