"""Answer content: its shape per question kind, the written-answer sanitiser and renderer.

A written answer is a ProseMirror/Tiptap document. The browser's JSON is never trusted:
``clean_content`` rebuilds it from an allow-list of node and mark types and attributes
(docs/EXAM-SITTING.md, "Content formats"), so what is stored is exactly what the server
is willing to render. Anything unknown is dropped, but its text is kept: a node the
editor has and the contract does not (a blockquote, a code block) is unwrapped into
paragraphs rather than losing what the student typed.

``render_html`` turns a cleaned document into HTML with this module's own renderer
(every text is escaped here) and then passes it through ``sanitize_html`` as defence in
depth. Nothing here touches the database: the caller says which pictures exist.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from typing import Any

from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from emtihan.core.errors import ValidationFailed
from emtihan.core.sanitize import sanitize_html
from emtihan.exams.models import QuestionKind

ERR_SHAPE = gettext_noop("This answer is not in the form this question expects.")
ERR_TOO_LARGE = gettext_noop(
    "This answer is too large to save (at most 256 KB of text and formatting). Split it into shorter parts."
)
ERR_TOO_DEEP = gettext_noop("This answer is nested too deeply to save.")
ERR_UNKNOWN_OPTION = gettext_noop("This option is not one of the question's options.")
ERR_TEXT_TOO_LONG = gettext_noop("This answer is too long for this question.")

MAX_CONTENT_BYTES = 256 * 1024
MAX_DEPTH = 40
MAX_LATEX_CHARS = 10_000
MAX_ALT_CHARS = 300
MAX_SHORT_CHARS = 1_000
MAX_NUMERIC_CHARS = 100
MAX_SPAN = 50  # table colspan/rowspan

TRUE_FALSE_OPTIONS = ("true", "false")

MARK_TAGS = {
    "bold": "strong",
    "italic": "em",
    "underline": "u",
    "strike": "s",
    "subscript": "sub",
    "superscript": "sup",
}
CELL_TYPES = ("tableCell", "tableHeader")


def canonical_json(content: Any) -> str:
    """The one serialisation digests are computed over (docs/EXAM-SITTING.md)."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(content: Any) -> str:
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


@dataclass(frozen=True)
class CleanContent:
    content: dict[str, Any]
    digest: str


def empty_content(kind: str) -> dict[str, Any]:
    """What an unanswered question holds (the ``empty`` time-out policy records this)."""
    if kind == QuestionKind.WRITTEN:
        return {"doc": {"type": "doc", "content": [{"type": "paragraph"}]}}
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE):
        return {"choice": None}
    if kind == QuestionKind.MULTIPLE:
        return {"choices": []}
    return {"text": ""}


def clean_content(
    *,
    kind: str,
    content: Any,
    option_ids: Iterable[str] = (),
    picture_src: Callable[[str], bool] = lambda src: False,
) -> CleanContent:
    """Check ``content`` against the kind's shape and return the cleaned copy and its digest.

    ``option_ids``: the question's options (choice kinds); ``picture_src(src)`` says
    whether an image source is a picture of this attempt (written answers).
    Raises ``ValidationFailed`` on the ``content`` field.
    """
    if not isinstance(content, dict):
        raise _invalid(ERR_SHAPE)
    if len(canonical_json(content).encode()) > MAX_CONTENT_BYTES:
        raise _invalid(ERR_TOO_LARGE)
    cleaned: dict[str, Any]
    if kind == QuestionKind.WRITTEN:
        cleaned = {"doc": _clean_doc(content, picture_src)}
    elif kind == QuestionKind.SINGLE:
        cleaned = {"choice": _one_choice(content, list(option_ids))}
    elif kind == QuestionKind.TRUE_FALSE:
        cleaned = {"choice": _one_choice(content, list(TRUE_FALSE_OPTIONS))}
    elif kind == QuestionKind.MULTIPLE:
        cleaned = {"choices": _many_choices(content, list(option_ids))}
    elif kind == QuestionKind.SHORT:
        cleaned = {"text": _text(content, MAX_SHORT_CHARS)}
    elif kind == QuestionKind.NUMERIC:
        cleaned = {"text": _text(content, MAX_NUMERIC_CHARS)}
    else:
        raise _invalid(ERR_SHAPE)
    serialised = canonical_json(cleaned)
    if len(serialised.encode()) > MAX_CONTENT_BYTES:
        raise _invalid(ERR_TOO_LARGE)
    return CleanContent(cleaned, hashlib.sha256(serialised.encode()).hexdigest())


