"""Moodle XML (``<quiz><question type="...">...``) to parsed questions.

Supported: ``multichoice`` (``<single>`` decides single or multiple), ``truefalse``,
``shortanswer`` (``<usecase>``), ``numerical`` (``<tolerance>``; units are ignored with a
note), ``essay`` (a written question). ``category`` entries set the category of the
questions after them (``$course$/top/`` and similar prefixes removed). ``description``
and every other type (matching, cloze, drag and drop, calculated, ...) are skipped and
reported; a cloze question also says what is wrong with it when it is malformed.

Embedded files (``@@PLUGINFILE@@/name`` with a base64 ``<file>``): pictures (PNG, JPEG,
GIF, WebP, recognised by their bytes, not their names; within ``core.pictures``' limits of
bytes and pixels, read from the header) are inlined as ``data:image/...;base64,`` URLs;
any other file, or a picture over the limits, is left out with a note.

The parser is Python's expat-based ElementTree, fed the file in pieces: each question is
handled and let go as soon as it has been read, and a file of more than
``MAX_XML_ELEMENTS`` elements is refused, so a file's memory never grows with its number
of elements. A document type declaration is refused (Moodle never writes one), so entity
expansion and external entities cannot occur.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET  # noqa: S405 (DTDs are refused before parsing)
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import unquote

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from emtihan.core import pictures

from ..models import QuestionKind
from ..specs import LIMITS
from .base import (
    ERR_UNDECODABLE,
    ImportResult,
    Limits,
    ParsedQuestion,
    decode,
    marks,
    moodle_grade,
    option_id,
    plain_name,
    to_html,
)

ERR_NOT_XML = gettext_noop("The file is not valid XML (%(reason)s).")
ERR_NOT_QUIZ = gettext_noop("The file is not a Moodle XML export: it has no <quiz> element.")
ERR_DOCTYPE = gettext_noop("The file declares a document type; Moodle XML exports never do.")
ERR_XML_TOO_BIG = gettext_noop(
    "The file has more than %(n)d XML elements, far more than any question bank: split it into smaller files."
)
ERR_NO_TYPE = gettext_noop("The question has no type.")
ERR_BODY_EMPTY = gettext_noop("The question has no text.")
ERR_TRUE_FALSE = gettext_noop(
    "A true/false question needs the answer “true” or “false” to give full marks."
)
ERR_NUMERIC_VALUE = gettext_noop("Answer %(n)d: “%(value)s” is not a number.")
ERR_TOLERANCE = gettext_noop("Answer %(n)d: the tolerance “%(value)s” is not a number.")
SKIP_UNSUPPORTED = gettext_noop("Questions of the type “%(type)s” are not supported.")
SKIP_DESCRIPTION = gettext_noop("A description (text with no question) is not imported.")
SKIP_CLOZE = gettext_noop("Cloze (embedded answers) questions are not supported.")
SKIP_CLOZE_BROKEN = gettext_noop(
    "Cloze (embedded answers) questions are not supported, and this one is malformed: %(defect)s"
)
CLOZE_NO_PARTS = gettext_noop("it has no embedded answers.")
CLOZE_FEW_CHOICES = gettext_noop("embedded answer %(n)d has fewer than two choices.")
CLOZE_NO_FULL = gettext_noop("embedded answer %(n)d has no fully correct answer.")
CLOZE_NOT_NUMBER = gettext_noop("embedded answer %(n)d: “%(value)s” is not a number.")
NOTE_FILE_DROPPED = gettext_noop(
    "The file “%(name)s” was left out: only pictures (PNG, JPEG, GIF, WebP) are kept."
)
NOTE_PICTURE_TOO_BIG = gettext_noop(
    "The picture “%(name)s” was left out: it is larger than %(mb)d MB."
)
NOTE_PICTURE_PIXELS = gettext_noop(
    "The picture “%(name)s” was left out: it is %(width)d × %(height)d pixels (%(frames)d frames), more than %(megapixels)d megapixels or %(side)d pixels on a side."
)
NOTE_FILE_MISSING = gettext_noop("The file “%(name)s” is referenced but not in the export.")
NOTE_UNITS = gettext_noop("Units are not supported: the answer is graded as a plain number.")
NOTE_CATCH_ALL = gettext_noop("The “any other answer” (*) entry was left out.")

MAX_XML_ELEMENTS = 200_000  # a bank of 1,000 questions with pictures has about 50,000
XML_CHUNK = 64 * 1024  # characters fed to the parser at a time
DOCTYPE = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
PLUGINFILE = re.compile(r"@@PLUGINFILE@@(/[^\"'<>\s)]*)")
FORMATS = {
    "html": "html",
    "moodle_auto_format": "moodle",
    "plain_text": "plain",
    "markdown": "markdown",
}
# The head of an embedded answer, "{1:MULTICHOICE:"; its body runs to the next "}". (One
# pattern with a lazy body, "(.*?)\}", made every "{1:SA:" without a "}" scan to the end
# of the text: quadratic, a 300 KB question took minutes.)
CLOZE_HEAD = re.compile(
    r"\{(\d*):(SHORTANSWER(?:_C)?|SA|MW|SAC|MWC|NUMERICAL|NM|MULTICHOICE(?:_[VHS]|_VS|_HS)?|"
    r"MC[VHS]?|MCVS|MCHS|MULTIRESPONSE(?:_[HS]|_HS)?|MR[HS]?|MRHS):"
)
CLOZE_CHOICE_TYPES = ("MULTICHOICE", "MC", "MULTIRESPONSE", "MR")


def parse(data: bytes, *, encoding: str = "", limits: Limits | None = None) -> ImportResult:
    limits = limits or Limits()
    decoded = decode(data, encoding)
    if decoded is None:
        result = ImportResult(fmt="moodle_xml", encoding=encoding)
        result.error(0, "", _(ERR_UNDECODABLE))
        return result
    text, used = decoded
    result = ImportResult(fmt="moodle_xml", encoding=used)
    if DOCTYPE.search(text):
        result.error(0, "", _(ERR_DOCTYPE))
        return result
    category = ""
    index = 0
    total = text.count("<question")  # for the progress: categories count too
    try:
        for done, element in enumerate(_questions(XML_DECLARATION.sub("", text)), start=1):
            if not result.within(limits, done - 1, total):
                return result
            kind = (element.get("type") or "").strip()
            if kind == "category":
                category = category_path(_text(element.find("category")))
                continue
            index += 1
            name = plain_name(_text(element.find("name")))
            if not kind:
                result.error(index, name, _(ERR_NO_TYPE))
                continue
            _question(result, element, kind=kind, index=index, name=name, category=category)
    except (ET.ParseError, _NotAQuiz) as exc:
        # Only the file's own error: what was read before it does not matter.
        result.questions, result.skipped, result.errors = [], [], []
        message = exc.message if isinstance(exc, _NotAQuiz) else _(ERR_NOT_XML) % {"reason": exc}
        result.error(0, "", message)
        return result
    if not result.within(limits, total, total):
        return result
    return result.finish()


class _NotAQuiz(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _questions(text: str) -> Iterator[ET.Element]:
    """The ``<question>`` children of ``<quiz>``, one at a time: each is let go once read
    (the tree never holds the whole file), and a file of more than ``MAX_XML_ELEMENTS``
    elements is refused (20 MB of ``<a/>`` is five million elements: half a gigabyte as a
    tree)."""
    parser = ET.XMLPullParser(events=("start", "end"))  # noqa: S314 (no DTD, see parse)
    depth = elements = 0
    root: ET.Element | None = None
    for start in range(0, len(text), XML_CHUNK):
        parser.feed(text[start : start + XML_CHUNK])
        # Only "start" and "end" events were asked for: each is (event, element).
        for event, element in cast(Iterator[tuple[str, ET.Element]], parser.read_events()):
            if event == "start":
                elements += 1
                if elements > MAX_XML_ELEMENTS:
                    raise _NotAQuiz(_(ERR_XML_TOO_BIG) % {"n": MAX_XML_ELEMENTS})
                if root is None:
                    if element.tag != "quiz":
                        raise _NotAQuiz(_(ERR_NOT_QUIZ))
                    root = element
                depth += 1
                continue
            depth -= 1
            if depth == 1 and root is not None:
                if element.tag == "question":
                    yield element
                root.clear()  # read: let it go
    parser.close()  # a document cut short raises here


def category_path(path: str) -> str:
    """``$course$/top/Algebra/Groups`` -> ``Algebra/Groups`` (``//`` is a literal ``/``)."""
    path = re.sub(r"^\$[a-z0-9]+\$/?", "", (path or "").strip())
    parts = [p.replace("\0", "/").strip() for p in path.replace("//", "\0").split("/")]
    parts = [p for p in parts if p]
    if parts and parts[0] == "top":
        parts = parts[1:]
    return "/".join(parts)[:255]


def _text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    inner = element.find("text")
    return (inner.text if inner is not None else element.text) or ""


def _flag(element: ET.Element, tag: str, default: bool) -> bool:
    value = (element.findtext(tag) or "").strip().lower()
    if not value:
        return default
    return value in ("true", "1", "yes")


class _Text:
    """Turns one text element (with its ``<file>`` siblings) into sanitised HTML."""

    def __init__(self, notes: list[str]) -> None:
        self.notes = notes

    def html(self, element: ET.Element | None, *, default_format: str = "html") -> str:
        if element is None:
            return ""
        fmt = FORMATS.get(element.get("format") or "", default_format)
        raw = _text(element)
        files = self._files(element)
        raw = PLUGINFILE.sub(lambda m: self._inline(unquote(m.group(1)), files), raw)
        return to_html(raw, fmt)

    @staticmethod
    def _files(element: ET.Element) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for item in element.findall("file"):
            path = item.get("path") or "/"
            name = item.get("name") or ""
            try:
                content = base64.b64decode("".join((item.text or "").split()), validate=True)
            except (binascii.Error, ValueError):
                continue
            files[(path.rstrip("/") + "/" + name).lstrip("/")] = content
        return files

    def _inline(self, reference: str, files: dict[str, bytes]) -> str:
        key = reference.lstrip("/")
        name = key.rsplit("/", 1)[-1]
        content = files.get(key)
        if content is None:
            self._note(_(NOTE_FILE_MISSING) % {"name": name})
            return ""
        problem = pictures.picture_problem(content)
        if problem is None:
            mime = pictures.picture_type(content)
            return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"
        if problem.code == pictures.TOO_MANY_BYTES:
            self._note(_(NOTE_PICTURE_TOO_BIG) % {"name": name, **LIMITS})
        elif problem.code == pictures.TOO_MANY_PIXELS:
            size = {"width": problem.width, "height": problem.height, "frames": problem.frames}
            self._note(_(NOTE_PICTURE_PIXELS) % {"name": name, **size, **LIMITS})
        else:
            self._note(_(NOTE_FILE_DROPPED) % {"name": name})
        return ""

    def _note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)


