"""Pictures in questions are bounded by their pixels, read from the header, wherever they
come in: the teacher's editor and the API (text and options), Moodle XML (embedded files
and inline data: URLs) and GIFT. A 31 KB PNG of 16000 x 16000 pixels used to be accepted
and cost every student's browser about 1 GB."""

from __future__ import annotations

import base64
import io
import time

import pytest
from PIL import Image

from emtihan.core import pictures
from emtihan.core.errors import ValidationFailed
from emtihan.exams import services, specs
from emtihan.exams.importers import gift, moodle_xml
from emtihan.exams.models import Question, QuestionKind

from .conftest import OPTIONS, add_question, huge_png, png_bytes
from .test_api import api_for

LIMITS = specs.LIMITS


def data_url(content: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(content).decode()


def animated_gif(frames: int, side: int) -> bytes:
    images = [Image.new("P", (side, side), n) for n in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def test_the_header_is_read_not_the_pixels():
    content = huge_png()
    assert len(content) < 42 * 1024
    started = time.process_time()
    problem = pictures.picture_problem(content)
    assert time.process_time() - started < 0.5  # decoding 256 megapixels takes seconds
    assert problem == pictures.PictureProblem(pictures.TOO_MANY_PIXELS, 16_000, 16_000)


@pytest.mark.parametrize(
    ("size", "refused"),
    [((4000, 2000), False), ((4001, 2000), True), ((8192, 900), False), ((8193, 10), True)],
)
def test_the_limits_are_megapixels_and_sides(size, refused):
    problem = pictures.picture_problem(huge_png(*size))
    assert (problem is not None) == refused


def test_a_huge_picture_in_the_question_is_refused_and_nothing_is_written(world, exam):
    body = f'<p>Graph:</p><img src="{data_url(png_bytes())}"><img src="{data_url(huge_png())}">'
    with pytest.raises(ValidationFailed) as exc:
        add_question(world, exam, kind=QuestionKind.WRITTEN, body=body)
    assert exc.value.errors["body"] == [
        services.ERR_BODY_PICTURE_PIXELS % {"n": 2, "width": 16_000, "height": 16_000, **LIMITS}
    ]
    assert not Question.objects.filter(exam=exam).exists()


def test_a_long_animation_is_refused(world, exam):
    body = f'<img src="{data_url(animated_gif(40, 1000), "image/gif")}">'
    with pytest.raises(ValidationFailed) as exc:
        add_question(world, exam, kind=QuestionKind.WRITTEN, body=body)
    assert exc.value.errors["body"] == [
        specs.ERR_BODY_PICTURE_FRAMES % {"n": 1, "frames": 40, "width": 1000, "height": 1000}
    ]


def test_a_huge_picture_in_an_option_is_refused(world, exam):
    options = [dict(OPTIONS[0], html=f'<img src="{data_url(huge_png())}">'), *OPTIONS[1:]]
    with pytest.raises(ValidationFailed) as exc:
        add_question(world, exam, spec={"options": options})
    assert exc.value.errors["spec"] == [specs.ERR_OPTION_PICTURE % {"n": 1, "picture": 1, **LIMITS}]
    options[0]["html"] = f'<img src="{data_url(png_bytes())}">'
    assert add_question(world, exam, spec={"options": options}).pk


def test_the_api_refuses_it_with_the_same_message(client, world, exam):
    api = api_for(client, world.teacher)
    payload = {"kind": "written", "body": f'<img src="{data_url(huge_png())}">'}
    response = api.send("post", f"{exam.pk}/questions", payload)
    assert response.status_code == 400
    assert response.json()["errors"]["body"] == [
        services.ERR_BODY_PICTURE_PIXELS % {"n": 1, "width": 16_000, "height": 16_000, **LIMITS}
    ]


def _moodle(question_text: str, files: str = "") -> bytes:
    return f"""<?xml version="1.0"?><quiz><question type="essay"><name><text>Graph</text></name>
      <questiontext format="html"><text><![CDATA[{question_text}]]></text>{files}</questiontext>
      </question></quiz>""".encode()


def test_moodle_xml_leaves_an_embedded_huge_picture_out_with_a_note():
    content = base64.b64encode(huge_png()).decode()
    result = moodle_xml.parse(
        _moodle(
            '<p>See</p><img src="@@PLUGINFILE@@/big.png">',
            f'<file name="big.png" path="/" encoding="base64">{content}</file>',
        )
    )
    assert result.ok
    (question,) = result.questions
    assert question.body == "<p>See</p><img>"  # as for any file left out
    assert question.notes == [
        moodle_xml.NOTE_PICTURE_PIXELS
        % {"name": "big.png", "width": 16_000, "height": 16_000, "frames": 1, **LIMITS}
    ]


def test_an_inline_huge_picture_blocks_the_import():
    message = services.ERR_BODY_PICTURE_PIXELS % {
        "n": 1,
        "width": 16_000,
        "height": 16_000,
        **LIMITS,
    }
    picture = f'<img src="{data_url(huge_png())}">'
    xml = moodle_xml.parse(_moodle(f"<p>See</p>{picture}"))
    assert [e.message for e in xml.errors] == [message]
    text = f"::Graph::[html]<p>See</p>{picture}{{}}\n".encode()
    assert [e.message for e in gift.parse(text).errors] == [message]
