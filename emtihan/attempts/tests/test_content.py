"""The written-answer allow-list and renderer: nothing a student (or a tampered request)
puts into the ProseMirror JSON becomes markup, links or foreign images."""

from __future__ import annotations

import hashlib
import json
from html.parser import HTMLParser

import pytest

from emtihan.attempts import content
from emtihan.core.errors import ValidationFailed
from emtihan.exams.models import QuestionKind


def clean(doc_content: list, *, pictures=lambda src: False) -> list:
    result = content.clean_content(
        kind=QuestionKind.WRITTEN,
        content={"doc": {"type": "doc", "content": doc_content}},
        picture_src=pictures,
    )
    return result.content["doc"]["content"]


def para(*inline) -> dict:
    return {"type": "paragraph", "content": list(inline)}


def text(value: str, *marks) -> dict:
    node: dict = {"type": "text", "text": value}
    if marks:
        node["marks"] = list(marks)
    return node


def html(doc_content: list, **kwargs) -> str:
    """Cleaned, rendered and sanitised: what a page would show."""
    return content.render_html({"type": "doc", "content": clean(doc_content, **kwargs)})


@pytest.fixture
def own_renderer_only(monkeypatch):
    """Structure tests look at this module's renderer, before the shared sanitiser (which
    may normalise attributes its own way)."""
    monkeypatch.setattr(content, "sanitize_html", lambda value: value)


def test_a_script_in_text_stays_text_and_is_escaped():
    nodes = [para(text("<script>alert(1)</script>"))]
    assert clean(nodes) == nodes
    rendered = html(nodes)
    assert "<script" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered


def test_a_javascript_link_loses_the_link_and_keeps_the_text():
    link = {"type": "link", "attrs": {"href": "javascript:alert(1)", "target": "_blank"}}
    nodes = [para(text("click me", link, {"type": "bold"}))]
    assert clean(nodes) == [para(text("click me", {"type": "bold"}))]
    rendered = html(nodes)
    assert "javascript" not in rendered and "href" not in rendered
    assert "<strong>click me</strong>" in rendered


def test_an_image_with_an_external_src_is_dropped():
    image = {"type": "image", "attrs": {"src": "https://evil.example/track.png", "alt": "x"}}
    assert clean([para(text("a"), image)]) == [para(text("a"))]
    assert clean([image]) == [{"type": "paragraph"}]


@pytest.mark.parametrize(
    "src",
    [
        "//evil.example/sitting/1/pictures/2/",
        "/sitting/1/pictures/2/?x=1",
        "javascript:alert(1)",
        "/sitting/1/",
        "data:image/png;base64,AAAA",
    ],
)
def test_picture_ref_only_accepts_our_picture_paths(src):
    assert content.picture_ref(src) is None


def test_picture_ref_reads_our_picture_paths(db):
    assert content.picture_ref("/sitting/12/pictures/34/") == (12, 34)


def test_an_image_of_this_attempt_is_kept_with_its_alt_text_only(own_renderer_only):
    image = {
        "type": "image",
        "attrs": {
            "src": "/sitting/1/pictures/2/",
            "alt": "graph",
            "onerror": "alert(1)",
            "title": "t",
        },
    }
    kept = clean([image], pictures=lambda src: src == "/sitting/1/pictures/2/")
    assert kept == [{"type": "image", "attrs": {"src": "/sitting/1/pictures/2/", "alt": "graph"}}]
    rendered = html([image], pictures=lambda src: True)
    assert rendered == '<img src="/sitting/1/pictures/2/" alt="graph">'


def test_picture_ids_in_finds_only_this_attempts_pictures():
    doc = {
        "doc": {
            "type": "doc",
            "content": [
                {"type": "image", "attrs": {"src": "/sitting/7/pictures/1/"}},
                para({"type": "image", "attrs": {"src": "/sitting/7/pictures/2/"}}),
                {"type": "image", "attrs": {"src": "/sitting/8/pictures/3/"}},
            ],
        }
    }
    assert content.picture_ids_in(doc, attempt_id=7) == {1, 2}


def test_math_keeps_its_latex_as_text(own_renderer_only):
    formula = {"type": "math", "attrs": {"latex": r"\ce{H2O} < \frac{1}{2}", "onclick": "x"}}
    display = {"type": "math", "attrs": {"latex": r"E=mc^2", "display": True}}
    assert clean([para(formula), display]) == [
        para({"type": "math", "attrs": {"latex": r"\ce{H2O} < \frac{1}{2}"}}),
        {"type": "math", "attrs": {"latex": "E=mc^2", "display": True}},
    ]
    rendered = html([para(formula)])
    assert r"\(\ce{H2O} &lt; \frac{1}{2}\)" in rendered


