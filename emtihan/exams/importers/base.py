"""What both importers share: the result, text decoding, text formats, Moodle's grades.

An importer only reads: it turns a file into ``ParsedQuestion`` objects (bodies already
sanitised, specs already checked by ``specs.spec_clean``) and reports, per question,
what it could not take:

- ``errors``: a question that is malformed or invalid (a grade Moodle itself would refuse,
  a numeric answer that is not a number, a choice question without a right answer, a
  picture in its text with too many bytes or pixels: ``specs.content_problems``...).
  Any error blocks the whole import: ``questions_import`` writes nothing.
- ``skipped``: a question of a kind emtihan does not have (matching, cloze, drag and
  drop, calculated, description...): reported and left out; the rest is imported.
- ``notes``: something changed on the way (a sound file dropped, units ignored).

Indexes count the file's questions from 1 (category switches are not questions).
"""

from __future__ import annotations

import html
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from emtihan.core.sanitize import sanitize_html

from ..models import QuestionKind
from ..specs import content_problems, spec_clean
from .markdown import markdown_html

ERR_UNDECODABLE = gettext_noop(
    "The file is neither UTF-8 nor Windows-1252 nor Windows-1251 text: save it as UTF-8 and try again."
)
ERR_EMPTY_FILE = gettext_noop("The file holds no questions.")
ERR_INVALID_GRADE = gettext_noop(
    "%(what)s: %(grade)s%% is not one of Moodle's grades (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0, or the same negative)."
)
ERR_POINTS = gettext_noop(
    "The question's mark (%(value)s) must be a number more than 0 and at most 1000."
)
NOTE_DUPLICATE_NAME = gettext_noop("Another question in this file has the same name.")
ERR_NO_ROOM = gettext_noop(
    "The file holds more questions than the exam has room for: an exam holds at most %(max)d questions and this one has room for %(room)d more. Split the file or delete questions first."
)
ERR_TOO_SLOW = gettext_noop(
    "Reading the file took longer than %(minutes)d minutes, so it was stopped and nothing was imported: split it into smaller files."
)

# Moodle's grade list (question_bank::fraction_options_full), as fractions.
MOODLE_GRADES = (
    1.0,
    0.9,
    0.8333333,
    0.8,
    0.75,
    0.7,
    0.6666667,
    0.6,
    0.5,
    0.4,
    0.3333333,
    0.3,
    0.25,
    0.2,
    0.1666667,
    0.1428571,
    0.125,
    0.1111111,
    0.1,
    0.05,
    0.0,
)
GRADE_TOLERANCE = 0.00001  # Moodle's own slack when it matches an imported grade

# "<" cannot occur inside a tag: without it "<<<<..." (no ">") would make every "<" scan
# to the end of the text, quadratic in its length.
TAG = re.compile(r"<[^<>]*>")
BLOCK_TAG = re.compile(r"<(?:p|div|br|table|ul|ol|h[1-6]|blockquote|pre)\b", re.IGNORECASE)


class ImportIssue(NamedTuple):
    """A question (``index`` 0: the file itself) that blocks the import."""

    index: int  # type: ignore[assignment]  # shadows tuple.index on purpose: the field's name
    name: str
    message: str


class SkippedQuestion(NamedTuple):
    index: int  # type: ignore[assignment]  # as in ImportIssue
    name: str
    kind: str
    reason: str


@dataclass
class ReportRow:
    """A line of the import report: ``outcome`` is "error", "skipped" or "valid"."""

    index: int
    name: str
    outcome: str
    kind: str
    messages: list[str]


@dataclass
class ParsedQuestion:
    index: int
    name: str
    kind: str
    body: str
    spec: dict[str, Any]
    points: Decimal = Decimal("1.00")
    category: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(QuestionKind(self.kind).label)


@dataclass(frozen=True)
class Limits:
    """What one import may take: ``room`` importable questions (the exam's limit less the
    questions it has; ``cap`` is that limit), reading until ``deadline`` (a
    ``time.monotonic()`` value; ``seconds`` is the allowance, for the message).
    ``progress(done, total)`` hears how far reading has got, every ``PROGRESS_EVERY``
    questions."""

    room: int = 1_000_000
    cap: int = 1_000_000
    deadline: float = math.inf
    seconds: int = 0
    progress: Callable[[int, int], None] | None = None


