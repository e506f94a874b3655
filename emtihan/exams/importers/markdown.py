"""Moodle's "Markdown" text format, the small part of it questions use, in linear time.

Blocks: paragraphs (a blank line between), lists (every line starting with ``-``, ``*``,
``+`` or ``1.``), headings (``#`` to ``####``). Inline: ```code```, ``**strong**`` and
``__strong__``, ``*emphasis*`` and ``_emphasis_`` (an underscore inside a word, as in
``snake_case``, stays an underscore).

The inline part used to be three regular expressions with lazy ``.+?`` between
delimiters; on a line like `` _a _a _a ...`` every opening ``_`` scanned to the end of
the line for a closing one, so a 96 KB GIFT line held a server process for 55 s (300 KB:
about ten minutes). This scanner finds every candidate closing delimiter once, and each
opening delimiter looks its closing one up by bisection: O(n log n) for a line of n
characters, whatever it holds (``tests/test_import_markdown.py``).

The result is HTML to be sanitised by the caller (``base.to_html`` does).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right

BULLET = re.compile(r"^[-*+]\s+")
NUMBERED = re.compile(r"^\d+[.)]\s+")
HEADING = re.compile(r"^(#{1,4})\s+(.*)$")
BLOCKS = re.compile(r"\n[ \t\r\f\v]*\n")


def markdown_html(text: str) -> str:
    out = []
    for block in [b for b in BLOCKS.split(text) if b.strip()]:
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        for marker, tag in ((BULLET, "ul"), (NUMBERED, "ol")):
            if all(marker.match(line) for line in lines):
                items = "".join(
                    f"<li>{inline(marker.sub('', line, count=1))}</li>" for line in lines
                )
                out.append(f"<{tag}>{items}</{tag}>")
                break
        else:
            heading = HEADING.match(lines[0]) if len(lines) == 1 else None
            if heading:
                level = len(heading.group(1))
                out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
            else:
                out.append("<p>" + "<br>".join(inline(line) for line in lines) + "</p>")
    return "".join(out)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


# Candidate delimiters, each kind found by one linear scan of the line (fixed-width
# lookarounds only, evaluated on the whole line).
STRONG = {"**": re.compile(r"(?=\*\*)"), "__": re.compile(r"(?=__)")}
EMPHASIS_OPENING = {
    "*": re.compile(r"(?<![\w*])\*(?=\S)"),  # not after a letter, digit or "*"; not before a space
    "_": re.compile(r"(?<!\w)_(?=\S)"),
}
EMPHASIS_CLOSING = {
    "*": re.compile(r"(?<=\S)\*"),  # not after a space
    "_": re.compile(r"(?<=\S)_(?!\w)"),  # nor, for "_", before a letter or digit
}


def _marks(text: str, patterns: dict[str, re.Pattern[str]]) -> dict[str, list[int]]:
    return {mark: [m.start() for m in pattern.finditer(text)] for mark, pattern in patterns.items()}


def _pair_up(
    size: int,
    openers: dict[str, list[int]],
    closers: dict[str, list[int]],
    barriers: list[tuple[int, int]],
    *,
    gap: int,
    width: int,
) -> list[tuple[int, int]]:
    """``(open, close)`` pairs of marks, leftmost first, not overlapping and not crossing
    a barrier (a sorted list of ``[start, end)`` spans): each opening mark with the
    nearest closing one at least ``gap`` characters on (``width``: the mark's length).
    Each opening mark is looked at once, with two bisections."""
    starts = [start for start, _end in barriers]
    pairs = []
    position = 0
    for opening, mark in sorted((p, mark) for mark, ps in openers.items() for p in ps):
        if opening < position:
            continue
        before = bisect_right(starts, opening) - 1
        if before >= 0 and opening < barriers[before][1]:
            continue  # inside a code span or a strong mark
        end = starts[before + 1] if before + 1 < len(starts) else size
        candidates = closers[mark]
        found = bisect_left(candidates, opening + gap)
        if found == len(candidates) or candidates[found] + width > end:
            continue
        pairs.append((opening, candidates[found]))
        position = candidates[found] + width
    return pairs


def _code_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of backtick pairs with at least one character between (a lone or
    doubled backtick stays text)."""
    spans = []
    position = 0
    while (tick := text.find("`", position)) != -1:
        close = text.find("`", tick + 1)
        if close == -1:
            break
        if close == tick + 1:
            position = tick + 1
            continue
        spans.append((tick, close + 1))
        position = close + 1
    return spans


def inline(text: str) -> str:
    """One line: code spans first (nothing inside them is formatted), then ``**strong**``
    and ``__strong__`` in the text between them, then ``*emphasis*`` and ``_emphasis_``
    inside and between those. A formatted span never crosses another's edge."""
    size = len(text)
    code = _code_spans(text)
    replaced = [
        (start, end, f"<code>{_escape(text[start + 1 : end - 1])}</code>") for start, end in code
    ]
    strong_marks = _marks(text, STRONG)
    strong = _pair_up(size, strong_marks, strong_marks, code, gap=3, width=2)
    edges = [(opening, opening + 2) for opening, _close in strong]
    edges += [(close, close + 2) for _opening, close in strong]
    replaced += [(opening, opening + 2, "<strong>") for opening, _close in strong]
    replaced += [(close, close + 2, "</strong>") for _opening, close in strong]
    emphasis = _pair_up(
        size,
        _marks(text, EMPHASIS_OPENING),
        _marks(text, EMPHASIS_CLOSING),
        sorted(code + edges),
        gap=2,
        width=1,
    )
    replaced += [(opening, opening + 1, "<em>") for opening, _close in emphasis]
    replaced += [(close, close + 1, "</em>") for _opening, close in emphasis]
    out = []
    position = 0
    for start, end, markup in sorted(replaced):
        out.append(_escape(text[position:start]))
        out.append(markup)
        position = end
    out.append(_escape(text[position:]))
    return "".join(out)
