"""Pictures inlined in question HTML (``data:`` URLs): from the teacher's editor, the API
and Moodle XML imports. Every student's browser decodes them at 9:00, so they are bounded
by their bytes and by their pixels.

A picture's bytes say little about its cost: a 42 KB PNG of 16000 x 16000 pixels decodes
to 1 GB in the browser (4 bytes a pixel). So the dimensions are read from the file's
header, without decoding the pixels (Pillow's format plugins parse the header only, and
no decompression-bomb limit is needed because nothing is decompressed), and checked:

- ``MAX_PICTURE_BYTES`` as stored (2 MB);
- at most ``MAX_PICTURE_SIDE`` pixels on a side and ``MAX_PICTURE_PIXELS`` in all (about
  32 MB decoded): a phone photo of 8 megapixels passes, a poster-sized scan does not;
- an animation (GIF, WebP, APNG) at most ``MAX_ANIMATION_PIXELS`` over all its frames.

The student's own answer pictures are bounded where they are uploaded
(``attempts.services.pictures``: 5 MB, 4000 pixels a side, re-encoded).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_PICTURE_BYTES = 2 * 1024 * 1024
MAX_PICTURE_SIDE = 8192
MAX_PICTURE_PIXELS = 8_000_000
MAX_ANIMATION_PIXELS = 4 * MAX_PICTURE_PIXELS

# What the sanitiser keeps of an inlined picture (``core.sanitize.DATA_PICTURE``).
DATA_PICTURE_SRC = re.compile(r'src="data:(image/[a-z]+);base64,([A-Za-z0-9+/]*={0,2})"')

# ``PictureProblem.code``
NOT_A_PICTURE = "not_a_picture"
TOO_MANY_BYTES = "too_many_bytes"
TOO_MANY_PIXELS = "too_many_pixels"

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True)
class PictureProblem:
    """Why a picture is refused; the size is known for ``TOO_MANY_PIXELS``."""

    code: str
    width: int = 0
    height: int = 0
    frames: int = 1


def picture_type(content: bytes) -> str | None:
    """The picture's type by its first bytes: PNG, JPEG, GIF or WebP, else ``None``."""
    for magic, mime in _MAGIC:
        if content.startswith(magic):
            return mime
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def _header(content: bytes, mime: str) -> tuple[int, int, int]:
    """``(width, height, frames)`` from the header (no pixel is decoded)."""
    from PIL import GifImagePlugin, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

    plugins = {
        "image/png": PngImagePlugin.PngImageFile,
        "image/jpeg": JpegImagePlugin.JpegImageFile,
        "image/gif": GifImagePlugin.GifImageFile,
        "image/webp": WebPImagePlugin.WebPImageFile,
    }
    with plugins[mime](io.BytesIO(content)) as image:
        width, height = image.size
        frames = getattr(image, "n_frames", 1)
    return width, height, frames


def picture_problem(content: bytes, declared: str | None = None) -> PictureProblem | None:
    """``None`` for a picture that may be shown; else what is wrong. ``declared``: the
    type a ``data:`` URL claims, which the bytes must match."""
    mime = picture_type(content)
    if mime is None or (declared is not None and declared != mime):
        return PictureProblem(NOT_A_PICTURE)
    if len(content) > MAX_PICTURE_BYTES:
        return PictureProblem(TOO_MANY_BYTES)
    try:
        width, height, frames = _header(content, mime)
    except Exception:  # Pillow raises many kinds for a damaged header
        return PictureProblem(NOT_A_PICTURE)
    if width < 1 or height < 1:
        return PictureProblem(NOT_A_PICTURE)
    if (
        width > MAX_PICTURE_SIDE
        or height > MAX_PICTURE_SIDE
        or width * height > MAX_PICTURE_PIXELS
        or width * height * frames > MAX_ANIMATION_PIXELS
    ):
        return PictureProblem(TOO_MANY_PIXELS, width, height, frames)
    return None


def inlined_picture_problems(html: str) -> Iterator[tuple[int, PictureProblem]]:
    """``(n, problem)`` for each refused ``data:`` picture of sanitised ``html``,
    numbered from 1 in the order they appear."""
    for n, match in enumerate(DATA_PICTURE_SRC.finditer(html), start=1):
        try:
            content = base64.b64decode(match.group(2), validate=True)
        except (binascii.Error, ValueError):
            content = b""
        problem = picture_problem(content, declared=match.group(1))
        if problem is not None:
            yield n, problem
