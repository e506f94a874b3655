"""Small real documents built in code, for tests: nothing binary is checked in."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

PAGE_TREE = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
]


def pdf_bytes(
    objects: list[bytes] | None = None,
    *,
    trailer: bytes = b"",
    head: bytes = b"",
    tail: bytes = b"",
) -> bytes:
    """A PDF with a correct cross-reference table: ``objects`` are numbered from 1 (the
    catalog); ``trailer`` adds to the trailer; ``head`` goes after the header line and
    ``tail`` after ``%%EOF`` (offsets stay right)."""
    objects = PAGE_TREE if objects is None else objects
    out = bytearray(b"%PDF-1.4\n" + head)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out) + tail


PDF_BYTES = pdf_bytes()

CONTENT_TYPES_DOCX = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""

DOCUMENT_XML = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>Final-exam programme</w:t></w:r></w:p></w:body></w:document>"""


def _zip(entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries):
            compress = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=compress)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return _zip(
        [
            ("[Content_Types].xml", CONTENT_TYPES_DOCX),
            ("_rels/.rels", b"<Relationships/>"),
            ("word/document.xml", DOCUMENT_XML),
        ]
    )


def docm_bytes() -> bytes:
    content_types = CONTENT_TYPES_DOCX.replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
    )
    return _zip(
        [
            ("[Content_Types].xml", content_types),
            ("word/document.xml", DOCUMENT_XML),
            ("word/vbaProject.bin", b"\x00" * 32),
        ]
    )


def odf_bytes(mimetype: bytes, content: bool = True) -> bytes:
    entries = [("mimetype", mimetype), ("META-INF/manifest.xml", b"<manifest:manifest/>")]
    if content:
        entries.append(("content.xml", b"<office:document-content/>"))
    return _zip(entries, stored_first=True)


def odt_bytes() -> bytes:
    return odf_bytes(b"application/vnd.oasis.opendocument.text")


def ods_bytes() -> bytes:
    return odf_bytes(b"application/vnd.oasis.opendocument.spreadsheet")


def xlsx_bytes() -> bytes:
    return _zip(
        [
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
            ("xl/worksheets/sheet1.xml", b"<worksheet/>"),
        ]
    )


def plain_zip_bytes() -> bytes:
    return _zip([("notes.txt", b"hello")])


EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode."
)
HTML_BYTES = (
    b"<!DOCTYPE html>\n<html><head><title>Programme</title></head><body>%PDF-1.4</body></html>"
)


def upload(
    name: str, content: bytes, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    """What Django hands a view for an uploaded file; the content type is the browser's claim."""
    return SimpleUploadedFile(name, content, content_type=content_type)
