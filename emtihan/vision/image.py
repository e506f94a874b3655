"""Decoding untrusted image bytes (snapshots, photos on file) with bounds on bytes and pixels.

The header is read first (Pillow reads only the header when opening) and checked before a
single pixel is decoded, so a decompression bomb (a small file that claims 60,000 x 60,000
pixels) is refused in well under a millisecond. Progressive JPEGs are refused when they
have an absurd number of scans: libjpeg passes over the whole image once per scan, so a
crafted file with thousands of tiny scans would take seconds per megapixel.
"""

from __future__ import annotations

import io
import warnings

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from .errors import (
    NOT_AN_IMAGE,
    TOO_MANY_BYTES,
    TOO_MANY_PIXELS,
    TOO_MANY_SCANS,
    TRUNCATED_OR_CORRUPT,
    UNSUPPORTED_FORMAT,
    ImageRejected,
)

BGRImage = npt.NDArray[np.uint8]
"""An image as OpenCV holds it: height x width x 3, uint8, channels blue-green-red."""

# Defaults fit a photo on file (a phone photo is 12 Mpx, 3-6 MB). Snapshots are 640x480
# JPEGs of 30-60 KB: the proctoring app passes SNAPSHOT_* limits for them.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 4096 * 4096
SNAPSHOT_MAX_BYTES = 1024 * 1024
SNAPSHOT_MAX_PIXELS = 1280 * 960

FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
# Browsers and cameras write baseline JPEGs (1 scan) or progressive ones with about 10.
MAX_JPEG_SCANS = 64
_SOS = b"\xff\xda"  # start-of-scan marker: cannot occur inside entropy-coded data


def _looks_like_image(data: bytes) -> bool:
    """Starts as a JPEG, PNG or WebP does (then a failure to open means damage)."""
    return (
        data.startswith(b"\xff\xd8\xff")
        or data.startswith(b"\x89PNG\r\n\x1a\n")
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    )


def decode(
    data: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> BGRImage:
    """Decode a JPEG, PNG or WebP into a BGR array, or raise ``ImageRejected``.

    The EXIF orientation is applied (a phone photo taken upright comes out upright).
    Time and memory are bounded by ``max_bytes`` and ``max_pixels``: nothing larger is
    decoded.
    """
    if len(data) > max_bytes:
        raise ImageRejected(TOO_MANY_BYTES, f"{len(data)} bytes > {max_bytes}")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard warns (or raises) for > 89 Mpx; ours is tighter,
            # so either signal means the same thing here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as header:
                fmt, (width, height) = header.format, header.size
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageRejected(TOO_MANY_PIXELS, str(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        reason = TRUNCATED_OR_CORRUPT if _looks_like_image(data) else NOT_AN_IMAGE
        raise ImageRejected(reason, str(exc)) from exc
    if fmt not in FORMATS:
        raise ImageRejected(UNSUPPORTED_FORMAT, str(fmt))
    if width * height > max_pixels:
        raise ImageRejected(TOO_MANY_PIXELS, f"{width}x{height} > {max_pixels} pixels")
    if fmt == "JPEG" and data.count(_SOS) > MAX_JPEG_SCANS:
        raise ImageRejected(TOO_MANY_SCANS, f"more than {MAX_JPEG_SCANS} scans")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    # OpenCV (4.10+) returns None for a truncated or corrupt stream, even one cut
    # only before its end-of-image marker (tests/test_decode.py cuts at 200 points).
    if image is None:
        raise ImageRejected(TRUNCATED_OR_CORRUPT)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ImageRejected(TRUNCATED_OR_CORRUPT, f"unexpected shape {image.shape}")
    return np.ascontiguousarray(image, dtype=np.uint8)
