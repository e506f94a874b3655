"""Is a file that starts with ``%PDF-`` a PDF a reader can open? Checked in bounded time.

Two steps, each bounded before it starts:

1. **The frame, read by hand** (at most a few megabytes, linear): the header at byte 0; no
   web-page (HTML) markers in the first or last kilobyte, where PDF writers never put
   them and where "polyglot" files hide a page a browser would run; ``startxref`` and
   ``%%EOF`` in the last kilobyte; at that offset a cross-reference table (``xref``) or
   stream (``/Type /XRef``) that ends in a trailer naming the document's ``/Root``; the
   chain of earlier revisions (``/Prev``) followed at most ``MAX_REVISIONS`` times; and
   at most ``MAX_OBJECTS`` objects in all. A file that is encrypted (``/Encrypt``) is
   refused: nobody could open it without its password, and nothing inside it can be
   checked.
2. **pypdf** (a maintained PDF parser) then reads only what the frame promised: the
   catalog and the page tree, every node once (a tree, no cycles, 1 to ``MAX_PAGES``
   pages). Its work is bounded by step 1's object count, and a deadline
   (``MAX_SECONDS``) stops it in any case: every read it makes checks the clock.

Without step 1, pypdf alone took 13 s on a 14 KB file (a cross-reference stream of two
million entries) and 5 s on 20 MB of junk (it searches the whole file for the
``startxref`` it cannot find). With it, the worst file within the upload limit is
refused or accepted in well under a second (``tests/test_pdf_check.py``).

``check_pdf`` returns ``""`` for a good PDF or one of the codes below. No Django import.
"""

from __future__ import annotations

import io
import logging
import re
import time
from typing import IO, cast

OK = ""
DAMAGED = "damaged"
ENCRYPTED = "encrypted"
TOO_MANY_PAGES = "too_many_pages"
TOO_COMPLEX = "too_complex"
HTML_INSIDE = "html_inside"

MAX_PAGES = 5_000
MAX_OBJECTS = 100_000
MAX_REVISIONS = 64
MAX_SECONDS = 5.0

_WINDOW = 1024  # the first and last kilobyte: header, polyglot markers, startxref
_ENTRY_BYTES = 20  # one line of a cross-reference table, by the standard
_TRAILER_MAX_BYTES = 16 * 1024

HEADER = re.compile(rb"%PDF-[12]\.\d")
# Tags of a web page. PDF's own "<<" is followed by "/" or a space, never by these.
HTML_MARKERS = re.compile(
    rb"<(?:!doctype|html|head|body|script|iframe|svg|meta|object|embed|img|style|link|base|form)\b",
    re.IGNORECASE,
)
STARTXREF = re.compile(rb"startxref\s+(\d{1,15})\s*%%EOF")
OBJECT_HEADER = re.compile(rb"\s*\d{1,10}\s+\d{1,5}\s+obj\b")
SUBSECTION = re.compile(rb"\s*(\d{1,10})[ \t]+(\d{1,10})[ \t]*(?:\r\n|\r|\n)")
ENTRY = re.compile(rb"\s*\d{10} \d{5} [fn]")
TRAILER = re.compile(rb"\s*trailer\s*<<")
ROOT = re.compile(rb"/Root\s+\d+\s+\d+\s+R")
ENCRYPT = re.compile(rb"/Encrypt\b")
PREV = re.compile(rb"/Prev\s+(\d{1,15})(?!\s+\d+\s+R)")
XREF_TYPE = re.compile(rb"/Type\s*/XRef\b")
SIZE = re.compile(rb"/Size\s+(\d{1,10})")
INDEX = re.compile(rb"/Index\s*\[([\d\s]*)\]")
WIDTHS = re.compile(rb"/W\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s*\]")


# pypdf's warnings about a hostile file would flood the log; its errors still show.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class _Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class _TimeUp(BaseException):
    """Raised inside pypdf when the deadline passes: a BaseException, so that pypdf's own
    ``except Exception`` recovery paths cannot swallow it."""


def check_pdf(fileobj: IO[bytes]) -> str:
    """``""`` if ``fileobj`` (seekable, read from its start) is a PDF that can be opened,
    else the reason it cannot. The position is left anywhere: callers restore it."""
    try:
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        _check_frame(fileobj, size)
        _check_with_pypdf(fileobj)
    except _Refused as refused:
        return refused.code
    return OK


# --- step 1: the frame ---------------------------------------------------------------------------


def _read_at(fileobj: IO[bytes], offset: int, length: int) -> bytes:
    fileobj.seek(offset)
    return fileobj.read(length)


def _check_frame(fileobj: IO[bytes], size: int) -> None:
    head = _read_at(fileobj, 0, _WINDOW)
    tail = _read_at(fileobj, max(0, size - _WINDOW), _WINDOW)
    if not HEADER.match(head):
        raise _Refused(DAMAGED)
    if HTML_MARKERS.search(head) or HTML_MARKERS.search(tail):
        raise _Refused(HTML_INSIDE)
    found = list(STARTXREF.finditer(tail))
    if not found:
        raise _Refused(DAMAGED)  # cut short, or not ended the way every PDF ends
    offset = int(found[-1].group(1))
    seen: set[int] = set()
    objects = 0
    newest = True
    while True:
        if offset >= size or offset in seen:
            raise _Refused(DAMAGED)
        if len(seen) >= MAX_REVISIONS:
            raise _Refused(TOO_COMPLEX)
        seen.add(offset)
        entries, trailer = _section(fileobj, offset, size)
        objects += entries
        if objects > MAX_OBJECTS:
            raise _Refused(TOO_COMPLEX)
        if ENCRYPT.search(trailer):
            raise _Refused(ENCRYPTED)
        if newest and not ROOT.search(trailer):
            raise _Refused(DAMAGED)
        newest = False
        previous = PREV.search(trailer)
        if previous is None:
            return
        offset = int(previous.group(1))


