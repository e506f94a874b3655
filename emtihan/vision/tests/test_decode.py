"""decode(): untrusted bytes are bounded in bytes, pixels and scans; bad ones get a reason."""

from __future__ import annotations

import io
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image

from emtihan.vision import ImageRejected, decode
from emtihan.vision.errors import (
    NOT_AN_IMAGE,
    TOO_MANY_BYTES,
    TOO_MANY_PIXELS,
    TOO_MANY_SCANS,
    TRUNCATED_OR_CORRUPT,
    UNSUPPORTED_FORMAT,
)
from emtihan.vision.image import MAX_JPEG_SCANS

from .photos import jpeg, photo_bytes


def _refused(data: bytes, reason: str, **limits: int) -> float:
    started = time.perf_counter()
    with pytest.raises(ImageRejected) as caught:
        decode(data, **limits)
    assert caught.value.reason == reason
    return time.perf_counter() - started


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_bomb(width: int, height: int) -> bytes:
    """A real decompression bomb: a 1-bit black PNG of width x height pixels whose
    compressed data is small (zlib squeezes the all-zero rows about 200:1)."""
    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(1)  # the fastest level: the test is about decoding
    rows = [packer.compress(row * 1000) for _ in range(height // 1000)]
    idat = b"".join(rows) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def test_it_decodes_a_real_photo():
    image = decode(photo_bytes("obama_1"))
    assert image.dtype == np.uint8
    assert image.shape == (1024, 820, 3)


def test_it_decodes_png_and_webp():
    pixels = np.zeros((30, 40, 3), np.uint8)
    pixels[:, :, 2] = 200  # red, in OpenCV's blue-green-red order
    for fmt in ("PNG", "WEBP"):
        buffer = io.BytesIO()
        Image.fromarray(pixels[:, :, ::-1]).save(buffer, fmt, lossless=True)
        image = decode(buffer.getvalue())
        assert image.shape == (30, 40, 3)
        assert tuple(image[0, 0]) == (0, 0, 200)


def test_a_decompression_bomb_is_refused_quickly():
    bomb = _png_bomb(20_000, 20_000)  # 400 Mpx, 1.2 GB decoded, 220 KB on disk
    assert len(bomb) < 250_000
    assert _refused(bomb, TOO_MANY_PIXELS) < 0.5


def test_a_bomb_under_pillows_own_limit_is_refused_by_ours():
    bomb = _png_bomb(8_000, 8_000)  # 64 Mpx: Pillow would decode it, our default is 16.7
    assert _refused(bomb, TOO_MANY_PIXELS) < 0.5


def test_a_jpeg_that_claims_huge_dimensions_is_refused_before_decoding():
    data = bytearray(photo_bytes("obama_1"))
    sof = data.index(b"\xff\xc0")  # baseline start-of-frame: length, precision, height, width
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65_000, 65_000)
    assert _refused(bytes(data), TOO_MANY_PIXELS) < 0.5


def test_the_snapshot_limits_are_the_callers_choice():
    frame = jpeg(np.full((480, 640, 3), 128, np.uint8))
    assert decode(frame, max_pixels=640 * 480).shape == (480, 640, 3)
    _refused(frame, TOO_MANY_PIXELS, max_pixels=640 * 480 - 1)
    _refused(frame, TOO_MANY_BYTES, max_bytes=len(frame) - 1)


@pytest.mark.parametrize("progressive", [False, True])
def test_a_truncated_jpeg_is_refused_wherever_it_is_cut(progressive):
    buffer = io.BytesIO()
    Image.open(io.BytesIO(photo_bytes("biden_1"))).save(
        buffer, "JPEG", quality=85, progressive=progressive
    )
    data = buffer.getvalue()
    for cut in np.linspace(0.2, 1.0, 41)[:-1]:
        _refused(data[: int(len(data) * cut)], TRUNCATED_OR_CORRUPT)
    _refused(data[:-1], TRUNCATED_OR_CORRUPT)  # only the last byte of the end marker


def test_a_header_alone_is_refused():
    data = photo_bytes("astronaut")
    _refused(data[: data.index(b"\xff\xda")], TRUNCATED_OR_CORRUPT)


def test_not_an_image():
    _refused(b"%PDF-1.7 not a picture", NOT_AN_IMAGE)
    _refused(b"", NOT_AN_IMAGE)


def test_formats_outside_jpeg_png_webp_are_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    _refused(buffer.getvalue(), UNSUPPORTED_FORMAT)


def test_a_jpeg_with_an_absurd_number_of_scans_is_refused():
    # The guard counts start-of-scan markers; a comment segment full of them stands in
    # for a crafted progressive file (making one with thousands of real scans needs a
    # hand-written encoder). It is refused before libjpeg sees it.
    data = photo_bytes("obama_1")
    comment = b"\xff\xda" * (MAX_JPEG_SCANS + 1)
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    _refused(data[:2] + segment + data[2:], TOO_MANY_SCANS)


def test_the_exif_orientation_is_applied():
    # A phone held upright stores the pixels sideways and says so in EXIF (6: turn 90
    # degrees clockwise to view); the photo on file must come out upright.
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 0, 0)).save(buffer, "JPEG", exif=exif)
    assert decode(buffer.getvalue()).shape == (40, 30, 3)
