"""Fixtures of the exams app: approved exam-form choices (through the real review
workflow), a draft exam of ALG x IS-2301 opening in two days, and question specs.

Services take ``now``; tests that need the window to have opened pass one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from emtihan.examforms.models import ExamFormChoice
from emtihan.examforms.services import ChoiceInput, choice_approve, choice_save
from emtihan.examforms.tests.conftest import add_programme
from emtihan.exams import services
from emtihan.exams.models import Exam, QuestionKind

FIXTURES = Path(__file__).parent / "fixtures"
HOUR = dt.timedelta(hours=1)

OPTIONS = [
    {"id": "a", "html": "<p>Alpha</p>", "fraction": 1.0},
    {"id": "b", "html": "<p>Beta</p>", "fraction": 0.0},
    {"id": "c", "html": "<p>Gamma</p>", "fraction": 0.0},
]
MULTI = [
    {"id": "a", "html": "<p>2</p>", "fraction": 0.5},
    {"id": "b", "html": "<p>3</p>", "fraction": 0.5},
    {"id": "c", "html": "<p>4</p>", "fraction": -1.0},
]
SPECS = {
    QuestionKind.WRITTEN: {},
    QuestionKind.SINGLE: {"options": OPTIONS},
    QuestionKind.MULTIPLE: {"options": MULTI},
    QuestionKind.TRUE_FALSE: {"correct": True},
    QuestionKind.SHORT: {"answers": [{"text": "Astana", "fraction": 1.0}]},
    QuestionKind.NUMERIC: {"answers": [{"value": 3.14, "tolerance": 0.01, "fraction": 1.0}]},
}


def approve(
    world,
    *,
    platform: str = "OQYLYQ",
    form: str = "WRITTEN",
    exam_type: str = "TRADITIONAL",
    info: str = "",
    discipline=None,
    group=None,
    approved: bool = True,
) -> ExamFormChoice:
    """A choice saved by the teacher and (by default) approved by the head."""
    discipline = discipline or world.algebra
    group = group or world.g1
    programme = add_programme(discipline, world.teacher)
    choice = choice_save(
        actor=world.teacher,
        discipline=discipline,
        group=group,
        data=ChoiceInput(
            platform=platform,
            form=form,
            exam_type=exam_type,
            additional_info=info,
            programme_id=programme.pk,
        ),
    )
    if approved:
        choice = choice_approve(
            actor=world.head, choice_id=choice.pk, expected_revision=choice.revision
        )
    return choice


def window(days: float = 2, hours: float = 4) -> tuple[dt.datetime, dt.datetime]:
    opens = (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0)
    return opens, opens + dt.timedelta(hours=hours)


def new_exam(world, choice, **fields) -> Exam:
    opens, closes = window()
    values = {
        "title": "Algebra final",
        "opens_at": opens,
        "closes_at": closes,
        "duration_minutes": 90,
        **fields,
    }
    return services.exam_create(actor=world.teacher, choice=choice, **values)


@pytest.fixture
def choice(world) -> ExamFormChoice:
    return approve(world)


@pytest.fixture
def exam(world, choice) -> Exam:
    return new_exam(world, choice)


def add_question(world, exam, kind=QuestionKind.SINGLE, **fields):
    values = {"body": f"<p>Question {kind}</p>", "spec": SPECS[kind], **fields}
    return services.question_create(actor=world.teacher, exam=exam, kind=kind, **values)


def opened(exam: Exam) -> dt.datetime:
    """A moment inside the exam's window."""
    return exam.opens_at + dt.timedelta(minutes=5)


def png_bytes(width: int = 4, height: int = 3, mode: str = "RGB") -> bytes:
    """A real PNG drawn by Pillow (held in memory: keep it small)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def huge_png(width: int = 16_000, height: int = 16_000) -> bytes:
    """A real, valid PNG of ``width`` x ``height`` black-and-white pixels that weighs a few
    tens of KB (16000 x 16000: 31 KB) and would cost a browser 4 bytes a pixel: written
    row by row, never held as an image."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then 1 bit a pixel
    pixels = b"".join(packer.compress(row) for _row in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