def _question(
    result: ImportResult, element: ET.Element, *, kind: str, index: int, name: str, category: str
) -> None:
    if kind == "description":
        result.skip(index, name, kind, _(SKIP_DESCRIPTION))
        return
    if kind in ("cloze", "multianswer"):
        defect = cloze_defect(_text(element.find("questiontext")))
        reason = _(SKIP_CLOZE_BROKEN) % {"defect": defect} if defect else _(SKIP_CLOZE)
        result.skip(index, name, kind, reason)
        return
    readers = {
        "multichoice": _multichoice,
        "truefalse": _truefalse,
        "shortanswer": _shortanswer,
        "numerical": _numerical,
        "essay": _essay,
    }
    reader = readers.get(kind)
    if reader is None:
        result.skip(index, name, kind, _(SKIP_UNSUPPORTED) % {"type": kind})
        return

    notes: list[str] = []
    texts = _Text(notes)
    body = texts.html(element.find("questiontext"))
    errors: list[str] = []
    if not body:
        errors.append(_(ERR_BODY_EMPTY))
    points, points_error = marks(element.findtext("defaultgrade"))
    if points_error:
        errors.append(points_error)
    parsed_kind, spec, spec_errors = reader(element, texts)
    errors.extend(spec_errors)
    if errors or points is None:
        for message in errors:
            result.error(index, name, message)
        return
    result.add(
        ParsedQuestion(
            index=index,
            name=name,
            kind=parsed_kind,
            body=body,
            spec=spec,
            points=points,
            category=category,
            notes=notes,
        )
    )