def picture_ids_in(content: Any, *, attempt_id: int) -> set[int]:
    """Ids of this attempt's pictures an (uncleaned) written answer refers to."""
    found: set[int] = set()
    stack = [content.get("doc")] if isinstance(content, dict) else []
    seen = 0
    while stack and seen < 100_000:
        node = stack.pop()
        seen += 1
        if not isinstance(node, dict):
            continue
        if node.get("type") == "image":
            picture = picture_ref(_attr(node, "src"))
            if picture is not None and picture[0] == attempt_id:
                found.add(picture[1])
        children = node.get("content")
        if isinstance(children, list):
            stack.extend(children)
    return found


def picture_ref(src: Any) -> tuple[int, int] | None:
    """``(attempt_id, picture_id)`` if ``src`` is the path of a picture served by
    ``attempts:picture`` (a same-site path, no scheme, host or query)."""
    if not isinstance(src, str) or not src.startswith("/") or src.startswith("//"):
        return None
    if any(c in src for c in "?#\\ \t\n"):
        return None
    try:
        match = resolve(src)
    except Resolver404:
        return None
    if match.view_name != "attempts:picture":
        return None
    return int(match.kwargs["attempt_id"]), int(match.kwargs["picture_id"])


# --- choices and text ------------------------------------------------------------------


def _one_choice(content: dict[str, Any], options: list[str]) -> str | None:
    if set(content) != {"choice"}:
        raise _invalid(ERR_SHAPE)
    choice = content["choice"]
    if choice is None:
        return None
    if not isinstance(choice, str):
        raise _invalid(ERR_SHAPE)
    if choice not in options:
        raise _invalid(ERR_UNKNOWN_OPTION)
    return choice


def _many_choices(content: dict[str, Any], options: list[str]) -> list[str]:
    if set(content) != {"choices"} or not isinstance(content["choices"], list):
        raise _invalid(ERR_SHAPE)
    chosen = content["choices"]
    if not all(isinstance(c, str) for c in chosen):
        raise _invalid(ERR_SHAPE)
    if any(c not in options for c in chosen):
        raise _invalid(ERR_UNKNOWN_OPTION)
    # In the options' order, once each: the same selection always has the same digest.
    return [o for o in options if o in set(chosen)]


def _text(content: dict[str, Any], limit: int) -> str:
    if set(content) != {"text"} or not isinstance(content["text"], str):
        raise _invalid(ERR_SHAPE)
    if len(content["text"]) > limit:
        raise _invalid(ERR_TEXT_TOO_LONG)
    return content["text"]


# --- written answers: the ProseMirror allow-list ---------------------------------------


def _clean_doc(content: dict[str, Any], picture_src: Callable[[str], bool]) -> dict[str, Any]:
    doc = content.get("doc")
    if set(content) != {"doc"} or not isinstance(doc, dict) or doc.get("type") != "doc":
        raise _invalid(ERR_SHAPE)
    walker = _DocWalker(picture_src)
    blocks = walker.blocks(_children(doc), 1)
    return {"type": "doc", "content": blocks or [{"type": "paragraph"}]}


