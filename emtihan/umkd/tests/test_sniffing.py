import io
import zipfile

import pytest

from emtihan.umkd import sniffing
from emtihan.umkd.sniffing import sniff_document

from .documents import (
    EXE_BYTES,
    HTML_BYTES,
    PDF_BYTES,
    docm_bytes,
    docx_bytes,
    odf_bytes,
    ods_bytes,
    odt_bytes,
    plain_zip_bytes,
    xlsx_bytes,
)


def sniff(content: bytes) -> sniffing.Sniffed:
    return sniff_document(io.BytesIO(content))


@pytest.mark.parametrize(
    ("content", "expected"),
    [(PDF_BYTES, sniffing.PDF), (docx_bytes(), sniffing.DOCX), (odt_bytes(), sniffing.ODT)],
    ids=["pdf", "docx", "odt"],
)
def test_it_accepts_documents(content, expected):
    verdict = sniff(content)
    assert verdict.accepted
    assert verdict.document_type == expected


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        (b"", sniffing.EMPTY),
        (xlsx_bytes(), sniffing.XLSX),
        (ods_bytes(), sniffing.ODS),
        (docm_bytes(), sniffing.DOCM),
        (plain_zip_bytes(), sniffing.ZIP),
        (EXE_BYTES, sniffing.EXECUTABLE),
        (HTML_BYTES, sniffing.HTML),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, sniffing.OLE),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, sniffing.PNG),
        (b"just some text, not a document", sniffing.UNKNOWN),
        (b"%PDF-x not a version", sniffing.UNKNOWN),
        (
            odf_bytes(b"application/vnd.oasis.opendocument.text", content=False),
            sniffing.CORRUPT_ZIP,
        ),
    ],
    ids=[
        "empty",
        "xlsx",
        "ods",
        "docm",
        "zip",
        "exe",
        "html",
        "ole",
        "png",
        "text",
        "pdf-lookalike",
        "odt-no-content",
    ],
)
def test_it_refuses_other_content(content, looks_like):
    verdict = sniff(content)
    assert not verdict.accepted
    assert verdict.document_type is None
    assert verdict.looks_like == looks_like


def test_it_refuses_a_truncated_zip():
    content = docx_bytes()
    assert sniff(content[: len(content) // 2]).looks_like == sniffing.CORRUPT_ZIP


def test_it_refuses_a_zip_with_a_damaged_central_directory():
    content = bytearray(docx_bytes())
    end = content.rfind(b"PK\x05\x06")
    content[end + 16 : end + 20] = b"\xff\xff\xff\x7f"  # central directory offset past the end
    assert sniff(bytes(content)).looks_like == sniffing.CORRUPT_ZIP


def test_it_judges_content_not_the_position_it_was_handed_at():
    fileobj = io.BytesIO(PDF_BYTES)
    fileobj.seek(10)
    assert sniff_document(fileobj).document_type == sniffing.PDF
    assert fileobj.tell() == 10


def test_an_odt_whose_mimetype_is_not_the_first_entry_is_not_an_odt():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", b"<office:document-content/>")
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text")
    assert not sniff(buffer.getvalue()).accepted


def test_it_does_not_read_a_huge_mimetype_entry():
    content = odf_bytes(b"application/vnd.oasis.opendocument.text" + b" " * 10_000)
    verdict = sniff(content)
    assert not verdict.accepted
    assert verdict.looks_like == sniffing.OPENDOCUMENT