Read = tuple[str, dict[str, Any], list[str]]


def _grade(answer: ET.Element, n: int, errors: list[str]) -> float:
    fraction, error = moodle_grade(answer.get("fraction") or "0", what=_("Answer %(n)d") % {"n": n})
    if error:
        errors.append(error)
    return fraction or 0.0


def _multichoice(element: ET.Element, texts: _Text) -> Read:
    errors: list[str] = []
    options = []
    for n, answer in enumerate(element.findall("answer")):
        fraction = _grade(answer, n + 1, errors)
        options.append({"id": option_id(n), "html": texts.html(answer), "fraction": fraction})
    single = _flag(element, "single", True)
    kind = QuestionKind.SINGLE if single else QuestionKind.MULTIPLE
    return kind, {"options": options}, errors


def _truefalse(element: ET.Element, texts: _Text) -> Read:
    errors: list[str] = []
    correct = None
    for n, answer in enumerate(element.findall("answer"), start=1):
        value = _text(answer).strip().lower()
        fraction = _grade(answer, n, errors)
        if value in ("true", "false") and fraction >= 1:
            correct = value == "true"
    if correct is None and not errors:
        errors.append(_(ERR_TRUE_FALSE))
    return QuestionKind.TRUE_FALSE, {"correct": correct}, errors


