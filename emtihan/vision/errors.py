"""Errors the analysis layer raises: one exception class, a reason code per failure.

The reason codes are plain constants (no Django here: the caller translates them into the
person's words). Tests assert on them.
"""

from __future__ import annotations

TOO_MANY_BYTES = "too_many_bytes"
TOO_MANY_PIXELS = "too_many_pixels"
NOT_AN_IMAGE = "not_an_image"
UNSUPPORTED_FORMAT = "unsupported_format"
TOO_MANY_SCANS = "too_many_scans"
TRUNCATED_OR_CORRUPT = "truncated_or_corrupt"

BAD_AUDIO = "bad_audio"
AUDIO_TOO_LONG = "audio_too_long"


class ImageRejected(ValueError):
    """The bytes are not an image this package will decode; ``reason`` says why."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


class AudioRejected(ValueError):
    """The audio is not 16-bit mono PCM of a length this package will analyse."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)