class _DocWalker:
    def __init__(self, picture_src: Callable[[str], bool]) -> None:
        self.picture_src = picture_src

    def blocks(self, nodes: list[Any], depth: int) -> list[dict[str, Any]]:
        """Block content (doc, list item, table cell). Stray inline nodes (text at the
        top level, the lines of an unknown code block) are gathered into paragraphs."""
        if depth > MAX_DEPTH:
            raise _invalid(ERR_TOO_DEEP)
        out: list[dict[str, Any]] = []
        inline: list[dict[str, Any]] = []

        def flush() -> None:
            if inline:
                out.append({"type": "paragraph", "content": list(inline)})
                inline.clear()

        for node in nodes:
            if not isinstance(node, dict):
                continue
            kind = node.get("type")
            if kind in ("text", "hardBreak"):
                inline.extend(self.inline([node], depth + 1))
                continue
            flush()
            if kind == "paragraph":
                out.append(
                    _with_content({"type": "paragraph"}, self.inline(_children(node), depth + 1))
                )
            elif kind == "heading":
                level = _attr(node, "level")
                level = (
                    min(max(level, 1), 3)
                    if isinstance(level, int) and not isinstance(level, bool)
                    else 1
                )
                out.append(
                    _with_content(
                        {"type": "heading", "attrs": {"level": level}},
                        self.inline(_children(node), depth + 1),
                    )
                )
            elif kind in ("bulletList", "orderedList"):
                out.extend(self.lists(node, depth + 1))
            elif kind == "table":
                out.extend(self.table(node, depth + 1))
            elif kind in ("math", "image"):
                leaf = self.leaf(node)
                if leaf is not None:
                    out.append(leaf)
            else:
                # listItem/tableRow/cell out of place, or a node type we do not keep:
                # keep what is inside.
                out.extend(self.blocks(_children(node), depth + 1))
        flush()
        return out

    def inline(self, nodes: list[Any], depth: int) -> list[dict[str, Any]]:
        if depth > MAX_DEPTH:
            raise _invalid(ERR_TOO_DEEP)
        out: list[dict[str, Any]] = []
        for node in nodes:
            if not isinstance(node, dict):
                continue
            kind = node.get("type")
            if kind == "text":
                text = node.get("text")
                if not isinstance(text, str) or not text:
                    continue
                clean: dict[str, Any] = {"type": "text", "text": text}
                marks = _marks(node.get("marks"))
                if marks:
                    clean["marks"] = marks
                out.append(clean)
            elif kind == "hardBreak":
                out.append({"type": "hardBreak"})
            elif kind in ("math", "image"):
                leaf = self.leaf(node)
                if leaf is not None:
                    out.append(leaf)
            else:
                out.extend(self.inline(_children(node), depth + 1))
        return out

    def leaf(self, node: dict[str, Any]) -> dict[str, Any] | None:
        if node.get("type") == "math":
            latex = _attr(node, "latex")
            if not isinstance(latex, str) or not latex.strip():
                return None
            attrs: dict[str, Any] = {"latex": latex[:MAX_LATEX_CHARS]}
            if _attr(node, "display") is True:
                attrs["display"] = True
            return {"type": "math", "attrs": attrs}
        src = _attr(node, "src")
        if not isinstance(src, str) or not self.picture_src(src):
            return None
        alt = _attr(node, "alt")
        image_attrs = {"src": src}
        if isinstance(alt, str) and alt:
            image_attrs["alt"] = alt[:MAX_ALT_CHARS]
        return {"type": "image", "attrs": image_attrs}

    def lists(self, node: dict[str, Any], depth: int) -> list[dict[str, Any]]:
        items = []
        for child in _children(node):
            if not isinstance(child, dict):
                continue
            inner = _children(child) if child.get("type") == "listItem" else [child]
            blocks = self.blocks(inner, depth + 1)
            if blocks:
                items.append({"type": "listItem", "content": blocks})
        if not items:
            return []
        clean: dict[str, Any] = {"type": node["type"], "content": items}
        start = _attr(node, "start")
        if node["type"] == "orderedList" and _is_int(start) and start != 1 and 0 <= start < 10**6:
            clean["attrs"] = {"start": start}
        return [clean]

    def table(self, node: dict[str, Any], depth: int) -> list[dict[str, Any]]:
        """Rows of cells; anything else found in the table follows it as paragraphs."""
        rows: list[dict[str, Any]] = []
        stray: list[Any] = []
        for row in _children(node):
            if not isinstance(row, dict):
                continue
            if row.get("type") != "tableRow":
                stray.append(row)
                continue
            cells = []
            for cell in _children(row):
                if isinstance(cell, dict) and cell.get("type") in CELL_TYPES:
                    cells.append(self.cell(cell, depth + 2))
                else:
                    stray.append(cell)
            if cells:
                rows.append({"type": "tableRow", "content": cells})
        out = [{"type": "table", "content": rows}] if rows else []
        return out + self.blocks(stray, depth + 1)

    def cell(self, cell: dict[str, Any], depth: int) -> dict[str, Any]:
        attrs: dict[str, Any] = {}
        for name in ("colspan", "rowspan"):
            value = _attr(cell, name)
            if _is_int(value) and 1 < value <= MAX_SPAN:
                attrs[name] = value
        widths = _attr(cell, "colwidth")
        if (
            isinstance(widths, list)
            and widths
            and all(_is_int(w) and 0 < w < 10_000 for w in widths)
        ):
            attrs["colwidth"] = widths
        clean: dict[str, Any] = {
            "type": cell["type"],
            "content": self.blocks(_children(cell), depth) or [{"type": "paragraph"}],
        }
        if attrs:
            clean["attrs"] = attrs
        return clean


