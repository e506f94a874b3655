"""The one HTML sanitiser: question bodies, options, rendered answers, comments.

An explicit allow-list on top of nh3 (ammonia, an html5ever parser: the browser's own
parsing rules, so mutation tricks that rely on a parser disagreeing do not apply).
Everything not listed is removed; the text inside a removed tag is kept, except for the
tags in ``DROPPED_WITH_CONTENT`` whose content is code or markup, never prose.

- Formatting only: paragraphs, line breaks, bold/italic/underline/strike, sub/superscript,
  headings 1-4, lists, tables (``colspan``/``rowspan``), quotes, code.
- ``span`` keeps a ``class`` only from ``SPAN_CLASSES`` (formulas: ``math``, its display
  variant, ``chem``) and the ``data-latex`` attribute (the formula's LaTeX source).
- ``img``: ``src`` must be a picture served by emtihan itself (``/sitting/<attempt>/pictures/
  <id>/``, ``/sitting/pictures/<key>/`` or ``/exams/media/...``) or an inline ``data:image/png|jpeg|gif|webp;base64,``
  (how Moodle imports carry their pictures); ``alt`` is kept. Anything else loses ``src``.
- ``a``: ``href`` only http, https or mailto; every link gets
  ``rel="noopener noreferrer"`` and ``target="_blank"``.
- No ``style``, no event handlers, no ``id``/``name`` (DOM clobbering), no forms, frames,
  SVG, MathML, ``base``/``meta``/``link``.
"""

from __future__ import annotations

import re
from html import unescape

import nh3

TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "h1",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "blockquote",
        "code",
        "pre",
        "span",
        "img",
        "a",
    }
)

# Removed together with everything inside them: their content is script, style or
# foreign markup, never text a person wrote for the reader.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "template",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "noscript",
        "noembed",
        "noframes",
        "xmp",
        "textarea",
        "select",
        "title",
    }
)

ATTRIBUTES: dict[str, set[str]] = {
    "*": set(),  # no generic attributes (nh3 would otherwise keep lang and title)
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
    "span": {"data-latex"},
    "img": {"src", "alt"},
    "a": {"href"},
}

SPAN_CLASSES = frozenset({"math", "math-display", "chem"})

# Pictures emtihan serves itself: an attempt's uploaded picture and exam media.
# A grader's page shows an attempt's picture by its random key instead (``/sitting/
# pictures/<uuid>/``): that path names no attempt.
LOCAL_PICTURE = re.compile(
    r"^/(?:sitting/\d+/pictures/\d+/|sitting/pictures/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
    r"[0-9a-f]{4}-[0-9a-f]{12}/|exams/media/[A-Za-z0-9_./-]+)$"
)
DATA_PICTURE = re.compile(r"^data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$")
LINK = re.compile(r"^(?:https?://[^\s]+|mailto:[^\s]+)$", re.IGNORECASE)
SMALL_INT = re.compile(r"^[1-9][0-9]{0,2}$")
# "<" never inside a tag here: with "[^>]*", text of many "<img " and no ">" made every
# one scan to the end (quadratic); these run on sanitised HTML, but need not trust that.
PICTURE_WITH_SOURCE = re.compile(r"<img\s[^<>]*\bsrc=")
TAG_OR_SPACE = re.compile(r"<[^<>]*>|&nbsp;|\s")


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    if tag == "img" and name == "src":
        if LOCAL_PICTURE.match(value) and ".." not in value:
            return value
        return value if DATA_PICTURE.match(value) else None
    if tag == "a" and name == "href":
        return value if LINK.match(value) else None
    if name in {"colspan", "rowspan", "start"}:
        return value if SMALL_INT.match(value) else None
    return value


_cleaner = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
    attribute_filter=_attribute_filter,
    strip_comments=True,
    link_rel="noopener noreferrer",
    set_tag_attribute_values={"a": {"target": "_blank"}},
    url_schemes={"http", "https", "mailto", "data"},
    allowed_classes={"span": set(SPAN_CLASSES)},
)


def sanitize_html(html: str) -> str:
    """The allow-listed form of ``html`` (safe to render with ``|safe``)."""
    if not html:
        return ""
    return _cleaner.clean(html)


BLOCK_END = re.compile(
    r"</(?:p|div|li|h[1-6]|td|th|tr|blockquote|pre)\s*>|<br\s*/?>", re.IGNORECASE
)
TAG = re.compile(r"<[^<>]*>")


def plain_text(html: str) -> str:
    """What a person reads in (sanitised) ``html``, as one line of plain text: tags gone,
    blocks and line breaks become spaces, character references read (``&nbsp;``,
    ``&amp;``, ``&lt;``), runs of white space one space. Formulas stay as their LaTeX.

    For lists and confirmations that quote a question; the result is text, so a template
    escapes it once (``striptags`` left ``&nbsp;`` to be escaped into "&amp;nbsp;")."""
    text = TAG.sub("", BLOCK_END.sub(" ", html or ""))
    return " ".join(unescape(text).split())


def has_content(html: str) -> bool:
    """Whether sanitised ``html`` shows anything: text or a picture."""
    if PICTURE_WITH_SOURCE.search(html):
        return True
    return bool(TAG_OR_SPACE.sub("", html))
