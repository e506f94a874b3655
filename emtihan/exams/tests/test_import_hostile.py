"""Hostile text in an imported file costs linear time: no pattern scans the rest of a line
again for every character (the Markdown inline regex did: a 96 KB GIFT line held a
server process for 55 s, 300 KB about ten minutes).

Times are the process's CPU time, so a busy test machine does not make them flaky; the
bound is generous (each case takes a fraction of it), and the wall clock is bounded too.
The quadratic code took minutes of either for each 300 KB case.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest

from emtihan.exams.importers import gift, moodle_xml
from emtihan.exams.importers.base import plain_name
from emtihan.exams.importers.markdown import inline, markdown_html

LINE = 300_000  # characters
CPU_SECONDS = 1.0

# Each repeated to a 300 KB line: openings that never close, closings that never open,
# marks that all pair up, and mixtures of the three kinds of span.
HOSTILE = [" _a", " *a", "**a", "__a", "`a", "*", "_", "`", " _a_b", "a* ", "** ", "_ ", " *a*",
           "a_ _", "`*", "`**", "__*", "**_a_", "<", "&", "*_`"]  # fmt: skip


WALL_SECONDS = 30.0  # wall clock as well: generous, since a shared machine stalls (the old code took 55 s to 10 min)


def cpu_seconds(call, *args):
    started, wall = time.process_time(), time.monotonic()
    result = call(*args)
    assert time.monotonic() - wall < WALL_SECONDS
    return time.process_time() - started, result


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("*Why*?", "<em>Why</em>?"),
        ("**bold** and *it*", "<strong>bold</strong> and <em>it</em>"),
        ("_em_ and __strong__", "<em>em</em> and <strong>strong</strong>"),
        ("snake_case_name and x_y_z", "snake_case_name and x_y_z"),
        ("2 * 3 * 4 and a * b*", "2 * 3 * 4 and a * b*"),
        ("`a*b*` then *c*", "<code>a*b*</code> then <em>c</em>"),
        ("**a _b_ c**", "<strong>a <em>b</em> c</strong>"),
        ("**x `y` z**", "**x <code>y</code> z**"),  # a span never crosses another's edge
        ("``x``", "`<code>x</code>`"),
        ("`x and **y and *z and _w", "`x and **y and *z and _w"),
        ("1 < 2 & *3 > 2*", "1 &lt; 2 &amp; <em>3 &gt; 2</em>"),
        ("*a*b*", "<em>a</em>b*"),
        ("***a***", "<strong>*a</strong>*"),
    ],
)
def test_inline_markdown(text, html):
    assert inline(text) == html


def test_blocks():
    text = "# Title\n\n- a\n- *b*\n\n1. x\n2) y\n\n  \nfirst\nsecond"
    assert markdown_html(text) == (
        "<h1>Title</h1><ul><li>a</li><li><em>b</em></li></ul>"
        "<ol><li>x</li><li>y</li></ol><p>first<br>second</p>"
    )


@pytest.mark.parametrize("pattern", HOSTILE)
def test_a_300_kb_line_of_inline_markdown_takes_linear_time(pattern):
    line = pattern * (LINE // len(pattern))
    seconds, _html = cpu_seconds(inline, line)
    assert seconds < CPU_SECONDS, f"{pattern!r}: {seconds:.2f} s"


@pytest.mark.parametrize("pattern", [" _a", "*", "`**", "<"])
def test_a_300_kb_markdown_question_imports_in_linear_time(pattern):
    line = pattern * (LINE // len(pattern))
    seconds, result = cpu_seconds(gift.parse, f"::q::[markdown]{line}{{}}\n".encode())
    assert result.ok and len(result.questions) == 1
    assert seconds < 2 * CPU_SECONDS, f"GIFT {pattern!r}: {seconds:.2f} s"
    text = line.replace("&", "&amp;").replace("<", "&lt;")
    xml = (
        '<?xml version="1.0"?><quiz><question type="essay"><name><text>q</text></name>'
        f'<questiontext format="markdown"><text>{text}</text></questiontext></question></quiz>'
    )
    seconds, result = cpu_seconds(moodle_xml.parse, xml.encode())
    assert result.ok and len(result.questions) == 1
    assert seconds < 2 * CPU_SECONDS, f"Moodle XML {pattern!r}: {seconds:.2f} s"


@pytest.mark.parametrize("pattern", ["<", "<a", "<<>"])
def test_names_with_300_kb_of_angle_brackets(pattern):
    text = pattern * (LINE // len(pattern))
    seconds, _name = cpu_seconds(plain_name, text)
    assert seconds < CPU_SECONDS
    seconds, result = cpu_seconds(gift.parse, f"::{text}::{text}{{}}\n".encode())
    assert seconds < 2 * CPU_SECONDS and result.ok


@pytest.mark.parametrize("pattern", ["{:SA:", "{1:MULTICHOICE:=a~b}", "{:NM:1}{"])
def test_a_300_kb_cloze_question_is_judged_in_linear_time(pattern):
    text = (pattern * (LINE // len(pattern))).replace("<", "&lt;")
    xml = (
        '<?xml version="1.0"?><quiz><question type="cloze"><name><text>c</text></name>'
        f"<questiontext><text>{text}</text></questiontext></question></quiz>"
    )
    seconds, result = cpu_seconds(moodle_xml.parse, xml.encode())
    assert [s.kind for s in result.skipped] == ["cloze"]
    assert seconds < CPU_SECONDS


def test_cloze_defects_are_still_found():
    assert moodle_xml.cloze_defect("no parts") == moodle_xml.CLOZE_NO_PARTS
    assert moodle_xml.cloze_defect("{1:MC:=a~b} and {1:SA:=x}") == ""
    assert moodle_xml.cloze_defect("{1:MC:=a}") == moodle_xml.CLOZE_FEW_CHOICES % {"n": 1}
    assert moodle_xml.cloze_defect("{1:SA:=x} {1:NM:abc}") == (
        moodle_xml.CLOZE_NOT_NUMBER % {"n": 2, "value": "abc"}
    )
    assert moodle_xml.cloze_defect("{1:SA:x {1:SA:=y}") == moodle_xml.CLOZE_NO_FULL % {"n": 1}


def test_twenty_megabytes_of_xml_elements_are_refused_without_building_the_tree(monkeypatch):
    """5 million elements: ElementTree's whole tree took half a gigabyte and 11 s."""
    data = b"<?xml version='1.0'?><quiz>" + b"<a/>" * 5_000_000 + b"</quiz>"
    seconds, result = cpu_seconds(moodle_xml.parse, data)
    assert [e.message for e in result.errors] == [
        moodle_xml.ERR_XML_TOO_BIG % {"n": moodle_xml.MAX_XML_ELEMENTS}
    ]
    assert seconds < 5 * CPU_SECONDS
    # Memory, measured apart (tracing makes everything slow, so with a lower limit): what
    # the file costs does not grow with its elements.
    monkeypatch.setattr(moodle_xml, "MAX_XML_ELEMENTS", 50_000)
    tracemalloc.start()
    try:
        moodle_xml.parse(data)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 80 * 1024 * 1024  # the file, its decoded text and pieces; never the tree


def test_questions_are_let_go_once_read():
    question = (
        '<question type="essay"><name><text>q</text></name><questiontext format="html">'
        "<text>&lt;p&gt;Explain.&lt;/p&gt;</text></questiontext></question>"
    )
    data = ("<quiz>" + question * 900 + "</quiz>").encode()
    result = moodle_xml.parse(data)
    assert result.ok and len(result.questions) == 900
