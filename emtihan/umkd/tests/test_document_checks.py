"""Documents that are PDF, DOCX or ODT by their first bytes but not sound ones, and
hostile files built to cost time or memory: refused, each in well under a second, with
the teacher's message; sound documents still pass."""

from __future__ import annotations

import io
import time
import zipfile
import zlib

import pytest

from emtihan.core.errors import ValidationFailed
from emtihan.core.pdf import simple_pdf
from emtihan.umkd import pdf_check, services, sniffing
from emtihan.umkd.models import Material, Section
from emtihan.umkd.services import material_upload
from emtihan.umkd.sniffing import sniff_document

from .conftest import stored_files
from .documents import (
    CONTENT_TYPES_DOCX,
    DOCUMENT_XML,
    PAGE_TREE,
    _zip,
    docx_bytes,
    odf_bytes,
    pdf_bytes,
    upload,
)

CATALOG, PAGES, PAGE = PAGE_TREE
SECONDS = 1.0  # every verdict below, sound or not; generous: most take milliseconds


def sniff(content: bytes) -> sniffing.Sniffed:
    started = time.monotonic()
    verdict = sniff_document(io.BytesIO(content))
    assert time.monotonic() - started < SECONDS
    return verdict


def xref_stream_pdf(entries: int) -> bytes:
    """A PDF whose cross-reference is a compressed stream declaring ``entries`` objects."""
    out = bytearray(b"%PDF-1.5\n")
    offsets = []
    for number, body in enumerate(PAGE_TREE, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    rows = b"\x00\x00\x00\x00\x00\xff\xff" + b"".join(
        b"\x01" + offset.to_bytes(4, "big") + b"\x00\x00" for offset in offsets
    )
    data = zlib.compress(rows + b"\x00" * 7 * (entries - len(rows) // 7), 9)
    xref = len(out)
    out += b"4 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d " % (
        entries,
        len(data),
    )
    out += b"/Filter /FlateDecode >>\nstream\n" + data + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def updated_pdf() -> bytes:
    """A PDF saved twice: an incremental update whose trailer points back with /Prev."""
    first = pdf_bytes()
    previous = int(first.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>"
    out = bytearray(first)
    offset = len(out)
    out += b"4 0 obj\n" + page + b"\nendobj\n"
    pages_offset = len(out)
    out += b"2 0 obj\n<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>\nendobj\n"
    xref = len(out)
    out += b"xref\n2 1\n%010d 00000 n \n4 1\n%010d 00000 n \n" % (pages_offset, offset)
    out += b"trailer\n<< /Size 5 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        previous,
        xref,
    )
    return bytes(out)


# --- PDF --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [pdf_bytes(), simple_pdf(["Final-exam programme"]), updated_pdf(), xref_stream_pdf(8)],
    ids=["table", "simple_pdf", "incremental-update", "xref-stream"],
)
def test_sound_pdfs_are_accepted(content):
    verdict = sniff(content)
    assert verdict.accepted and verdict.document_type == sniffing.PDF and not verdict.defect


@pytest.mark.parametrize(
    ("content", "defect"),
    [
        (b"%PDF-1", sniffing.DAMAGED),
        (b"%PDF-1.4\n" + b"x" * 1000, sniffing.DAMAGED),
        (pdf_bytes()[:-200], sniffing.DAMAGED),
        (pdf_bytes([CATALOG]), sniffing.DAMAGED),  # no page tree
        (pdf_bytes([CATALOG, b"<< /Type /Pages /Kids [] /Count 0 >>"]), sniffing.DAMAGED),
        (pdf_bytes([CATALOG, b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >>", PAGE]),
         sniffing.DAMAGED),  # a cycle in the page tree
        (pdf_bytes([CATALOG, b"<< /Type /Pages /Kids [3 0 R 3 0 R] /Count 2 >>", PAGE]),
         sniffing.DAMAGED),  # one page twice
        (pdf_bytes([b"<< /Type /Outlines >>", PAGES, PAGE]), sniffing.DAMAGED),
        (pdf_bytes(trailer=b"/Prev 9 "), sniffing.DAMAGED),  # points at no cross-reference
        (pdf_bytes(trailer=b"/Encrypt << /Filter /Standard /V 2 >> "), sniffing.ENCRYPTED),
        (pdf_bytes(tail=b"<html><script>alert(document.cookie)</script></html>"),
         sniffing.HTML_INSIDE),
        (pdf_bytes(head=b"%<!DOCTYPE html><body onload=alert(1)>\n"), sniffing.HTML_INSIDE),
        (pdf_bytes(head=b"%<svg onload=alert(1)>\n"), sniffing.HTML_INSIDE),
    ],
    ids=["six-bytes", "no-end", "cut-short", "no-pages", "empty-tree", "cycle", "page-twice",
         "no-catalog", "bad-prev", "encrypted", "html-after-eof", "html-in-header", "svg"],
)  # fmt: skip
def test_damaged_encrypted_and_polyglot_pdfs_are_refused(content, defect):
    verdict = sniff(content)
    assert not verdict.accepted
    assert (verdict.looks_like, verdict.defect) == (sniffing.PDF, defect)


def test_too_many_pages(monkeypatch):
    monkeypatch.setattr(pdf_check, "MAX_PAGES", 3)
    kids = b" ".join(b"%d 0 R" % n for n in range(3, 7))
    content = pdf_bytes([CATALOG, b"<< /Type /Pages /Kids [%s] /Count 4 >>" % kids] + [PAGE] * 4)
    assert sniff(content).defect == sniffing.TOO_MANY_PAGES
    monkeypatch.setattr(pdf_check, "MAX_PAGES", 4)
    assert sniff(content).accepted


def test_pypdf_stops_at_the_deadline(monkeypatch):
    """Whatever pypdf would still do after ``MAX_SECONDS`` is cut short: its next read."""
    monkeypatch.setattr(pdf_check, "MAX_SECONDS", -1)
    assert sniff(pdf_bytes()).defect == sniffing.TOO_COMPLEX


def test_a_cross_reference_table_of_a_million_entries_is_refused_without_reading_it():
    """20 MB (the upload limit) of cross-reference entries: pypdf alone spends a second."""
    content = pdf_bytes()
    table = content.index(b"xref\n0 4\n")
    entries = 1_000_000
    content = (
        content[:table]
        + b"xref\n0 %d\n" % entries
        + content[table + 9 : content.index(b"trailer")]
        + b"0000000000 65535 f \n" * (entries - 4)
        + content[content.index(b"trailer") :]
    )
    assert len(content) > 19_000_000
    assert sniff(content).defect == sniffing.TOO_COMPLEX


def test_a_tiny_cross_reference_stream_of_two_million_entries_is_refused():
    """14 KB that cost pypdf alone 13 s."""
    content = xref_stream_pdf(1_999_000)
    assert len(content) < 20_000
    assert sniff(content).defect == sniffing.TOO_COMPLEX


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n" + b"x" * 20_000_000 + b"\n%%EOF\n",
        b"%PDF-1.4\n" + b"1 0 obj\n<<>>\nendobj\n" * 1_000_000 + b"startxref\n9\n%%EOF\n",
    ],
    ids=["junk", "objects-without-cross-reference"],
)
def test_twenty_megabytes_of_junk_behind_a_pdf_header_are_refused_at_once(content):
    """pypdf alone searches them for 5-7 s."""
    assert sniff(content).defect == sniffing.DAMAGED


# --- DOCX and ODT -----------------------------------------------------------------------------


def _streamed_docx(document_size: int) -> bytes:
    """A DOCX whose document part is ``document_size`` bytes of one repeated character,
    written in chunks (the test never holds the unpacked part in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_DOCX)
        archive.writestr("_rels/.rels", b"<Relationships/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b" " * (1024 * 1024)
            for _n in range(document_size // len(chunk)):
                part.write(chunk)
    return buffer.getvalue()


def test_a_docx_that_unpacks_to_200_mb_is_refused_before_it_is_unpacked():
    content = _streamed_docx(200 * 1024 * 1024)
    assert len(content) < 1024 * 1024
    verdict = sniff(content)
    assert (verdict.looks_like, verdict.defect) == (sniffing.DOCX, sniffing.UNPACKS_TOO_BIG)


def test_a_part_compressed_like_a_zip_bomb_is_refused():
    verdict = sniff(_streamed_docx(20 * 1024 * 1024))  # within the total, 1000 times smaller
    assert verdict.defect == sniffing.ZIP_BOMB


def test_an_archive_of_thousands_of_entries_is_refused_before_python_lists_them():
    entries = [("[Content_Types].xml", CONTENT_TYPES_DOCX), ("word/document.xml", DOCUMENT_XML)]
    entries += [(f"word/media/{n}.txt", b"") for n in range(sniffing.MAX_ZIP_ENTRIES + 1)]
    verdict = sniff(_zip(entries))
    assert (verdict.looks_like, verdict.defect) == (sniffing.ZIP, sniffing.TOO_MANY_ENTRIES)


def test_a_docx_or_odt_without_its_required_parts_is_damaged():
    no_relationships = _zip(
        [("[Content_Types].xml", CONTENT_TYPES_DOCX), ("word/document.xml", DOCUMENT_XML)]
    )
    assert sniff(no_relationships).defect == sniffing.DAMAGED
    no_manifest = _zip(
        [("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")],
        stored_first=True,
    )
    assert sniff(no_manifest).defect == sniffing.DAMAGED


def test_a_part_whose_declared_size_lies_is_refused():
    """Python never unpacks more than the declared size; the checksum then fails."""
    content = bytearray(docx_bytes())
    index = content.find(b"word/document.xml", content.find(b"PK\x01\x02"))  # central entry
    header = content.rfind(b"PK\x01\x02", 0, index)
    content[header + 24 : header + 28] = (10).to_bytes(4, "little")  # uncompressed size: 10
    assert sniff(bytes(content)).looks_like == sniffing.CORRUPT_ZIP


def test_sound_docx_and_odt_are_accepted():
    assert sniff(docx_bytes()).document_type == sniffing.DOCX
    assert sniff(odf_bytes(b"application/vnd.oasis.opendocument.text")).document_type == "odt"


# --- through the service: the teacher's words, nothing written ------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (lambda: b"%PDF-1", services.DEFECTS[sniffing.DAMAGED]),
        (lambda: pdf_bytes(tail=b"<html><script>alert(1)</script>"), services.DEFECTS[sniffing.HTML_INSIDE]),
        (lambda: pdf_bytes(trailer=b"/Encrypt 9 0 R "), services.DEFECTS[sniffing.ENCRYPTED]),
        (lambda: _streamed_docx(200 * 1024 * 1024), services.DEFECTS[sniffing.UNPACKS_TOO_BIG] % {"unpacked": 100}),
    ],
    ids=["six-bytes", "polyglot", "encrypted", "200-mb-docx"],
)  # fmt: skip
def test_the_teacher_is_told_why_and_nothing_is_stored(world, media, content, message):
    with pytest.raises(ValidationFailed) as exc:
        material_upload(
            actor=world.teacher,
            discipline=world.algebra,
            section=Section.FINAL_EXAM_PROGRAMME,
            file=upload("programme.pdf", content(), "application/pdf"),
        )
    assert exc.value.errors == {"file": [message]}
    assert not Material.objects.exists()
    assert stored_files(media) == []