def _shortanswer(element: ET.Element, texts: _Text) -> Read:
    errors: list[str] = []
    answers = []
    for n, answer in enumerate(element.findall("answer"), start=1):
        fraction = _grade(answer, n, errors)
        answers.append({"text": plain_name(_text(answer)), "fraction": fraction})
    spec = {"answers": answers, "case_sensitive": _flag(element, "usecase", False)}
    return QuestionKind.SHORT, spec, errors


def _numerical(element: ET.Element, texts: _Text) -> Read:
    errors: list[str] = []
    answers = []
    for n, answer in enumerate(element.findall("answer"), start=1):
        fraction = _grade(answer, n, errors)
        raw = _text(answer).strip()
        if raw == "*":
            texts._note(_(NOTE_CATCH_ALL))
            continue
        tolerance_text = (answer.findtext("tolerance") or "0").strip() or "0"
        try:
            value = float(raw.replace(",", "."))
        except ValueError:
            errors.append(_(ERR_NUMERIC_VALUE) % {"n": n, "value": raw})
            continue
        try:
            tolerance = abs(float(tolerance_text))
        except ValueError:
            errors.append(_(ERR_TOLERANCE) % {"n": n, "value": tolerance_text})
            continue
        answers.append({"value": value, "tolerance": tolerance, "fraction": fraction})
    if any((unit.findtext("unit_name") or "").strip() for unit in element.iter("unit")):
        texts._note(_(NOTE_UNITS))
    return QuestionKind.NUMERIC, {"answers": answers}, errors


def _essay(element: ET.Element, texts: _Text) -> Read:
    return QuestionKind.WRITTEN, {}, []


def cloze_defect(text: str) -> str:
    """What makes a cloze question malformed (as Moodle would refuse it), or ``""``."""
    parts = _cloze_parts(text or "")
    if not parts:
        return _(CLOZE_NO_PARTS)
    for n, (_weight, kind, body) in enumerate(parts, start=1):
        answers = [a for a in re.split(r"(?<!\\)~", body) if a.strip()]
        fractions = []
        for answer in answers:
            match = re.match(r"^\s*(=|%(-?\d+(?:\.\d+)?)%)?", answer)
            marker = match.group(1) if match else None
            if marker == "=":
                fractions.append(1.0)
            elif marker:
                fractions.append(float(match.group(2)) / 100 if match else 0.0)
            else:
                fractions.append(0.0)
            value = re.sub(r"^\s*(=|%-?\d+(?:\.\d+)?%)", "", answer).split("#", 1)[0].strip()
            if kind in ("NUMERICAL", "NM") and value != "*":
                number = value.split(":", 1)[0]
                try:
                    float(number)
                except ValueError:
                    return _(CLOZE_NOT_NUMBER) % {"n": n, "value": value}
        if kind.startswith(CLOZE_CHOICE_TYPES) and len(answers) < 2:
            return _(CLOZE_FEW_CHOICES) % {"n": n}
        if not any(f >= 1 for f in fractions):
            return _(CLOZE_NO_FULL) % {"n": n}
    return ""


def _cloze_parts(text: str) -> list[tuple[str, str, str]]:
    """``(weight, type, body)`` of each embedded answer, left to right, in linear time."""
    parts = []
    position = 0
    close = -1
    for head in CLOZE_HEAD.finditer(text):
        if head.start() < position:
            continue  # inside the previous answer's body
        if close < head.end():
            close = text.find("}", head.end())
            if close == -1:
                break  # no "}" after this head, so after none of the later ones either
        parts.append((head.group(1), head.group(2), text[head.end() : close]))
        position = close + 1
    return parts
