"""What kind of document a file is, judged by its content and never by its name.

UMKD accepts PDF, DOCX and ODT. A file renamed ``.pdf`` is still whatever its bytes say
it is, so this module reads the bytes: the first few for the magic number, and for ZIP
containers the central directory (the list of entries at the end of the archive) plus,
at most, two tiny entries (ODT's ``mimetype``, DOCX's ``[Content_Types].xml``). Nothing is
decompressed beyond those, so a ZIP bomb costs nothing here.

No Django import: callers turn the ``looks_like`` code into a message.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO

PDF = "pdf"
DOCX = "docx"
ODT = "odt"

# ``looks_like`` codes for refused content, besides the accepted types above.
EMPTY = "empty"
UNKNOWN = "unknown"
ZIP = "zip"
CORRUPT_ZIP = "corrupt_zip"
DOCM = "docm"
XLSX = "xlsx"
PPTX = "pptx"
ODS = "ods"
ODP = "odp"
OPENDOCUMENT = "opendocument"
OLE = "ole"
RTF = "rtf"
HTML = "html"
XML = "xml"
EXECUTABLE = "executable"
PNG = "png"
JPEG = "jpeg"
GIF = "gif"

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_ODF_MIMETYPES = {
    ODT_MIMETYPE: ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": ODS,
    b"application/vnd.oasis.opendocument.presentation": ODP,
}
# The small entries we do read are capped, so a crafted archive cannot make us
# decompress megabytes to answer "what is this".
_MIMETYPE_MAX_BYTES = 100
_CONTENT_TYPES_MAX_BYTES = 256 * 1024
_HEAD_BYTES = 512

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE),  # legacy .doc/.xls, also .msi
    (b"MZ", EXECUTABLE),  # Windows .exe/.dll
    (b"\x7fELF", EXECUTABLE),
    (b"\xca\xfe\xba\xbe", EXECUTABLE),  # Mach-O universal / Java class
    (b"\xcf\xfa\xed\xfe", EXECUTABLE),  # Mach-O 64-bit
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"{\\rtf", RTF),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # local file header; empty-archive end record


@dataclass(frozen=True)
class Sniffed:
    """The verdict: ``document_type`` is one of PDF, DOCX, ODT or ``None`` if refused;
    ``looks_like`` says what the content appears to be (equal to the type when accepted)."""

    document_type: str | None
    looks_like: str

    @property
    def accepted(self) -> bool:
        return self.document_type is not None


def sniff_document(fileobj: IO[bytes]) -> Sniffed:
    """Judge a seekable binary file object; its position is restored afterwards."""
    start = fileobj.tell()
    try:
        fileobj.seek(0)
        head = fileobj.read(_HEAD_BYTES)
        fileobj.seek(0)
        return _sniff(fileobj, head)
    finally:
        fileobj.seek(start)


def _sniff(fileobj: IO[bytes], head: bytes) -> Sniffed:
    if not head:
        return _refused(EMPTY)
    # A PDF starts with "%PDF-" and a version digit. Readers tolerate junk before the
    # header, but a file that starts with something else is also something else (an
    # HTML page with "%PDF-" inside is an HTML page), so we do not.
    if head.startswith(b"%PDF-") and head[5:6].isdigit():
        return Sniffed(PDF, PDF)
    if head.startswith(_ZIP_MAGIC):
        return _sniff_zip(fileobj)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return _refused(kind)
    return _refused(_sniff_text(head))


def _sniff_zip(fileobj: IO[bytes]) -> Sniffed:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
            names = {e.filename for e in entries}
            if entries:
                first = min(entries, key=lambda e: e.header_offset)
                if first.filename == "mimetype":
                    return _sniff_opendocument(archive, first, names)
            if "[Content_Types].xml" in names:
                return _sniff_ooxml(archive, names)
            return _refused(ZIP)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        ValueError,
        NotImplementedError,
        OSError,
    ):
        # Truncated or damaged archive, or an entry compressed with a method Python
        # cannot read: either way, not a document anyone can open reliably.
        return _refused(CORRUPT_ZIP)


def _sniff_opendocument(
    archive: zipfile.ZipFile, mimetype: zipfile.ZipInfo, names: set[str]
) -> Sniffed:
    if mimetype.file_size > _MIMETYPE_MAX_BYTES:
        return _refused(OPENDOCUMENT)
    value = archive.read(mimetype).strip()
    kind = _ODF_MIMETYPES.get(value, OPENDOCUMENT)
    if kind == ODT:
        # The text lives in content.xml; an archive with the right mimetype but no
        # content is not a document a reader can open.
        return Sniffed(ODT, ODT) if "content.xml" in names else _refused(CORRUPT_ZIP)
    return _refused(kind)


def _sniff_ooxml(archive: zipfile.ZipFile, names: set[str]) -> Sniffed:
    if "word/document.xml" in names:
        info = archive.getinfo("[Content_Types].xml")
        if info.file_size <= _CONTENT_TYPES_MAX_BYTES:
            content_types = archive.read(info)
            # .docm keeps its VBA macros next to word/document.xml; macros have no place
            # in a teaching document that students and colleagues will open.
            if b"macroEnabled" in content_types or "word/vbaProject.bin" in names:
                return _refused(DOCM)
        return Sniffed(DOCX, DOCX)
    if "xl/workbook.xml" in names:
        return _refused(XLSX)
    if "ppt/presentation.xml" in names:
        return _refused(PPTX)
    return _refused(ZIP)


def _sniff_text(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if (
        text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script"))
        or b"<html" in text
    ):
        return HTML
    if text.startswith(b"<?xml") or text.startswith(b"<svg"):
        return XML
    return UNKNOWN


def _refused(looks_like: str) -> Sniffed:
    return Sniffed(None, looks_like)