def test_a_script_in_latex_is_only_text():
    rendered = html([para({"type": "math", "attrs": {"latex": "</span><script>x</script>"}})])
    assert "<script" not in rendered


def test_unknown_nodes_are_unwrapped_so_no_text_is_lost():
    nodes = [
        {"type": "blockquote", "content": [para(text("quoted"))]},
        {"type": "codeBlock", "content": [text("x = 1")]},
        {"type": "iframe", "attrs": {"src": "https://evil.example"}},
        para({"type": "mention", "content": [text("inside")]}),
    ]
    assert clean(nodes) == [para(text("quoted")), para(text("x = 1")), para(text("inside"))]


def test_attributes_outside_the_allow_list_are_removed():
    nodes = [
        {
            "type": "paragraph",
            "attrs": {"textAlign": "center", "style": "x"},
            "content": [text("a")],
        },
        {"type": "heading", "attrs": {"level": 6, "id": "x"}, "content": [text("b")]},
    ]
    assert clean(nodes) == [
        para(text("a")),
        {"type": "heading", "attrs": {"level": 3}, "content": [text("b")]},
    ]


def test_lists_and_tables_keep_their_structure(own_renderer_only):
    nodes = [
        {
            "type": "orderedList",
            "attrs": {"start": 3},
            "content": [{"type": "listItem", "content": [para(text("three"))]}],
        },
        {
            "type": "table",
            "content": [
                {
                    "type": "tableRow",
                    "content": [
                        {
                            "type": "tableHeader",
                            "attrs": {"colspan": 2, "rowspan": 1},
                            "content": [para(text("h"))],
                        },
                        {
                            "type": "tableCell",
                            "attrs": {"style": "x"},
                            "content": [para(text("c"))],
                        },
                    ],
                }
            ],
        },
    ]
    cleaned = clean(nodes)
    assert cleaned[0]["attrs"] == {"start": 3}
    assert cleaned[1]["content"][0]["content"][0]["attrs"] == {"colspan": 2}
    assert "attrs" not in cleaned[1]["content"][0]["content"][1]
    rendered = html(nodes)
    assert '<ol start="3"><li><p>three</p></li></ol>' in rendered
    assert '<th colspan="2"><p>h</p></th><td><p>c</p></td>' in rendered


def test_marks_come_in_one_order_so_the_digest_does_not_depend_on_clicks():
    one = clean([para(text("x", {"type": "italic"}, {"type": "bold"}))])
    two = clean([para(text("x", {"type": "bold"}, {"type": "italic"}, {"type": "bold"}))])
    assert one == two


def test_a_document_nested_too_deeply_is_refused():
    node: dict = para(text("deep"))
    for _ in range(60):
        node = {"type": "blockquote", "content": [node]}
    with pytest.raises(ValidationFailed) as exc:
        clean([node])
    assert exc.value.errors == {"content": [content.ERR_TOO_DEEP]}


def test_the_digest_is_sha256_of_the_canonical_json():
    value = {"doc": {"type": "doc", "content": [para(text("Сәлем"))]}}
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert content.digest_of(value) == hashlib.sha256(canonical.encode()).hexdigest()
    assert content.clean_content(
        kind=QuestionKind.WRITTEN, content=value
    ).digest == content.digest_of(value)


@pytest.mark.parametrize("kind", list(QuestionKind))
def test_the_empty_content_of_each_kind_is_valid(kind):
    empty = content.empty_content(kind)
    assert content.clean_content(kind=kind, content=empty, option_ids=["a"]).content == empty


def test_the_sanitiser_keeps_nothing_active_in_a_hostile_document():
    """Even with the picture check fooled (``pictures`` says yes to everything), the output
    has no script, no event handler, no link and no foreign image: only escaped text."""
    hostile = [
        para(text("<img src=x onerror=alert(1)>"), {"type": "hardBreak"}),
        para(text("x", {"type": "link", "attrs": {"href": "javascript:alert(1)"}})),
        {"type": "image", "attrs": {"src": "https://evil.example/x.png", "onerror": "alert(1)"}},
        para({"type": "math", "attrs": {"latex": "<script>alert(1)</script>"}}),
    ]
    tags = Tags()
    tags.feed(html(hostile, pictures=lambda src: True))
    assert {"script", "a", "iframe"}.isdisjoint(tag for tag, _attrs in tags.seen)
    for _tag, attrs in tags.seen:
        for name, value in attrs:
            assert not name.startswith("on")
            assert "evil.example" not in (value or "") and "javascript" not in (value or "")


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, attrs))
