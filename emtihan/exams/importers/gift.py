"""GIFT (Moodle's plain-text question format) to parsed questions.

Questions are separated by blank lines (a blank line inside ``{...}`` does not end a
question); lines starting with ``//`` are comments. Supported:

- ``$CATEGORY: path`` sets the category of the questions after it;
- ``::title::`` names a question; ``[html]``, ``[moodle]`` (the default), ``[plain]`` and
  ``[markdown]`` before a text set its format;
- ``{}`` essay (a written question); ``{T}``, ``{F}``, ``{TRUE}``, ``{FALSE}`` true/false;
  ``{=right ~wrong ~wrong}`` single choice; ``{~%50%a ~%50%b ~%-100%c}`` (no ``=``)
  multiple choice; ``{=a =%50%b}`` (no ``~``) short answer, ``*`` as a wildcard;
  ``{#3.14:0.01}``, ``{#1..5}``, ``{#=%100%3:1 =%50%3:2}`` numeric (a ``~`` part after
  them is wrong-answer feedback, ignored);
- ``#feedback`` after an answer and ``####general feedback`` are ignored;
- escapes ``\\=``, ``\\~``, ``\\#``, ``\\{``, ``\\}``, ``\\:``, ``\\n`` (newline), ``\\\\``;
- text after the closing brace makes a "missing word" question: the answers' place in
  the text is shown as ``_____``.

Matching (``{=a -> b}``) and text with no braces (a description) are skipped and
reported. Weights must be Moodle grades (100, 90, 83.33333, ..., 5, 0 and negatives).
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..models import QuestionKind
from .base import (
    ERR_UNDECODABLE,
    ImportResult,
    Limits,
    ParsedQuestion,
    decode,
    moodle_grade,
    option_id,
    plain_name,
    to_html,
)
from .moodle_xml import category_path

ERR_BRACES = gettext_noop("The answers' braces { } do not match.")
ERR_BODY_EMPTY = gettext_noop("The question has no text.")
ERR_TOO_FEW_CHOICES = gettext_noop("A choice question needs at least two answers.")
ERR_NO_ANSWERS = gettext_noop("The question has no answers.")
ERR_NUMBER = gettext_noop(
    "Answer %(n)d: “%(value)s” is not a number, a number:margin or a min..max range."
)
SKIP_MATCHING = gettext_noop("Matching questions are not supported.")
SKIP_DESCRIPTION = gettext_noop("A description (text with no question) is not imported.")

# Escaped characters become private-use placeholders while the text is parsed.
ESCAPES = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004",
           "}": "\ue005", "~": "\ue006", "n": "\ue007"}  # fmt: skip
RESTORE = {v: ("\n" if k == "n" else k) for k, v in ESCAPES.items()}
ESCAPE = re.compile(r"\\([\\:#={}~n])")
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def parse(data: bytes, *, encoding: str = "", limits: Limits | None = None) -> ImportResult:
    limits = limits or Limits()
    decoded = decode(data, encoding)
    if decoded is None:
        result = ImportResult(fmt="gift", encoding=encoding)
        result.error(0, "", _(ERR_UNDECODABLE))
        return result
    text, used = decoded
    result = ImportResult(fmt="gift", encoding=used)
    category = ""
    index = 0
    blocks = split_questions(text)
    for done, block in enumerate(blocks, start=1):
        if not result.within(limits, done - 1, len(blocks)):
            return result
        if block.startswith("$CATEGORY:"):
            # The switch is one line; a question written right below it still counts.
            line, _newline, block = block.partition("\n")
            category = category_path(_restore(line[len("$CATEGORY:") :]))
            block = block.strip()
            if not block:
                continue
        index += 1
        _question(result, block, index=index, category=category)
    if not result.within(limits, len(blocks), len(blocks)):
        return result
    return result.finish()


def _escape(text: str) -> str:
    return ESCAPE.sub(lambda m: ESCAPES[m.group(1)], text)


def _restore(text: str) -> str:
    for placeholder, char in RESTORE.items():
        text = text.replace(placeholder, char)
    return text


def split_questions(text: str) -> list[str]:
    """The file's questions, comments removed, escapes turned into placeholders."""
    blocks: list[str] = []
    lines: list[str] = []
    depth = 0
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw.strip().startswith("//"):
            continue
        line = _escape(raw)
        if not line.strip() and depth <= 0:
            if lines:
                blocks.append("\n".join(lines).strip())
            lines, depth = [], 0
            continue
        lines.append(line)
        depth += line.count("{") - line.count("}")
    if lines:
        blocks.append("\n".join(lines).strip())
    return [b for b in blocks if b]


def _format(text: str, default: str) -> tuple[str, str]:
    text = text.strip()
    match = FORMAT.match(text)
    if match:
        return text[match.end() :].strip(), match.group(1).lower()
    return text, default


def _option_html(text: str, fmt: str) -> str:
    text, fmt = _format(text, fmt)
    return to_html(_restore(text), fmt, inline=True)


