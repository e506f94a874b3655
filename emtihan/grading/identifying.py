"""Identifying marks in answers (docs/GRADING.md "Identifying marks").

A pure scanner, no database: ``scan(identity, answers)`` finds in a work's answers

- the student's own **first name, surname, patronymic** in Cyrillic or Latin spelling,
  any case, with the common Kazakh and Russian inflection endings (``Сейітованың``,
  ``Ковалёву``, ``Seitova``, ``Zhaksybekov``);
- their **student ID** (digits, spaces or hyphens between them allowed), **e-mail**
  and **group** code (``IS-2301``, ``ИС 2301``);
- **signatures**: the same short last line (symbols or initials, no word longer than
  three letters) at the end of two or more answers;
- **self-introductions**: "my name is", "меня зовут", "менің атым", "менің есімім",
  "моё имя", and "I am" / "I'm" followed by a capitalised word.

Bounded: each answer is cut to ``MAX_CHARS`` characters and a work to ``MAX_ANSWERS``
answers; words to 40 characters; every regular expression is linear (no nested or
adjacent unbounded quantifiers over the same characters), so hostile text costs time
proportional to its capped length.

Both spellings meet in a **skeleton**: lower case, Cyrillic (Kazakh and Russian letters)
transliterated to Latin, diacritics dropped, spelling variants folded (zh/j, sh/ş/s,
ch/ç/c, kh/h, q/k, y/i, ie/e, ts/c) and doubled letters collapsed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MAX_CHARS = 20_000
MAX_ANSWERS = 200
MAX_HITS = 50
CONTEXT = 60
MIN_NAME = 3

# Kazakh and Russian Cyrillic to Latin (one reading; variants are folded afterwards).
CYRILLIC = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e",
    "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "y", "і": "i", "к": "k", "қ": "k",
    "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h",
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
}  # fmt: skip
# Latin letters of the Kazakh alphabets (2017-2021) that NFKD leaves alone.
LATIN_EXTRA = {"ı": "i", "ñ": "n", "ş": "sh", "ç": "ch", "ğ": "g", "ә": "a"}
FOLDS = (("shch", "sh"), ("zh", "j"), ("kh", "h"), ("sh", "s"), ("ch", "c"), ("ts", "c"),
         ("q", "k"), ("w", "v"), ("y", "i"), ("ie", "e"))  # fmt: skip

# Inflection endings (Kazakh case endings and possessives, Russian declension of names),
# as the skeleton writes them; "" is the name as it is.
ENDINGS_CYRILLIC = (
    "", "а", "я", "у", "ю", "ы", "и", "е", "ой", "ей", "ом", "ем", "ым", "им", "ою", "ею",
    "ого", "ому", "ой", "ах", "ам", "ами", "ых", "ым", "ой",
    "ның", "нің", "дың", "дің", "тың", "тің", "ға", "ге", "қа", "ке", "на", "не", "ны", "ні",
    "ды", "ді", "ты", "ті", "да", "де", "та", "те", "нда", "нде", "дан", "ден", "тан", "тен",
    "нан", "нен", "мен", "бен", "пен", "ға", "ым", "ім", "мыз", "міз", "ның", "ов", "ова",
)  # fmt: skip

WORD = re.compile(r"[^\W\d_]{1,40}|\d{1,40}")
DIGITS = re.compile(r"\d(?:[ \-.]?\d){3,39}")
PHRASES = re.compile(
    r"\b(?:my name is|my name's|меня зовут|моё имя|мое имя|менің атым|менің есімім|"
    r"атым|есімім)\b",
    re.IGNORECASE,
)
I_AM = re.compile(r"\b(?:I am|I'm|I’m)[ \t]{1,5}[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][^\W\d_]{0,39}")
LONG_WORD = re.compile(r"[^\W\d_]{4}")


@dataclass(frozen=True)
class Identity:
    """What identifies a student: name parts as written in the registry (any script)."""

    first_name: str = ""
    surname: str = ""
    patronymic: str = ""
    student_id: str = ""
    email: str = ""
    group: str = ""

    @classmethod
    def from_full_name(cls, full_name: str, **rest: str) -> Identity:
        """Split "First [Patronymic] Surname" (the registry's order)."""
        parts = full_name.split()
        if len(parts) >= 3:
            return cls(first_name=parts[0], patronymic=parts[1], surname=parts[-1], **rest)
        if len(parts) == 2:
            return cls(first_name=parts[0], surname=parts[1], **rest)
        return cls(first_name=parts[0] if parts else "", **rest)


@dataclass(frozen=True)
class Hit:
    """One possible identifying mark: ``answer`` is the index of the answer scanned;
    ``excerpt[start:end]`` is the matching text."""

    answer: int
    kind: str
    excerpt: str
    start: int
    end: int

    @property
    def matched(self) -> str:
        return self.excerpt[self.start : self.end]


def skeleton(text: str) -> str:
    """The spelling-independent form of a word (see the module's docstring)."""
    out = []
    for char in text.casefold():
        if char in CYRILLIC:
            out.append(CYRILLIC[char])
        elif char in LATIN_EXTRA:
            out.append(LATIN_EXTRA[char])
        else:
            base = unicodedata.normalize("NFKD", char)
            out.append("".join(c for c in base if c.isalnum()))
    word = "".join(out)
    for old, new in FOLDS:
        word = word.replace(old, new)
    collapsed: list[str] = []
    for char in word:
        if not collapsed or collapsed[-1] != char:
            collapsed.append(char)
    return "".join(collapsed)


ENDINGS = frozenset(skeleton(e) for e in ENDINGS_CYRILLIC)
VOWELS = frozenset("aeiou")


def _stems(name: str) -> list[str]:
    """The name's skeleton, and its stem without a final vowel or "i" (Дмитрий →
    Дмитрия, Айгерім → ... ), when long enough."""
    base = skeleton(name)
    if len(base) < MIN_NAME:
        return []
    stems = [base]
    if base[-1] in VOWELS and len(base) > MIN_NAME + 1:
        stems.append(base[:-1])
    if base.endswith("ii") and len(base) > MIN_NAME + 2:
        stems.append(base[:-2])
    return stems


def _excerpt(answer: int, kind: str, text: str, start: int, end: int) -> Hit:
    left = max(0, start - CONTEXT)
    right = min(len(text), end + CONTEXT)
    return Hit(answer, kind, text[left:right], start - left, end - left)


def _name_hits(answer: int, text: str, names: list[tuple[str, list[str]]]) -> Iterable[Hit]:
    for match in WORD.finditer(text):
        word = match.group()
        if word.isdigit():
            continue
        sk = skeleton(word)
        for kind, stems in names:
            if any(sk.startswith(stem) and sk[len(stem) :] in ENDINGS for stem in stems):
                yield _excerpt(answer, kind, text, match.start(), match.end())
                break


def _group_hits(answer: int, text: str, group: str) -> Iterable[Hit]:
    target = skeleton(re.sub(r"[\W_]", "", group))
    if len(target) < MIN_NAME:
        return
    words = list(WORD.finditer(text))
    for index, match in enumerate(words):
        joined, end = skeleton(match.group()), match.end()
        if joined == target:
            yield _excerpt(answer, "group", text, match.start(), end)
            continue
        if index + 1 < len(words):
            after = words[index + 1]
            gap = text[end : after.start()]
            if len(gap) <= 2 and joined + skeleton(after.group()) == target:
                yield _excerpt(answer, "group", text, match.start(), after.end())


def _id_hits(answer: int, text: str, student_id: str) -> Iterable[Hit]:
    wanted = re.sub(r"\D", "", student_id)
    if len(wanted) < 4:
        return
    for match in DIGITS.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        position = digits.find(wanted)
        if position >= 0:
            yield _excerpt(answer, "student_id", text, match.start(), match.end())


def _email_hits(answer: int, text: str, email: str) -> Iterable[Hit]:
    email = email.strip().casefold()
    if "@" not in email:
        return
    folded = text.casefold()
    at = folded.find(email)
    if at >= 0 and len(folded) == len(text):
        yield _excerpt(answer, "email", text, at, at + len(email))


def _last_line(text: str) -> tuple[int, str] | None:
    stripped = text.rstrip()
    start = stripped.rfind("\n") + 1
    line = stripped[start:].strip()
    if not 1 < len(line) <= 30 or LONG_WORD.search(line):
        return None
    if not any(c.isalpha() for c in line) and len(set(line) - set(" .,;:!?-")) == 0:
        return None
    return stripped.find(line, start), line


def scan(identity: Identity, answers: list[str]) -> list[Hit]:
    """Every possible identifying mark in the answers (at most ``MAX_HITS``)."""
    texts = [a[:MAX_CHARS] for a in answers[:MAX_ANSWERS]]
    names = [
        (kind, stems)
        for kind, value in (
            ("surname", identity.surname),
            ("name", identity.first_name),
            ("patronymic", identity.patronymic),
        )
        if (stems := _stems(value))
    ]
    hits: list[Hit] = []
    for index, text in enumerate(texts):
        hits.extend(_name_hits(index, text, names))
        hits.extend(_id_hits(index, text, identity.student_id))
        hits.extend(_email_hits(index, text, identity.email))
        if identity.group:
            hits.extend(_group_hits(index, text, identity.group))
        for match in PHRASES.finditer(text):
            hits.append(_excerpt(index, "phrase", text, match.start(), match.end()))
        for match in I_AM.finditer(text):
            hits.append(_excerpt(index, "phrase", text, match.start(), match.end()))
        if len(hits) >= MAX_HITS:
            return hits[:MAX_HITS]
    endings: dict[str, list[tuple[int, int, int]]] = {}
    for index, text in enumerate(texts):
        last = _last_line(text)
        if last is not None:
            key = " ".join(last[1].casefold().split())
            endings.setdefault(key, []).append((index, last[0], len(last[1])))
    for places in endings.values():
        if len(places) >= 2:
            for index, start, length in places:
                hits.append(_excerpt(index, "signature", texts[index], start, start + length))
    return hits[:MAX_HITS]