def _children(node: dict[str, Any]) -> list[Any]:
    content = node.get("content")
    return content if isinstance(content, list) else []


def _attr(node: dict[str, Any], name: str) -> Any:
    attrs = node.get("attrs")
    return attrs.get(name) if isinstance(attrs, dict) else None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _with_content(node: dict[str, Any], content: list[dict[str, Any]]) -> dict[str, Any]:
    if content:
        node["content"] = content
    return node


def _marks(marks: Any) -> list[dict[str, str]]:
    if not isinstance(marks, list):
        return []
    kept = {m.get("type") for m in marks if isinstance(m, dict)} & MARK_TAGS.keys()
    # A fixed order: the same formatting always serialises (and digests) the same way.
    return [{"type": name} for name in MARK_TAGS if name in kept]


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed({"content": [_(message)]})


# --- rendering -------------------------------------------------------------------------


def render_html(doc: dict[str, Any]) -> str:
    """HTML of a cleaned written answer (``content["doc"]``), sanitised once more."""
    html = "".join(_render(node) for node in _children(doc))
    return sanitize_html(html)


def _render(node: Any) -> str:
    if not isinstance(node, dict):
        return ""
    kind = node.get("type")
    inner = "".join(_render(child) for child in _children(node))
    if kind == "text":
        text = escape(str(node.get("text", "")), quote=False)
        for mark in reversed(_marks(node.get("marks"))):
            tag = MARK_TAGS[mark["type"]]
            text = f"<{tag}>{text}</{tag}>"
        return text
    if kind == "paragraph":
        return f"<p>{inner}</p>"
    if kind == "heading":
        level = _attr(node, "level")
        level = level if level in (1, 2, 3) else 3
        return f"<h{level}>{inner}</h{level}>"
    if kind == "bulletList":
        return f"<ul>{inner}</ul>"
    if kind == "orderedList":
        start = _attr(node, "start")
        return f'<ol start="{start}">{inner}</ol>' if _is_int(start) else f"<ol>{inner}</ol>"
    if kind == "listItem":
        return f"<li>{inner}</li>"
    if kind == "table":
        return f"<table><tbody>{inner}</tbody></table>"
    if kind == "tableRow":
        return f"<tr>{inner}</tr>"
    if kind in CELL_TYPES:
        tag = "th" if kind == "tableHeader" else "td"
        spans = "".join(
            f' {name}="{_attr(node, name)}"'
            for name in ("colspan", "rowspan")
            if _is_int(_attr(node, name))
        )
        return f"<{tag}{spans}>{inner}</{tag}>"
    if kind == "hardBreak":
        return "<br>"
    if kind == "math":
        # LaTeX stays text between MathJax/KaTeX delimiters: no sanitiser can turn it
        # into markup, and any client-side renderer finds it.
        latex = escape(str(_attr(node, "latex") or ""), quote=False)
        if _attr(node, "display") is True:
            return f'<span class="math math-display">\\[{latex}\\]</span>'
        return f'<span class="math">\\({latex}\\)</span>'
    if kind == "image":
        src = escape(str(_attr(node, "src") or ""))
        alt = escape(str(_attr(node, "alt") or ""))
        return f'<img src="{src}" alt="{alt}">'
    return inner