def _question(result: ImportResult, block: str, *, index: int, category: str) -> None:
    text = block
    name = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end != -1:
            name = plain_name(_restore(text[2:end]))
            text = text[end + 2 :].strip()
    start, finish = text.find("{"), text.find("}")
    if start == -1 and finish == -1:
        result.skip(index, name or _short(text), "description", _(SKIP_DESCRIPTION))
        return
    if start == -1 or finish == -1 or finish < start:
        result.error(index, name or _short(text), _(ERR_BRACES))
        return
    answers = text[start + 1 : finish].strip()
    after = text[finish + 1 :].strip()
    question_text = text[:start] + ("_____" + text[finish + 1 :] if after else "")
    if "####" in answers:
        answers = answers[: answers.rfind("####")].strip()
    question_text, fmt = _format(question_text, "moodle")
    name = name or _short(question_text)
    body = to_html(_restore(question_text), fmt)
    if not body:
        result.error(index, name, _(ERR_BODY_EMPTY))
        return

    errors: list[str] = []
    kind: str
    spec: dict[str, Any]
    if not answers:
        kind, spec = QuestionKind.WRITTEN, {}
    elif answers.startswith("#"):
        kind, spec = QuestionKind.NUMERIC, {"answers": _numeric(answers[1:], errors)}
    elif "~" in answers:
        kind, spec = _choice(answers, fmt, errors)
    elif "=" in answers and "->" in answers:
        result.skip(index, name, "matching", _(SKIP_MATCHING))
        return
    elif answers.split("#", 1)[0].strip() in TRUE_FALSE:
        kind, spec = (
            QuestionKind.TRUE_FALSE,
            {"correct": TRUE_FALSE[answers.split("#", 1)[0].strip()]},
        )
    else:
        kind, spec = (
            QuestionKind.SHORT,
            {"answers": _short_answers(answers, errors), "case_sensitive": False},
        )
    if errors:
        for message in errors:
            result.error(index, name, message)
        return
    result.add(
        ParsedQuestion(index=index, name=name, kind=kind, body=body, spec=spec, category=category)
    )


def _short(text: str) -> str:
    """A name for an untitled question: the start of its text."""
    return plain_name(_restore(text))[:60]


def _split_answers(answers: str, markers: str) -> list[tuple[str, str]]:
    """``=a ~b`` -> ``[("=", "a"), ("~", "b")]``; text before the first marker is dropped."""
    parts = re.split(f"([{re.escape(markers)}])", answers)
    return [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]


def _weight(answer: str, default: float, n: int, errors: list[str]) -> tuple[float, str]:
    match = WEIGHT.match(answer)
    if not match:
        return default, answer
    fraction, error = moodle_grade(match.group(1), what=_("Answer %(n)d") % {"n": n})
    if error:
        errors.append(error)
    return fraction or 0.0, answer[match.end() :]


def _choice(answers: str, fmt: str, errors: list[str]) -> tuple[str, dict]:
    single = "=" in answers
    parts = _split_answers(answers, "=~")
    if len(parts) < 2:
        errors.append(_(ERR_TOO_FEW_CHOICES))
    options = []
    for n, (marker, answer) in enumerate(parts):
        if marker == "=":
            fraction, answer = 1.0, WEIGHT.sub("", answer, count=1)
        else:
            fraction, answer = _weight(answer, 0.0, n + 1, errors)
        text = answer.split("#", 1)[0]
        options.append({"id": option_id(n), "html": _option_html(text, fmt), "fraction": fraction})
    kind = QuestionKind.SINGLE if single else QuestionKind.MULTIPLE
    return kind, {"options": options}


def _short_answers(answers: str, errors: list[str]) -> list[dict]:
    parts = _split_answers("=" + answers if not answers.startswith("=") else answers, "=")
    out = []
    for n, (_marker, answer) in enumerate(parts, start=1):
        fraction, answer = _weight(answer, 1.0, n, errors)
        text, _fmt = _format(answer.split("#", 1)[0], "plain")
        out.append({"text": plain_name(_restore(text)), "fraction": fraction})
    if not out:
        errors.append(_(ERR_NO_ANSWERS))
    return out


def _numeric(answers: str, errors: list[str]) -> list[dict]:
    answers = answers.split("~", 1)[0]  # what follows "~" is feedback for wrong answers
    parts = [a for _m, a in _split_answers(answers, "=")] if "=" in answers else [answers]
    out = []
    for n, answer in enumerate(parts, start=1):
        fraction, answer = _weight(answer.strip(), 1.0, n, errors)
        value = _restore(answer.split("#", 1)[0]).strip()
        number = _number_with_margin(value)
        if number is None:
            errors.append(_(ERR_NUMBER) % {"n": n, "value": value})
            continue
        out.append({"value": number[0], "tolerance": number[1], "fraction": fraction})
    if not out and not errors:
        errors.append(_(ERR_NO_ANSWERS))
    return out


def _number_with_margin(value: str) -> tuple[float, float] | None:
    try:
        if ".." in value:
            low, high = (float(v) for v in value.split("..", 1))
            return (low + high) / 2, abs(high - low) / 2
        if ":" in value:
            answer, margin = value.split(":", 1)
            return float(answer), abs(float(margin))
        return float(value), 0.0
    except ValueError:
        return None
