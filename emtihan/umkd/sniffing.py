"""What kind of document a file is, judged by its content and never by its name, and
whether it is a sound one.

UMKD accepts PDF, DOCX and ODT. A file renamed ``.pdf`` is still whatever its bytes say
it is, so this module reads the bytes: the first few for the magic number, and for ZIP
containers the central directory (the list of entries at the end of the archive).

A file that is one of the accepted kinds is then checked, in bounded time and memory,
before anyone downloads it:

- PDF: ``pdf_check`` (the frame read by hand, then pypdf under a deadline; polyglots
  with a web page at either end and encrypted files are refused).
- DOCX and ODT are ZIP archives. Before anything is decompressed: at most
  ``MAX_ZIP_ENTRIES`` entries (counted from the archive's end record, before Python
  builds its list), at most ``MAX_UNPACKED_BYTES`` unpacked in all, and no entry larger
  than 1 MB compressed more than ``MAX_RATIO`` times (a "ZIP bomb": 200 MB of zeros fit
  in 200 KB). The parts every such document has must be there (DOCX:
  ``[Content_Types].xml``, ``_rels/.rels``, ``word/document.xml``; ODT: ``mimetype``
  first, ``content.xml``, ``META-INF/manifest.xml``). Then every entry is read once, in
  chunks, to check its checksum: Python never unpacks more than an entry's declared
  size, which the limits above have bounded.

No Django import: callers turn the ``looks_like`` and ``defect`` codes into messages.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass
from typing import IO

from . import pdf_check

PDF = "pdf"
DOCX = "docx"
ODT = "odt"

# ``defect`` codes: the content is one of the accepted types, but not a sound one.
DAMAGED = pdf_check.DAMAGED
ENCRYPTED = pdf_check.ENCRYPTED
TOO_MANY_PAGES = pdf_check.TOO_MANY_PAGES
TOO_COMPLEX = pdf_check.TOO_COMPLEX
HTML_INSIDE = pdf_check.HTML_INSIDE
TOO_MANY_ENTRIES = "too_many_entries"
UNPACKS_TOO_BIG = "unpacks_too_big"
ZIP_BOMB = "zip_bomb"

MAX_ZIP_ENTRIES = 2_000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
_RATIO_FROM_BYTES = 1024 * 1024  # small entries (XML of a few KB) compress far better
_READ_CHUNK = 1024 * 1024
_DOCX_PARTS = ("[Content_Types].xml", "_rels/.rels", "word/document.xml")
_ODT_PARTS = ("content.xml", "META-INF/manifest.xml")

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
    ``looks_like`` says what the content appears to be (equal to the type when accepted);
    ``defect`` why a file of an accepted type was refused (``""`` otherwise)."""

    document_type: str | None
    looks_like: str
    defect: str = ""

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
        defect = pdf_check.check_pdf(fileobj)
        return _defective(PDF, defect) if defect else Sniffed(PDF, PDF)
    if head.startswith(_ZIP_MAGIC):
        return _sniff_zip(fileobj)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return _refused(kind)
    return _refused(_sniff_text(head))


def _sniff_zip(fileobj: IO[bytes]) -> Sniffed:
    entries_count = _zip_entry_count(fileobj)
    if entries_count is None:
        return _refused(CORRUPT_ZIP)
    if entries_count > MAX_ZIP_ENTRIES:
        return _defective(ZIP, TOO_MANY_ENTRIES)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            verdict = _identify(archive)
            if verdict.accepted:
                defect = _zip_defect(archive, verdict.looks_like)
                if defect:
                    return _defective(verdict.looks_like, defect)
            return verdict
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
        OSError,
        struct.error,
    ):
        # Truncated or damaged archive, an entry compressed with a method Python cannot
        # read, or one that is encrypted: not a document anyone can open reliably.
        return _refused(CORRUPT_ZIP)


def _identify(archive: zipfile.ZipFile) -> Sniffed:
    entries = archive.infolist()
    names = {e.filename for e in entries}
    if entries:
        first = min(entries, key=lambda e: e.header_offset)
        if first.filename == "mimetype":
            return _sniff_opendocument(archive, first, names)
    if "[Content_Types].xml" in names:
        return _sniff_ooxml(archive, names)
    return _refused(ZIP)


def _zip_entry_count(fileobj: IO[bytes]) -> int | None:
    """The number of entries the archive's end record declares, read before
    ``zipfile`` builds a Python object for each of them; ``None``: no end record."""
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    tail_start = max(0, size - (22 + 65_535))  # the end record and its longest comment
    fileobj.seek(tail_start)
    tail = fileobj.read()
    end = tail.rfind(b"PK\x05\x06")
    if end == -1 or len(tail) - end < 22:
        return None
    count = struct.unpack("<H", tail[end + 10 : end + 12])[0]
    locator = end - 20  # a ZIP64 archive keeps its real count in a record before this one
    if locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        offset = struct.unpack("<Q", tail[locator + 8 : locator + 16])[0]
        if offset + 56 > size:
            return None
        fileobj.seek(offset)
        record = fileobj.read(56)
        if record[:4] != b"PK\x06\x06":
            return None
        count = max(count, struct.unpack("<Q", record[32:40])[0])
    return count


def _zip_defect(archive: zipfile.ZipFile, kind: str) -> str:
    entries = archive.infolist()
    if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        return UNPACKS_TOO_BIG
    for entry in entries:
        if entry.file_size > _RATIO_FROM_BYTES and (
            entry.file_size > MAX_RATIO * max(entry.compress_size, 1)
        ):
            return ZIP_BOMB
    names = {e.filename for e in entries}
    if not names.issuperset(_DOCX_PARTS if kind == DOCX else _ODT_PARTS):
        return DAMAGED
    for entry in entries:  # the checksums: a lying size or damaged data raises BadZipFile
        with archive.open(entry) as member:
            while member.read(_READ_CHUNK):
                pass
    return ""


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


def _defective(looks_like: str, defect: str) -> Sniffed:
    return Sniffed(None, looks_like, defect)