PROGRESS_EVERY = 20


@dataclass
class ImportResult:
    fmt: str
    encoding: str = "utf-8"
    questions: list[ParsedQuestion] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    skipped: list[SkippedQuestion] = field(default_factory=list)
    # Set by ``questions_import`` once the questions are written.
    imported: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def notes(self) -> list[ImportIssue]:
        return [ImportIssue(q.index, q.name, note) for q in self.questions for note in q.notes]

    def report(self) -> list[ReportRow]:
        """One row per question of the file, in file order (file-level errors first)."""
        rows = [ReportRow(e.index, e.name, "error", "", [e.message]) for e in self.errors]
        rows += [ReportRow(s.index, s.name, "skipped", s.kind, [s.reason]) for s in self.skipped]
        rows += [
            ReportRow(q.index, q.name, "valid", q.kind_label, list(q.notes)) for q in self.questions
        ]
        rows.sort(key=lambda row: row.index)
        merged: list[ReportRow] = []
        for row in rows:  # a question with several errors is one row
            last = merged[-1] if merged else None
            if (
                row.outcome == "error"
                and last
                and (last.index, last.outcome) == (row.index, "error")
            ):
                last.messages.extend(row.messages)
            else:
                merged.append(row)
        return merged

    def error(self, index: int, name: str, message: str) -> None:
        self.errors.append(ImportIssue(index, name, message))

    def skip(self, index: int, name: str, kind: str, reason: str) -> None:
        self.skipped.append(SkippedQuestion(index, name, kind, reason))

    def add(self, question: ParsedQuestion) -> None:
        """Keep a parsed question after checking its spec; a bad spec is an error."""
        spec, problems = spec_clean(question.kind, question.spec)
        messages = [problem.text() for problem in problems]
        messages += content_problems(question.body, spec) if not problems else []
        if messages:
            for message in messages:
                self.error(question.index, question.name, message)
            return
        question.spec = spec
        if any(q.name == question.name for q in self.questions if question.name):
            question.notes.append(_(NOTE_DUPLICATE_NAME))
        self.questions.append(question)

    def within(self, limits: Limits, done: int, total: int) -> bool:
        """Whether reading may go on after ``done`` of the file's ``total`` entries; if not,
        the file-level error says why (nothing is imported then)."""
        if limits.progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            limits.progress(done, total)
        if len(self.questions) > limits.room:
            self.error(0, "", _(ERR_NO_ROOM) % {"max": limits.cap, "room": limits.room})
            return False
        if time.monotonic() > limits.deadline:
            self.error(0, "", _(ERR_TOO_SLOW) % {"minutes": max(1, limits.seconds // 60)})
            return False
        return True

    def to_dict(self) -> dict[str, Any]:
        """What the import page and the API show once the file was read (no question
        bodies: they are in the exam, or were not imported)."""
        return {
            "fmt": self.fmt,
            "encoding": self.encoding,
            "imported": self.imported,
            "questions": [
                {
                    "index": q.index,
                    "name": q.name,
                    "kind": q.kind,
                    "category": q.category,
                    "notes": q.notes,
                }  # fmt: skip
                for q in self.questions
            ],
            "errors": [e._asdict() for e in self.errors],
            "skipped": [s._asdict() for s in self.skipped],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportResult:
        result = cls(fmt=data.get("fmt", ""), encoding=data.get("encoding", ""))
        result.imported = data.get("imported", 0)
        result.questions = [
            ParsedQuestion(
                index=q["index"],
                name=q["name"],
                kind=q["kind"],
                body="",
                spec={},
                category=q["category"],
                notes=q["notes"],
            )  # fmt: skip
            for q in data.get("questions", [])
        ]
        result.errors = [ImportIssue(**e) for e in data.get("errors", [])]
        result.skipped = [SkippedQuestion(**s) for s in data.get("skipped", [])]
        return result

    def finish(self) -> ImportResult:
        if not self.questions and not self.errors and not self.skipped:
            self.error(0, "", _(ERR_EMPTY_FILE))
        return self


# --- decoding ------------------------------------------------------------------------------


def decode(data: bytes, encoding: str = "") -> tuple[str, str] | None:
    """The text and the encoding used: the one asked for, else UTF-8, else whichever of
    Windows-1252 (Western) and Windows-1251 (Cyrillic) reads as real words. ``None`` if
    nothing fits."""
    if encoding:
        try:
            return data.decode(encoding).removeprefix("\ufeff"), encoding
        except (UnicodeDecodeError, LookupError):
            return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: dict[str, str] = {}
    for name in ("windows-1252", "cp1251"):
        try:
            candidates[name] = data.decode(name)
        except UnicodeDecodeError:
            continue
    if not candidates:
        return None
    if "cp1251" in candidates and (
        "windows-1252" not in candidates or _reads_as_cyrillic(candidates["cp1251"])
    ):
        return candidates["cp1251"], "cp1251"
    return candidates["windows-1252"], "windows-1252"


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def _reads_as_cyrillic(text: str) -> bool:
    """Russian or Kazakh read as Windows-1251 gives whole Cyrillic words; Western text
    read that way gives Latin words with a stray Cyrillic letter ("aцdf")."""
    whole = mixed = 0
    for word in re.findall(r"[^\W\d_]{2,}", text):
        cyrillic = sum(1 for c in word if _is_cyrillic(c))
        if cyrillic == len(word):
            whole += 1
        elif cyrillic:
            mixed += 1
    return whole > mixed


# --- text -----------------------------------------------------------------------------------


def plain_name(text: str) -> str:
    """A question name as plain text (Moodle names may hold HTML)."""
    return " ".join(html.unescape(TAG.sub("", text or "")).split())[:255]


def to_html(text: str, fmt: str, *, inline: bool = False) -> str:
    """Sanitised HTML of a text in a Moodle text format: ``html``, ``moodle`` (auto-format:
    HTML allowed, line breaks kept), ``plain`` or ``markdown`` (a small subset: paragraphs,
    lists, bold, italic, code). ``inline``: a one-paragraph text gets no ``<p>`` (options)."""
    text = (text or "").strip()
    if not text:
        return ""
    if fmt == "html":
        result = text
    elif fmt == "moodle":
        result = text if BLOCK_TAG.search(text) else _paragraphs(text, False, inline)
    elif fmt == "markdown":
        result = markdown_html(text)
    else:
        result = _paragraphs(text, True, inline)
    return sanitize_html(result)


def _paragraphs(text: str, escape: bool, inline: bool) -> str:
    parts = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    out = []
    for part in parts:
        part = html.escape(part, quote=False) if escape else part
        out.append("<br>".join(line.strip() for line in part.splitlines()))
    if inline and len(out) == 1:
        return out[0]
    return "".join(f"<p>{p}</p>" for p in out)


# --- grades and marks -------------------------------------------------------------------------


def moodle_grade(percent: str, *, what: str) -> tuple[float | None, str | None]:
    """A grade given in percent (``"33.33333"``) as one of Moodle's fractions, or an error."""
    try:
        fraction = float(percent) / 100
    except (TypeError, ValueError):
        fraction = float("nan")
    for grade in MOODLE_GRADES:
        for candidate in (grade, -grade):
            if abs(fraction - candidate) < GRADE_TOLERANCE:
                return candidate, None
    return None, _(ERR_INVALID_GRADE) % {"what": what, "grade": (percent or "").strip()}


def marks(value: str | None) -> tuple[Decimal | None, str | None]:
    """A question's mark (Moodle's ``defaultgrade``) as points with two decimals."""
    if value is None or not value.strip():
        return Decimal("1.00"), None
    try:
        points = Decimal(value.strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        points = Decimal(0)
    if points <= 0 or points > 1000:
        return None, _(ERR_POINTS) % {"value": value.strip()}
    return points, None


def option_id(n: int) -> str:
    """Option ids a, b, ..., z, then o27, o28, ... (ids only need to be unique)."""
    return chr(ord("a") + n) if n < 26 else f"o{n + 1}"