def _section(fileobj: IO[bytes], offset: int, size: int) -> tuple[int, bytes]:
    """``(number of entries, trailer dictionary)`` of the cross-reference section at
    ``offset``: a table (``xref``) or a cross-reference stream object."""
    start = _read_at(fileobj, offset, 64)
    stripped = start.lstrip(b" \t\r\n\f\x00")
    if stripped.startswith(b"xref"):
        position = offset + len(start) - len(stripped) + 4
        return _table(fileobj, position, size)
    if OBJECT_HEADER.match(stripped):
        return _stream_dictionary(fileobj, offset)
    raise _Refused(DAMAGED)


def _table(fileobj: IO[bytes], position: int, size: int) -> tuple[int, bytes]:
    # Enough for MAX_OBJECTS entries and the trailer; a longer table is refused below.
    window = (MAX_OBJECTS + 1) * (_ENTRY_BYTES + 1) + _TRAILER_MAX_BYTES
    data = _read_at(fileobj, position, min(window, size - position))
    at = 0
    entries = 0
    while (subsection := SUBSECTION.match(data, at)) is not None:
        count = int(subsection.group(2))
        entries += count
        if entries > MAX_OBJECTS:
            raise _Refused(TOO_COMPLEX)
        at = subsection.end()
        for _entry in range(count):
            entry = ENTRY.match(data, at)
            if entry is None:
                raise _Refused(DAMAGED)
            at = entry.end()
    trailer = TRAILER.match(data, at)
    if trailer is None:
        raise _Refused(DAMAGED)
    end = data.find(b"startxref", trailer.end(), trailer.end() + _TRAILER_MAX_BYTES)
    if end == -1:
        raise _Refused(DAMAGED)
    return entries, data[trailer.end() : end]


def _stream_dictionary(fileobj: IO[bytes], offset: int) -> tuple[int, bytes]:
    data = _read_at(fileobj, offset, _TRAILER_MAX_BYTES)
    end = data.find(b"stream")
    if end == -1:
        raise _Refused(DAMAGED)
    dictionary = data[:end]
    size = SIZE.search(dictionary)
    widths = WIDTHS.search(dictionary)
    if not XREF_TYPE.search(dictionary) or size is None or widths is None:
        raise _Refused(DAMAGED)
    if any(int(width) > 8 for width in widths.groups()):  # a field wider than 8 bytes
        raise _Refused(DAMAGED)
    entries = int(size.group(1))
    index = INDEX.search(dictionary)
    if index is not None:
        numbers = [int(n) for n in index.group(1).split()[: 2 * MAX_REVISIONS * 16]]
        entries = max(entries, sum(numbers[1::2]))
    if entries > MAX_OBJECTS:
        raise _Refused(TOO_COMPLEX)
    return entries, dictionary


# --- step 2: pypdf, within the frame's bounds and a deadline ---------------------------------------


class _Deadline:
    """The file as pypdf sees it (it only reads, seeks and tells): every read and seek
    first checks the clock."""

    def __init__(self, fileobj: IO[bytes], seconds: float) -> None:
        self._file = fileobj
        self._until = time.monotonic() + seconds

    def _check(self) -> None:
        if time.monotonic() > self._until:
            raise _TimeUp

    def read(self, size: int = -1) -> bytes:
        self._check()
        return self._file.read(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._check()
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()


def _check_with_pypdf(fileobj: IO[bytes]) -> None:
    from pypdf import PdfReader  # imported here: only PDF uploads pay for it
    from pypdf.generic import DictionaryObject

    fileobj.seek(0)
    try:
        reader = PdfReader(cast(IO[bytes], _Deadline(fileobj, MAX_SECONDS)), strict=False)
        if reader.is_encrypted:
            raise _Refused(ENCRYPTED)
        catalog = reader.trailer["/Root"].get_object()
        if not isinstance(catalog, DictionaryObject) or catalog.get("/Type") != "/Catalog":
            raise _Refused(DAMAGED)
        _walk_pages(catalog["/Pages"].get_object())
    except _Refused:
        raise
    except _TimeUp as exc:
        raise _Refused(TOO_COMPLEX) from exc
    except Exception as exc:  # pypdf raises many kinds for a damaged file
        raise _Refused(DAMAGED) from exc


def _walk_pages(root: object) -> None:
    """The page tree, every node once: a tree (no node reached twice, which also stops
    cycles) whose leaves are 1 to ``MAX_PAGES`` pages. A reader that opens the file
    walks the same tree."""
    from pypdf.generic import ArrayObject, DictionaryObject

    stack = [root]
    seen: set[int] = set()
    pages = 0
    while stack:
        node = stack.pop()
        if not isinstance(node, DictionaryObject) or id(node) in seen:
            raise _Refused(DAMAGED)
        seen.add(id(node))
        kind = node.get("/Type")
        if kind == "/Page":
            pages += 1
            continue
        kids = node.get("/Kids")
        kids = kids.get_object() if kids is not None else None
        if kind != "/Pages" or not isinstance(kids, ArrayObject):
            raise _Refused(DAMAGED)
        if len(seen) + len(stack) + len(kids) > 2 * MAX_PAGES:
            raise _Refused(TOO_MANY_PAGES)
        stack.extend(kid.get_object() for kid in kids)
    if pages == 0:
        raise _Refused(DAMAGED)
    if pages > MAX_PAGES:
        raise _Refused(TOO_MANY_PAGES)
