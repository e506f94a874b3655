"""The registry import: faculties, departments, disciplines, groups, students, teachers and
teaching assignments from the registry's XLSX or CSV exports.

Three phases, so that a bad file never leaves half an import behind:

1. **read**: each source becomes rows of text keyed by lower-case column names, numbered
   as the person sees them in Excel (the header is line 1);
2. **plan**: every row is cleaned (formats), checked against the other rows and the
   database (duplicates, references, e-mails owned by someone else, photos) and compared
   with what is stored: *created*, *updated*, *unchanged* or *bad*. Read-only, outside any
   transaction, so a web job can report its progress as it goes;
3. **apply**: only when no row is bad (or with ``partial``): the passwords of new students
   are hashed first, in threads and outside the transaction (PBKDF2 is slow on purpose),
   then everything is written in one ``transaction.atomic()`` with its audit entry.

Rows are keyed by the registry's natural keys, so running the same file twice changes
nothing the second time. Nothing is ever deleted: a row missing from the file is left as
it is. See docs/REGISTRY-IMPORT.md.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import logging
import os
import uuid
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import partial as bind
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol, cast

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.utils.text import format_lazy, get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, override

from emtihan.accounts.models import Role, User
from emtihan.audit.services import audit_record
from emtihan.core.errors import PermissionDeniedError

from .models import (
    AcademicPeriod,
    Department,
    Discipline,
    Faculty,
    ImportJob,
    Student,
    StudyForm,
    StudyGroup,
    Teacher,
    TeachingAssignment,
)

logger = logging.getLogger(__name__)

# --- kinds and their columns ----------------------------------------------------------------

FACULTIES = "faculties"
DEPARTMENTS = "departments"
DISCIPLINES = "disciplines"
GROUPS = "groups"
STUDENTS = "students"
TEACHERS = "teachers"
ASSIGNMENTS = "assignments"
# The dependency order: a row may only refer to kinds before it (department heads, who
# may be teachers of the same file, are set after the teachers).
KINDS = (FACULTIES, DEPARTMENTS, DISCIPLINES, GROUPS, STUDENTS, TEACHERS, ASSIGNMENTS)

KIND_LABELS = {
    FACULTIES: gettext_lazy("Faculties"),
    DEPARTMENTS: gettext_lazy("Departments"),
    DISCIPLINES: gettext_lazy("Disciplines"),
    GROUPS: gettext_lazy("Groups"),
    STUDENTS: gettext_lazy("Students"),
    TEACHERS: gettext_lazy("Teachers"),
    ASSIGNMENTS: gettext_lazy("Teaching assignments"),
}
STAGE_READING = "reading"
STAGE_PASSWORDS = "passwords"
STAGE_SAVING = "saving"
STAGE_LABELS = {
    STAGE_READING: gettext_lazy("Reading the files"),
    **{
        kind: format_lazy("{}: {}", gettext_lazy("Checking"), label)
        for kind, label in KIND_LABELS.items()
    },
    STAGE_PASSWORDS: gettext_lazy("Setting the initial passwords of new students"),
    STAGE_SAVING: gettext_lazy("Saving"),
}


@dataclass(frozen=True)
class KindSpec:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


SPECS: dict[str, KindSpec] = {
    FACULTIES: KindSpec(("code", "name_kk"), ("name_ru", "name_en", "is_medical")),
    DEPARTMENTS: KindSpec(
        ("code", "faculty_code", "name_kk"), ("name_ru", "name_en", "head_email")
    ),
    DISCIPLINES: KindSpec(
        ("code", "department_code", "name_kk"), ("name_ru", "name_en", "credits")
    ),
    GROUPS: KindSpec(("code", "faculty_code", "study_form", "language", "year")),
    STUDENTS: KindSpec(("student_id", "email", "full_name", "group_code"), ("photo",)),
    TEACHERS: KindSpec(("staff_id", "email", "full_name", "department_code")),
    ASSIGNMENTS: KindSpec(("staff_id", "discipline_code", "group_code", "period_code")),
}

# What a key is called in "duplicate ..." and what a reference is called in "... does not
# exist" messages.
KEY_LABELS = {
    FACULTIES: gettext_noop("faculty code"),
    DEPARTMENTS: gettext_noop("department code"),
    DISCIPLINES: gettext_noop("discipline code"),
    GROUPS: gettext_noop("group code"),
    STUDENTS: gettext_noop("student ID"),
    TEACHERS: gettext_noop("staff ID"),
    ASSIGNMENTS: gettext_noop("assignment"),
}
# Which columns of a row name a row of another kind.
REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    FACULTIES: (),
    DEPARTMENTS: ((FACULTIES, "faculty_code"),),
    DISCIPLINES: ((DEPARTMENTS, "department_code"),),
    GROUPS: ((FACULTIES, "faculty_code"),),
    STUDENTS: ((GROUPS, "group_code"),),
    TEACHERS: ((DEPARTMENTS, "department_code"),),
    ASSIGNMENTS: ((TEACHERS, "staff_id"), (DISCIPLINES, "discipline_code"), (GROUPS, "group_code")),
}
REF_LABELS = {
    FACULTIES: gettext_noop("faculty"),
    DEPARTMENTS: gettext_noop("department"),
    DISCIPLINES: gettext_noop("discipline"),
    GROUPS: gettext_noop("group"),
    TEACHERS: gettext_noop("teacher"),
}

# Registry exports and people write study forms in three languages.
STUDY_FORMS = {
    **dict.fromkeys(
        ["full_time", "full-time", "full time", "күндізгі", "очная", "очное", "очно"],
        StudyForm.FULL_TIME,
    ),
    **dict.fromkeys(
        ["part_time", "part-time", "part time", "сырттай", "заочная", "заочное", "заочно"],
        StudyForm.PART_TIME,
    ),
    **dict.fromkeys(
        ["distance", "қашықтықтан", "дистанционная", "дистанционное", "дистанционно"],
        StudyForm.DISTANCE,
    ),
}
COLUMN_ALIASES = {"e_mail": "email"}
LANGUAGES = {"kk": "kk", "kz": "kk", "ru": "ru", "en": "en"}
TRUE_WORDS = {"yes", "y", "1", "true", "иә", "да"}
FALSE_WORDS = {"no", "n", "0", "false", "жоқ", "нет", ""}

CODE_MAX = 32
NAME_MAX = 255
FULL_NAME_MAX = 200
EMAIL_MAX = 254
YEAR_RANGE = (1, 8)
CREDITS_RANGE = (1, 60)
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
PROGRESS_EVERY = 100  # rows between two progress reports

# --- messages (gettext_noop: extracted here, translated where they are used) -------------

ERR_NOT_XLSX = gettext_noop("the file is not a readable XLSX workbook")
ERR_OLD_XLS = gettext_noop("old Excel .xls files are not supported: save the workbook as .xlsx")
ERR_UNKNOWN_FORMAT = gettext_noop("'%(name)s' is neither an XLSX workbook nor a CSV file")
ERR_NOT_UTF8 = gettext_noop('the file is not UTF-8 text: in Excel save it as "CSV UTF-8"')
ERR_CSV_BROKEN = gettext_noop("the CSV file cannot be read: %(error)s")
ERR_UNKNOWN_KIND = gettext_noop(
    "cannot tell what '%(name)s' holds: name the file after its kind (for example students.csv) or choose the kind"
)
ERR_NO_SHEETS = gettext_noop("the workbook has none of the sheets %(sheets)s")
ERR_EMPTY_FILE = gettext_noop("there is no header row")
ERR_MISSING_COLUMN = gettext_noop(
    "required column '%(column)s' is missing (the header has: %(found)s)"
)
ERR_DUPLICATE_COLUMN = gettext_noop("column '%(column)s' appears twice in the header")
ERR_EMPTY = gettext_noop("'%(column)s' is empty")
ERR_TOO_LONG = gettext_noop("'%(column)s' is longer than %(max)s characters")
ERR_BAD_EMAIL = gettext_noop("e-mail '%(value)s' is not a valid address")
ERR_BAD_BOOLEAN = gettext_noop("'%(column)s' must be yes or no, not '%(value)s'")
ERR_BAD_NUMBER = gettext_noop(
    "'%(column)s' must be a whole number from %(low)s to %(high)s, not '%(value)s'"
)
ERR_BAD_STUDY_FORM = gettext_noop(
    "study form '%(value)s' is not one of full_time, part_time, distance"
)
ERR_BAD_LANGUAGE = gettext_noop("teaching language '%(value)s' is not one of kk, ru, en")
ERR_DUPLICATE = gettext_noop("duplicate %(what)s %(key)s (first seen on %(where)s)")
ERR_DUPLICATE_EMAIL = gettext_noop("e-mail '%(email)s' is used twice (first seen on %(where)s)")
ERR_UNKNOWN = gettext_noop("%(what)s '%(key)s' does not exist in this file or the database")
ERR_DEPENDS_ON_BAD = gettext_noop("%(what)s '%(key)s' could not be imported (see %(where)s)")
ERR_UNKNOWN_PERIOD = gettext_noop(
    "academic period '%(key)s' does not exist: create it in the administration first"
)
ERR_UNKNOWN_HEAD = gettext_noop(
    "head e-mail '%(email)s' is neither an existing user nor a teacher in this file"
)
ERR_HEAD_IS_BAD = gettext_noop(
    "head e-mail '%(email)s' belongs to a teacher row that could not be imported (see %(where)s)"
)
ERR_EMAIL_OF_STUDENT = gettext_noop("e-mail '%(email)s' already belongs to student %(other)s")
ERR_EMAIL_OF_TEACHER = gettext_noop("e-mail '%(email)s' already belongs to teacher %(other)s")
ERR_EMAIL_OF_USER = gettext_noop("e-mail '%(email)s' already belongs to another user")
ERR_PHOTO_NO_SOURCE = gettext_noop(
    "photo '%(name)s' is named but no photos folder or ZIP was given"
)
ERR_PHOTO_MISSING = gettext_noop("photo '%(name)s' was not found among the photos")
ERR_PHOTO_TOO_BIG = gettext_noop("photo '%(name)s' is larger than %(mb)s MB")
ERR_PHOTO_INVALID = gettext_noop("photo '%(name)s' is not a JPEG, PNG or WebP image")
ERR_CONCURRENT = gettext_noop(
    "the database refused the changes (%(error)s), perhaps because another import ran at the same time; nothing was written: run it again"
)
ERR_JOB_CRASHED = gettext_noop(
    "The import stopped because of an unexpected error; nothing was written. The details are in the server log."
)
ERR_NOT_REGISTRAR = gettext_noop("Only the registrar's office can import registry files.")
WARN_UNKNOWN_SHEET = gettext_noop(
    "%(source)s: sheet '%(sheet)s' is not one of the known kinds and was ignored"
)
WARN_UNKNOWN_COLUMN = gettext_noop("%(source)s: column '%(column)s' is not used and was ignored")


class ImportFormatError(Exception):
    """A whole file cannot be read; ``message`` is translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- the report ----------------------------------------------------------------------------


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0


@dataclass(frozen=True)
class RowError:
    """One problem: ``line`` is the row as Excel numbers it (header = 1); None for a file."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        parts = [self.source] if self.source else []
        if self.line:
            parts.append(_("line %(line)s") % {"line": self.line})
        prefix = ", ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass
class ImportReport:
    """What an import did (``applied``) or would have done; JSON-able for ``ImportJob``."""

    counts: dict[str, KindCounts] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    applied: bool = False
    partial: bool = False
    dry_run: bool = False

    @property
    def bad_rows(self) -> int:
        return self.totals.invalid

    @property
    def totals(self) -> KindCounts:
        fields = ("created", "updated", "unchanged", "invalid")
        return KindCounts(**{f: sum(getattr(c, f) for c in self.counts.values()) for f in fields})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        return cls(
            counts={k: KindCounts(**v) for k, v in data.get("counts", {}).items()},
            errors=[RowError(**e) for e in data.get("errors", [])],
            warnings=list(data.get("warnings", [])),
            sources=list(data.get("sources", [])),
            applied=bool(data.get("applied")),
            partial=bool(data.get("partial")),
            dry_run=bool(data.get("dry_run")),
        )


class ProgressCallback(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None: ...


class _Progress:
    """Passes on every PROGRESS_EVERY-th step, and the first and last, of each stage."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self.callback = callback

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.callback and (done in (0, total) or done % PROGRESS_EVERY == 0):
            self.callback(stage, done, total)


# --- sources and reading --------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One uploaded or given file. ``kind`` names the kind of a CSV whose name does not."""

    name: str
    data: bytes
    kind: str | None = None

    @classmethod
    def from_path(cls, path: Path, *, kind: str | None = None) -> Source:
        return cls(name=path.name, data=path.read_bytes(), kind=kind)


@dataclass
class Row:
    source: str
    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    def where(self, other: Row | None = None) -> str:
        """Where this row is, said from ``other``'s point of view."""
        if other is not None and other.source == self.source:
            return _("line %(line)s") % {"line": self.line}
        return _("%(source)s, line %(line)s") % {"source": self.source, "line": self.line}


def detect_format(name: str, head: bytes = b"") -> str:
    """``xlsx`` or ``csv`` from the file name, checked against the first bytes if given."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise ImportFormatError(_(ERR_OLD_XLS))
    if suffix in (".xlsx", ".xlsm"):
        if head and not head.startswith(b"PK\x03\x04"):
            raise ImportFormatError(_(ERR_NOT_XLSX))
        return "xlsx"
    if suffix in (".csv", ".txt"):
        if head and (b"\x00" in head or not _looks_like_utf8(head)):
            raise ImportFormatError(_(ERR_NOT_UTF8))
        return "csv"
    raise ImportFormatError(_(ERR_UNKNOWN_FORMAT) % {"name": name})


def _looks_like_utf8(head: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def read_sources(
    sources: Sequence[Source], report: ImportReport, progress: _Progress
) -> dict[str, list[Row]]:
    """All rows of all sources by kind; whole-file problems go to ``report.errors``."""
    tables: dict[str, list[Row]] = {kind: [] for kind in KINDS}
    for done, source in enumerate(sources):
        progress(STAGE_READING, done, len(sources))
        try:
            for kind, label, grid in _grids(source, report):
                tables[kind].extend(_rows_of(grid, kind=kind, label=label, report=report))
        except ImportFormatError as exc:
            report.errors.append(RowError(source.name, None, exc.message))
    progress(STAGE_READING, len(sources), len(sources))
    return tables


def _grids(
    source: Source, report: ImportReport
) -> Iterator[tuple[str, str, Iterable[Sequence[Any]]]]:
    """(kind, label for messages, rows of cells) for each table in the source."""
    if detect_format(source.name, source.data[:4096]) == "xlsx":
        yield from _xlsx_grids(source, report)
        return
    kind = source.kind or Path(source.name).stem.strip().lower()
    if kind not in KINDS:
        raise ImportFormatError(_(ERR_UNKNOWN_KIND) % {"name": source.name})
    yield kind, source.name, _csv_grid(source.data)


def _xlsx_grids(
    source: Source, report: ImportReport
) -> Iterator[tuple[str, str, Iterable[Sequence[Any]]]]:
    import openpyxl  # imported here: only imports of workbooks pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise ImportFormatError(_(ERR_NOT_XLSX)) from exc
    try:
        found = False
        for sheet in workbook.worksheets:
            kind = sheet.title.strip().lower()
            if kind not in KINDS:
                report.warnings.append(
                    _(WARN_UNKNOWN_SHEET) % {"source": source.name, "sheet": sheet.title}
                )
                continue
            found = True
            # Some exporters write a wrong dimension; without it openpyxl reads every row.
            sheet.reset_dimensions()
            yield kind, f"{source.name} [{sheet.title}]", list(sheet.iter_rows(values_only=True))
        if not found:
            raise ImportFormatError(_(ERR_NO_SHEETS) % {"sheets": ", ".join(KINDS)})
    finally:
        workbook.close()


def _csv_grid(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(_(ERR_NOT_UTF8)) from exc
    first_line = text.split("\n", 1)[0]
    # Excel in Kazakhstan and Russia separates with ";" (the decimal comma takes ",").
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFormatError(_(ERR_CSV_BROKEN) % {"error": exc}) from exc


def _column_name(value: Any) -> str:
    """``Student ID`` and ``E-mail`` as well as ``student_id`` and ``email``."""
    name = _cell_text(value).lower().replace(" ", "_").replace("-", "_")
    return COLUMN_ALIASES.get(name, name)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps 100004 as 100004.0
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _rows_of(
    grid: Iterable[Sequence[Any]], *, kind: str, label: str, report: ImportReport
) -> list[Row]:
    lines = iter(grid)
    header = [_column_name(v) for v in next(lines, ())]
    if not any(header):
        report.errors.append(RowError(label, 1, _(ERR_EMPTY_FILE)))
        return []
    if not _header_ok(header, kind=kind, label=label, report=report):
        return []
    spec = SPECS[kind]
    positions = [(i, column) for i, column in enumerate(header) if column in spec.columns]
    rows = []
    for line, values in enumerate(lines, start=2):
        cells = {
            column: _cell_text(values[i]) if i < len(values) else "" for i, column in positions
        }
        if any(cells.values()):
            rows.append(Row(label, line, cells))
    return rows


def _header_ok(header: list[str], *, kind: str, label: str, report: ImportReport) -> bool:
    spec = SPECS[kind]
    ok = True
    seen: set[str] = set()
    for column in header:
        if not column:
            continue
        if column in seen:
            report.errors.append(RowError(label, 1, _(ERR_DUPLICATE_COLUMN) % {"column": column}))
            ok = False
        seen.add(column)
        if column not in spec.columns:
            report.warnings.append(_(WARN_UNKNOWN_COLUMN) % {"source": label, "column": column})
    found = ", ".join(c for c in header if c)
    for column in spec.required:
        if column not in seen:
            report.errors.append(
                RowError(label, 1, _(ERR_MISSING_COLUMN) % {"column": column, "found": found})
            )
            ok = False
    return ok


# --- photos ----------------------------------------------------------------------------------


class PhotoSource(Protocol):
    def read(self, name: str) -> bytes | None:
        """The photo's bytes, or None when there is no such file."""
        ...


class PhotoTooBig(Exception):
    """The named photo is larger than PHOTO_MAX_BYTES."""


class _IndexedPhotos(ABC):
    """Finds a photo by its path or, failing that, by its bare file name, ignoring case
    (Windows and cameras disagree about ``.JPG``). Only files in the index can be read, so
    a name like ``../../etc/passwd`` finds nothing."""

    def __init__(self, names: Iterable[str]) -> None:
        self.by_path: dict[str, str] = {}
        by_name: dict[str, list[str]] = {}
        for name in names:
            self.by_path[name.lower()] = name
            by_name.setdefault(PurePosixPath(name).name.lower(), []).append(name)
        self.by_name = {k: v[0] for k, v in by_name.items() if len(v) == 1}

    def find(self, name: str) -> str | None:
        key = name.replace("\\", "/").strip("/").lower()
        return self.by_path.get(key) or self.by_name.get(PurePosixPath(key).name)

    @abstractmethod
    def size(self, found: str) -> int: ...

    @abstractmethod
    def bytes_of(self, found: str) -> bytes: ...

    def read(self, name: str) -> bytes | None:
        found = self.find(name)
        if found is None:
            return None
        if self.size(found) > PHOTO_MAX_BYTES:
            raise PhotoTooBig
        return self.bytes_of(found)


class PhotoFolder(_IndexedPhotos):
    """Photos in a folder (and its subfolders) on the server: ``--photos DIR``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        super().__init__(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    def size(self, found: str) -> int:
        return (self.root / found).stat().st_size

    def bytes_of(self, found: str) -> bytes:
        return (self.root / found).read_bytes()


class PhotoZip(_IndexedPhotos):
    """Photos in a ZIP file uploaded with the registry file (or given to ``--photos``)."""

    def __init__(self, file: IO[bytes]) -> None:
        self.zip = zipfile.ZipFile(file)
        infos = [
            i
            for i in self.zip.infolist()
            if not i.is_dir() and not i.filename.startswith("__MACOSX/")
        ]
        self.infos = {i.filename: i for i in infos}
        super().__init__(self.infos)

    def size(self, found: str) -> int:
        return self.infos[found].file_size

    def bytes_of(self, found: str) -> bytes:
        return self.zip.read(self.infos[found])


def open_photos(path: Path) -> PhotoSource:
    """A photo folder, or a ZIP file of photos."""
    if path.is_dir():
        return PhotoFolder(path)
    return PhotoZip(path.open("rb"))


def _image_ok(data: bytes) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format in PHOTO_FORMATS
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False


# --- cleaning: text cells to typed records ------------------------------------------------


@dataclass(frozen=True)
class Names:
    kk: str
    ru: str | None  # None: blank in the file, keep what is stored
    en: str | None


@dataclass(frozen=True)
class FacultyIn:
    code: str
    names: Names
    is_medical: bool | None

    @property
    def key(self) -> str:
        return self.code


@dataclass(frozen=True)
class DepartmentIn:
    code: str
    faculty_code: str
    names: Names
    head_email: str | None

    @property
    def key(self) -> str:
        return self.code


@dataclass(frozen=True)
class DisciplineIn:
    code: str
    department_code: str
    names: Names
    credits: int | None

    @property
    def key(self) -> str:
        return self.code


@dataclass(frozen=True)
class GroupIn:
    code: str
    faculty_code: str
    study_form: str
    language: str
    year: int | None

    @property
    def key(self) -> str:
        return self.code


@dataclass(frozen=True)
class StudentIn:
    student_id: str
    email: str
    full_name: str
    group_code: str
    photo: str | None

    @property
    def key(self) -> str:
        return self.student_id


@dataclass(frozen=True)
class TeacherIn:
    staff_id: str
    email: str
    full_name: str
    department_code: str

    @property
    def key(self) -> str:
        return self.staff_id


@dataclass(frozen=True)
class AssignmentIn:
    staff_id: str
    discipline_code: str
    group_code: str
    period_code: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.staff_id, self.discipline_code, self.group_code, self.period_code)


Record = FacultyIn | DepartmentIn | DisciplineIn | GroupIn | StudentIn | TeacherIn | AssignmentIn


class _Cells:
    """One row's cells and the checks that turn them into values; problems pile up in
    ``errors`` so that a row reports all of them at once."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.errors: list[str] = []

    def text(self, column: str, *, max_length: int = CODE_MAX) -> str:
        value = self.row.get(column)
        if not value:
            self.errors.append(_(ERR_EMPTY) % {"column": column})
        elif len(value) > max_length:
            self.errors.append(_(ERR_TOO_LONG) % {"column": column, "max": max_length})
        return value

    def optional_text(self, column: str, *, max_length: int = NAME_MAX) -> str | None:
        return self.text(column, max_length=max_length) if self.row.get(column) else None

    def email(self, column: str) -> str:
        value = self.text(column, max_length=EMAIL_MAX).lower()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.errors.append(_(ERR_BAD_EMAIL) % {"value": value})
        return value

    def optional_email(self, column: str) -> str | None:
        return self.email(column) if self.row.get(column) else None

    def names(self) -> Names:
        return Names(
            kk=self.text("name_kk", max_length=NAME_MAX),
            ru=self.optional_text("name_ru"),
            en=self.optional_text("name_en"),
        )

    def flag(self, column: str) -> bool | None:
        """None when the column is absent; a blank cell in a present column is "no"."""
        if column not in self.row.cells:
            return None
        value = self.row.get(column).lower()
        if value in TRUE_WORDS:
            return True
        if value not in FALSE_WORDS:
            self.errors.append(_(ERR_BAD_BOOLEAN) % {"column": column, "value": value})
        return False

    def number(self, column: str, *, bounds: tuple[int, int], required: bool) -> int | None:
        value = self.row.get(column)
        if not value:
            if required:
                self.errors.append(_(ERR_EMPTY) % {"column": column})
            return None
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = float("nan")
        low, high = bounds
        if not (number.is_integer() and low <= number <= high):
            self.errors.append(
                _(ERR_BAD_NUMBER) % {"column": column, "low": low, "high": high, "value": value}
            )
            return None
        return int(number)

    def choice(self, column: str, choices: Mapping[str, str], message: str) -> str:
        value = self.text(column, max_length=NAME_MAX)
        if value and value.lower() not in choices:
            self.errors.append(_(message) % {"value": value})
        return choices.get(value.lower(), "")


def _clean_faculty(c: _Cells) -> FacultyIn:
    return FacultyIn(code=c.text("code"), names=c.names(), is_medical=c.flag("is_medical"))


def _clean_department(c: _Cells) -> DepartmentIn:
    return DepartmentIn(
        code=c.text("code"),
        faculty_code=c.text("faculty_code"),
        names=c.names(),
        head_email=c.optional_email("head_email"),
    )


def _clean_discipline(c: _Cells) -> DisciplineIn:
    return DisciplineIn(
        code=c.text("code"),
        department_code=c.text("department_code"),
        names=c.names(),
        credits=c.number("credits", bounds=CREDITS_RANGE, required=False),
    )


def _clean_group(c: _Cells) -> GroupIn:
    return GroupIn(
        code=c.text("code"),
        faculty_code=c.text("faculty_code"),
        study_form=c.choice("study_form", STUDY_FORMS, ERR_BAD_STUDY_FORM),
        language=c.choice("language", LANGUAGES, ERR_BAD_LANGUAGE),
        year=c.number("year", bounds=YEAR_RANGE, required=True),
    )


def _clean_student(c: _Cells) -> StudentIn:
    return StudentIn(
        student_id=c.text("student_id"),
        email=c.email("email"),
        full_name=c.text("full_name", max_length=FULL_NAME_MAX),
        group_code=c.text("group_code"),
        photo=c.optional_text("photo"),
    )


def _clean_teacher(c: _Cells) -> TeacherIn:
    return TeacherIn(
        staff_id=c.text("staff_id"),
        email=c.email("email"),
        full_name=c.text("full_name", max_length=FULL_NAME_MAX),
        department_code=c.text("department_code"),
    )


def _clean_assignment(c: _Cells) -> AssignmentIn:
    return AssignmentIn(
        staff_id=c.text("staff_id"),
        discipline_code=c.text("discipline_code"),
        group_code=c.text("group_code"),
        period_code=c.text("period_code"),
    )


CLEANERS: dict[str, Callable[[_Cells], Record]] = {
    FACULTIES: _clean_faculty,
    DEPARTMENTS: _clean_department,
    DISCIPLINES: _clean_discipline,
    GROUPS: _clean_group,
    STUDENTS: _clean_student,
    TEACHERS: _clean_teacher,
    ASSIGNMENTS: _clean_assignment,
}

# --- planning ------------------------------------------------------------------------------

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class _Entry:
    """One row on its way in: its record, its problems and, once planned, its status."""

    kind: str
    row: Row
    record: Any  # one of Record; Any so that each kind's code reads its own fields
    errors: list[str] = field(default_factory=list)
    status: str = ""
    photo_sha: str = ""  # students: SHA-256 of the named photo, once it has been read
    photo_changed: bool = False  # students: the stored photo is to be replaced

    @property
    def bad(self) -> bool:
        return bool(self.errors)


def _in_chunks(
    queryset: models.QuerySet, lookup: str, values: Iterable[Any], size: int = 500
) -> Iterator[Any]:
    """``queryset.filter(<lookup>__in=values)`` in chunks that every database accepts."""
    values = sorted(set(values))
    for start in range(0, len(values), size):
        yield from queryset.filter(**{f"{lookup}__in": values[start : start + size]})


def _profile(user: User, name: str) -> Any:
    try:
        return getattr(user, name)
    except ObjectDoesNotExist:
        return None


class _Snapshot:
    """What the database holds for the keys the files mention, read in a few queries."""

    def __init__(self, entries: dict[str, list[_Entry]]) -> None:
        def keys(kind: str, attr: str) -> set[str]:
            return {getattr(e.record, attr) for e in entries[kind]}

        self.faculties = {f.code: f for f in Faculty.objects.all()}
        self.departments = {d.code: d for d in Department.objects.select_related("faculty", "head")}
        self.disciplines = {d.code: d for d in Discipline.objects.select_related("department")}
        self.groups = {g.code: g for g in StudyGroup.objects.select_related("faculty")}
        self.periods = {p.code: p for p in AcademicPeriod.objects.all()}
        self.students = {
            s.student_id: s
            for s in _in_chunks(
                Student.objects.select_related("user", "group"),
                "student_id",
                keys(STUDENTS, "student_id"),
            )
        }
        staff_ids = keys(TEACHERS, "staff_id") | keys(ASSIGNMENTS, "staff_id")
        self.teachers = {
            t.staff_id: t
            for t in _in_chunks(
                Teacher.objects.select_related("user", "department"), "staff_id", staff_ids
            )
        }
        emails = (
            keys(STUDENTS, "email")
            | keys(TEACHERS, "email")
            | (keys(DEPARTMENTS, "head_email") - {None})
        )
        users = User.objects.annotate(email_lower=Lower("email")).select_related(
            "student", "teacher"
        )
        self.users: dict[str, User] = {
            u.email.lower(): u for u in _in_chunks(users, "email_lower", emails)
        }
        self.assignments = set(
            TeachingAssignment.objects.filter(
                period__code__in=keys(ASSIGNMENTS, "period_code")
            ).values_list("teacher__staff_id", "discipline__code", "group__code", "period__code")
        )
        self.role_members = {
            role: set(
                User.groups.through.objects.filter(group__name=role).values_list(
                    "user_id", flat=True
                )
            )
            for role in (Role.STUDENT, Role.TEACHER)
        }

    def has(self, kind: str, key: str) -> bool:
        return key in getattr(self, kind)


@dataclass
class Plan:
    entries: dict[str, list[_Entry]]
    db: _Snapshot

    def changed(self, kind: str) -> list[_Entry]:
        return [e for e in self.entries[kind] if not e.bad and e.status in (CREATED, UPDATED)]

    def new_student_ids(self) -> list[str]:
        """Students whose user does not exist yet: they need a password hash."""
        return [
            e.record.student_id
            for e in self.changed(STUDENTS)
            if e.status == CREATED and e.record.email not in self.db.users
        ]


class _Planner:
    def __init__(
        self, tables: dict[str, list[Row]], photos: PhotoSource | None, progress: _Progress
    ) -> None:
        self.tables = tables
        self.photos = photos
        self.progress = progress
        self.entries: dict[str, list[_Entry]] = {kind: [] for kind in KINDS}
        # The first good-or-bad row of each key, and of each e-mail, per kind.
        self.by_key: dict[str, dict[Any, _Entry]] = {kind: {} for kind in KINDS}
        self.by_email: dict[str, dict[str, _Entry]] = {STUDENTS: {}, TEACHERS: {}}

    def plan(self) -> Plan:
        for kind in KINDS:
            self._clean_all(kind)
        self.db = _Snapshot(self.entries)
        for entry in self._good():
            self._check_against_database(entry)
        self._check_references()
        for entry in self._good():
            entry.status = self._status(entry)
        return Plan(self.entries, self.db)

    def _good(self) -> Iterator[_Entry]:
        for kind in KINDS:
            yield from (e for e in self.entries[kind] if not e.bad)

    # rows on their own, and against each other

    def _clean_all(self, kind: str) -> None:
        rows = self.tables[kind]
        for done, row in enumerate(rows):
            self.progress(kind, done, len(rows))
            cells = _Cells(row)
            entry = _Entry(kind, row, CLEANERS[kind](cells), errors=cells.errors)
            self._check_duplicates(entry)
            if kind == STUDENTS and not entry.bad and entry.record.photo:
                self._check_photo(entry)
            self.entries[kind].append(entry)
        self.progress(kind, len(rows), len(rows))

    def _check_duplicates(self, entry: _Entry) -> None:
        key = entry.record.key
        complete = all(key) if isinstance(key, tuple) else bool(key)
        first = self.by_key[entry.kind].setdefault(key, entry) if complete else entry
        if first is not entry:
            shown = " · ".join(key) if isinstance(key, tuple) else key
            what = _(KEY_LABELS[entry.kind])
            entry.errors.append(
                _(ERR_DUPLICATE) % {"what": what, "key": shown, "where": first.row.where(entry.row)}
            )
        if entry.kind in self.by_email and entry.record.email:
            first = self.by_email[entry.kind].setdefault(entry.record.email, entry)
            if first is not entry:
                where = first.row.where(entry.row)
                entry.errors.append(
                    _(ERR_DUPLICATE_EMAIL) % {"email": entry.record.email, "where": where}
                )

    def _check_photo(self, entry: _Entry) -> None:
        name = entry.record.photo
        if self.photos is None:
            entry.errors.append(_(ERR_PHOTO_NO_SOURCE) % {"name": name})
            return
        try:
            data = self.photos.read(name)
        except PhotoTooBig:
            entry.errors.append(
                _(ERR_PHOTO_TOO_BIG) % {"name": name, "mb": PHOTO_MAX_BYTES // (1024 * 1024)}
            )
            return
        if data is None:
            entry.errors.append(_(ERR_PHOTO_MISSING) % {"name": name})
        elif not _image_ok(data):
            entry.errors.append(_(ERR_PHOTO_INVALID) % {"name": name})
        else:
            entry.photo_sha = hashlib.sha256(data).hexdigest()

    # rows against the database

    def _check_against_database(self, entry: _Entry) -> None:
        if entry.kind == STUDENTS:
            message = self._email_conflict(entry, self.db.students, "student", ERR_EMAIL_OF_STUDENT)
        elif entry.kind == TEACHERS:
            message = self._email_conflict(entry, self.db.teachers, "teacher", ERR_EMAIL_OF_TEACHER)
        elif entry.kind == ASSIGNMENTS and entry.record.period_code not in self.db.periods:
            message = _(ERR_UNKNOWN_PERIOD) % {"key": entry.record.period_code}
        else:
            message = None
        if message:
            entry.errors.append(message)

    def _email_conflict(
        self, entry: _Entry, profiles: dict[str, Any], profile: str, taken: str
    ) -> str | None:
        """A person's e-mail may only be one they already have, or a free one, or that of
        a user with no profile of this kind yet (who is then linked)."""
        record = entry.record
        user = self.db.users.get(record.email)
        if user is None:
            return None
        existing = profiles.get(record.key)
        if existing is not None and existing.user_id == user.pk:
            return None
        other = _profile(user, profile)
        if other is not None:
            other_key = other.student_id if profile == "student" else other.staff_id
            return _(taken) % {"email": record.email, "other": other_key}
        if existing is not None:
            return _(ERR_EMAIL_OF_USER) % {"email": record.email}
        return None

    # references between rows

    def _check_references(self) -> None:
        """A row whose reference is bad is bad too. Department heads may be teachers of the
        file and teachers belong to departments, so repeat until nothing more goes bad."""
        changed = True
        while changed:
            changed = False
            for entry in list(self._good()):
                message = self._reference_error(entry)
                if message:
                    entry.errors.append(message)
                    changed = True

    def _reference_error(self, entry: _Entry) -> str | None:
        record = entry.record
        for kind, attribute in REFERENCES[entry.kind]:
            message = self._missing(kind, getattr(record, attribute), entry)
            if message:
                return message
        if entry.kind == DEPARTMENTS and record.head_email:
            return self._head_error(record.head_email, entry)
        return None

    def _missing(self, kind: str, key: str, entry: _Entry) -> str | None:
        what = _(REF_LABELS[kind])
        target = self.by_key[kind].get(key)
        if target is not None:
            if target.bad:
                return _(ERR_DEPENDS_ON_BAD) % {
                    "what": what,
                    "key": key,
                    "where": target.row.where(entry.row),
                }
            return None
        if self.db.has(kind, key):
            return None
        return _(ERR_UNKNOWN) % {"what": what, "key": key}

    def _head_error(self, email: str, entry: _Entry) -> str | None:
        teacher = self.by_email[TEACHERS].get(email)
        if teacher is not None and teacher.bad:
            return _(ERR_HEAD_IS_BAD) % {"email": email, "where": teacher.row.where(entry.row)}
        if teacher is not None or email in self.db.users:
            return None
        return _(ERR_UNKNOWN_HEAD) % {"email": email}

    # created, updated or unchanged

    def _status(self, entry: _Entry) -> str:
        existing = self._existing(entry)
        if entry.photo_sha:
            entry.photo_changed = existing is None or entry.photo_sha != _stored_sha(existing.photo)
        if existing is None:
            return CREATED
        return UPDATED if self._differs(entry, existing) else UNCHANGED

    def _existing(self, entry: _Entry) -> Any:
        if entry.kind == ASSIGNMENTS:
            return entry.record.key if entry.record.key in self.db.assignments else None
        return getattr(self.db, entry.kind).get(entry.record.key)

    def _differs(self, entry: _Entry, existing: Any) -> bool:
        r = entry.record
        if entry.kind == FACULTIES:
            return _names_differ(existing, r.names) or _differs(existing.is_medical, r.is_medical)
        if entry.kind == DEPARTMENTS:
            head = existing.head.email.lower() if existing.head else None
            return (
                _names_differ(existing, r.names)
                or existing.faculty.code != r.faculty_code
                or _differs(head, r.head_email)
            )
        if entry.kind == DISCIPLINES:
            return (
                _names_differ(existing, r.names)
                or existing.department.code != r.department_code
                or _differs(existing.credits, r.credits)
            )
        if entry.kind == GROUPS:
            stored = (existing.faculty.code, existing.study_form, existing.language, existing.year)
            return stored != (r.faculty_code, r.study_form, r.language, r.year)
        if entry.kind == STUDENTS:
            return (
                _person_differs(existing, r, self.db.role_members[Role.STUDENT])
                or existing.group.code != r.group_code
                or entry.photo_changed
            )
        if entry.kind == TEACHERS:
            return (
                _person_differs(existing, r, self.db.role_members[Role.TEACHER])
                or existing.department.code != r.department_code
            )
        return False  # an assignment is its key


def _differs(stored: Any, value: Any) -> bool:
    """None in the file means "keep what is stored"."""
    return value is not None and stored != value


def _names_differ(obj: Any, names: Names) -> bool:
    return (
        obj.name_kk != names.kk
        or _differs(obj.name_ru, names.ru)
        or _differs(obj.name_en, names.en)
    )


def _person_differs(
    profile: Student | Teacher, record: StudentIn | TeacherIn, role_members: set[int]
) -> bool:
    user = profile.user
    return (
        user.email != record.email
        or user.full_name != record.full_name
        or user.pk not in role_members
    )


def _stored_sha(photo: models.fields.files.FieldFile) -> str:
    if not photo:
        return ""
    try:
        with photo.open("rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return ""


# --- applying ------------------------------------------------------------------------------


def _hash_passwords(student_ids: list[str], progress: _Progress) -> dict[str, str]:
    """Each new student's initial password (their student ID), hashed.

    PBKDF2 is slow on purpose (~0.3 s each) and hashlib releases the GIL while it runs,
    so threads use every core; this runs before the write transaction so the database is
    not locked while it does.
    """
    hashed: dict[str, str] = {}
    total = len(student_ids)
    progress(STAGE_PASSWORDS, 0, total)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for done, (sid, encoded) in enumerate(
            zip(student_ids, pool.map(make_password, student_ids), strict=True), 1
        ):
            hashed[sid] = encoded
            progress(STAGE_PASSWORDS, done, total)
    return hashed


class _Writer:
    """Writes a plan, kind by kind in dependency order. Runs inside the transaction."""

    def __init__(
        self, plan: Plan, passwords: dict[str, str], photos: PhotoSource | None, progress: _Progress
    ) -> None:
        db = plan.db
        self.plan = plan
        self.passwords = passwords
        self.photos = photos
        self.progress = progress
        self.faculties = dict(db.faculties)
        self.departments = dict(db.departments)
        self.disciplines = dict(db.disciplines)
        self.groups = dict(db.groups)
        self.students = dict(db.students)
        self.teachers = dict(db.teachers)
        self.users = dict(db.users)
        self.grants: dict[str, list[User]] = {Role.STUDENT: [], Role.TEACHER: [], Role.HEAD: []}
        self.new_photos: list[str] = []  # deleted again if the transaction rolls back
        self.old_photos: list[str] = []  # deleted once the transaction commits
        self.done = 0
        self.total = sum(len(plan.changed(kind)) for kind in KINDS)

    def run(self) -> None:
        self.progress(STAGE_SAVING, 0, self.total)
        self._faculties(self.plan.changed(FACULTIES))
        self._departments(self.plan.changed(DEPARTMENTS))
        self._disciplines(self.plan.changed(DISCIPLINES))
        self._groups(self.plan.changed(GROUPS))
        self._students(self.plan.changed(STUDENTS))
        self._teachers(self.plan.changed(TEACHERS))
        self._assignments(self.plan.changed(ASSIGNMENTS))
        self._heads(self.plan.changed(DEPARTMENTS))
        self._grant_roles()
        # Replaced photos go only once the new ones are committed.
        transaction.on_commit(bind(_delete_files, list(self.old_photos)))

    def _tick(self) -> None:
        self.done += 1
        self.progress(STAGE_SAVING, self.done, self.total)

    def _faculties(self, entries: list[_Entry]) -> None:
        for e in entries:
            r: FacultyIn = e.record
            faculty = self.faculties.get(r.code) or Faculty(code=r.code)
            _set_names(faculty, r.names)
            if r.is_medical is not None:
                faculty.is_medical = r.is_medical
            faculty.save()
            self.faculties[r.code] = faculty
            self._tick()

    def _departments(self, entries: list[_Entry]) -> None:
        for e in entries:
            r: DepartmentIn = e.record
            department = self.departments.get(r.code) or Department(code=r.code)
            department.faculty = self.faculties[r.faculty_code]
            _set_names(department, r.names)
            department.save()  # the head is set by _heads, once the teachers exist
            self.departments[r.code] = department
            self._tick()

    def _disciplines(self, entries: list[_Entry]) -> None:
        for e in entries:
            r: DisciplineIn = e.record
            discipline = self.disciplines.get(r.code) or Discipline(code=r.code)
            discipline.department = self.departments[r.department_code]
            _set_names(discipline, r.names)
            if r.credits is not None:
                discipline.credits = r.credits
            discipline.save()
            self.disciplines[r.code] = discipline
            self._tick()

    def _groups(self, entries: list[_Entry]) -> None:
        for e in entries:
            r: GroupIn = e.record
            group = self.groups.get(r.code) or StudyGroup(code=r.code)
            group.faculty = self.faculties[r.faculty_code]
            group.study_form, group.language = r.study_form, r.language
            if r.year is not None:
                group.year = r.year
            group.save()
            self.groups[r.code] = group
            self._tick()

    def _user_for(
        self,
        email: str,
        full_name: str,
        *,
        new_user: Callable[[], User],
        new_users: list[User],
        changed: list[User],
    ) -> User:
        """The user with this e-mail (its name brought up to date), or ``new_user()``."""
        user = self.users.get(email)
        if user is None:
            user = new_user()
            new_users.append(user)
            self.users[email] = user
        elif user.full_name != full_name:
            user.full_name = full_name
            changed.append(user)
        return user

    def _new_student_user(self, r: StudentIn) -> User:
        # The university's rule: the first password is the student ID, to be changed.
        password = self.passwords[r.student_id]
        return User(
            email=r.email, full_name=r.full_name, password=password, must_change_password=True
        )

    def _new_teacher_user(self, r: TeacherIn) -> User:
        # No usable password: teachers choose theirs through "Forgot password".
        return User(email=r.email, full_name=r.full_name, password=make_password(None))

    def _students(self, entries: list[_Entry]) -> None:
        new_users: list[User] = []
        changed_users: list[User] = []
        new_students: list[Student] = []
        changed_students: list[Student] = []
        for e in entries:
            r: StudentIn = e.record
            student = self.students.get(r.student_id)
            if student is None:
                new_user = bind(self._new_student_user, r)
                user = self._user_for(
                    r.email,
                    r.full_name,
                    new_user=new_user,
                    new_users=new_users,
                    changed=changed_users,
                )
                student = Student(user=user, student_id=r.student_id)
                new_students.append(student)
            else:
                user = student.user
                user.email, user.full_name = r.email, r.full_name
                changed_users.append(user)
                changed_students.append(student)
            self.users[r.email] = user
            student.group = self.groups[r.group_code]
            if e.photo_changed and r.photo:
                self._save_photo(student, r.photo)
            self.students[r.student_id] = student
            self.grants[Role.STUDENT].append(user)
            self._tick()
        User.objects.bulk_create(new_users, batch_size=500)
        User.objects.bulk_update(changed_users, ["email", "full_name"], batch_size=500)
        Student.objects.bulk_create(new_students, batch_size=500)
        Student.objects.bulk_update(changed_students, ["group", "photo"], batch_size=500)

    def _save_photo(self, student: Student, name: str) -> None:
        # The plan only marks photos it has read, so the source and the file are there.
        data = cast(bytes, cast(PhotoSource, self.photos).read(name))
        if student.photo:
            self.old_photos.append(student.photo.name)
        student.photo.save(PurePosixPath(name).name, ContentFile(data), save=False)
        self.new_photos.append(student.photo.name)

    def _teachers(self, entries: list[_Entry]) -> None:
        new_users: list[User] = []
        changed_users: list[User] = []
        new_teachers: list[Teacher] = []
        changed_teachers: list[Teacher] = []
        for e in entries:
            r: TeacherIn = e.record
            teacher = self.teachers.get(r.staff_id)
            if teacher is None:
                new_user = bind(self._new_teacher_user, r)
                user = self._user_for(
                    r.email,
                    r.full_name,
                    new_user=new_user,
                    new_users=new_users,
                    changed=changed_users,
                )
                teacher = Teacher(user=user, staff_id=r.staff_id)
                new_teachers.append(teacher)
            else:
                user = teacher.user
                user.email, user.full_name = r.email, r.full_name
                changed_users.append(user)
                changed_teachers.append(teacher)
            self.users[r.email] = user
            teacher.department = self.departments[r.department_code]
            self.teachers[r.staff_id] = teacher
            self.grants[Role.TEACHER].append(user)
            self._tick()
        User.objects.bulk_create(new_users, batch_size=500)
        User.objects.bulk_update(changed_users, ["email", "full_name"], batch_size=500)
        Teacher.objects.bulk_create(new_teachers, batch_size=500)
        Teacher.objects.bulk_update(changed_teachers, ["department"], batch_size=500)

    def _assignments(self, entries: list[_Entry]) -> None:
        periods = self.plan.db.periods
        new = []
        for e in entries:
            r: AssignmentIn = e.record
            new.append(
                TeachingAssignment(
                    teacher=self.teachers[r.staff_id],
                    discipline=self.disciplines[r.discipline_code],
                    group=self.groups[r.group_code],
                    period=periods[r.period_code],
                )
            )
            self._tick()
        TeachingAssignment.objects.bulk_create(new, batch_size=500)

    def _heads(self, entries: list[_Entry]) -> None:
        for e in entries:
            r: DepartmentIn = e.record
            if not r.head_email:
                continue
            department, head = self.departments[r.code], self.users[r.head_email]
            if department.head_id != head.pk:
                department.head = head
                department.save(update_fields=["head"])
            self.grants[Role.HEAD].append(head)

    def _grant_roles(self) -> None:
        from django.contrib.auth.models import Group

        through = User.groups.through
        for role, users in self.grants.items():
            if users:
                group, _created = Group.objects.get_or_create(name=role)
                rows = [through(user_id=u.pk, group_id=group.pk) for u in users]
                through.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


def _set_names(obj: Any, names: Names) -> None:
    obj.name_kk = names.kk
    if names.ru is not None:
        obj.name_ru = names.ru
    if names.en is not None:
        obj.name_en = names.en


# --- the service ---------------------------------------------------------------------------


def registry_import(
    *,
    sources: Sequence[Source],
    actor: Any,
    partial: bool = False,
    photos: PhotoSource | None = None,
    progress: ProgressCallback | None = None,
    dry_run: bool = False,
    job_id: int | None = None,
) -> ImportReport:
    """Import registry files; see the module docstring for the phases.

    All-or-nothing unless ``partial``: with any bad row nothing is written. ``dry_run``
    plans and reports without writing. ``progress(stage, done, total)`` is called every
    PROGRESS_EVERY rows of each stage.
    """
    tick = _Progress(progress)
    report = ImportReport(sources=[s.name for s in sources], partial=partial, dry_run=dry_run)
    plan = _Planner(read_sources(sources, report, tick), photos, tick).plan()
    _count(plan, report)
    if dry_run:
        return report
    if report.errors and not partial:
        _forget_counts(report)
        return report
    passwords = _hash_passwords(plan.new_student_ids(), tick)
    writer = _Writer(plan, passwords, photos, tick)
    try:
        with transaction.atomic():
            writer.run()
            audit_record(
                actor=actor,
                action="registry.import",
                object_type="registry_import",
                object_id=str(job_id) if job_id else "cli",
                data=_audit_data(report),
            )
    except IntegrityError as exc:
        logger.exception("registry import: integrity error while writing")
        _delete_files(writer.new_photos)
        report.errors.append(RowError("", None, _(ERR_CONCURRENT) % {"error": exc}))
        _forget_counts(report)
        return report
    except BaseException:
        _delete_files(writer.new_photos)
        raise
    report.applied = True
    tick(STAGE_SAVING, writer.total, writer.total)
    return report


def _count(plan: Plan, report: ImportReport) -> None:
    for kind in KINDS:
        entries = plan.entries[kind]
        if not entries:
            continue
        counts = report.counts.setdefault(kind, KindCounts())
        for entry in entries:
            if entry.bad:
                counts.invalid += 1
                report.errors.extend(
                    RowError(entry.row.source, entry.row.line, m) for m in entry.errors
                )
            else:
                setattr(counts, entry.status, getattr(counts, entry.status) + 1)


def _forget_counts(report: ImportReport) -> None:
    """Nothing was written: only the bad rows are left to count."""
    for counts in report.counts.values():
        counts.created = counts.updated = counts.unchanged = 0


def _audit_data(report: ImportReport) -> dict[str, Any]:
    return {
        "sources": report.sources,
        "partial": report.partial,
        "counts": {kind: asdict(c) for kind, c in report.counts.items()},
        "errors": len(report.errors),
    }


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


# --- web jobs --------------------------------------------------------------------------------


def can_import(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.has_role(Role.REGISTRAR)))


def import_job_create(
    *,
    actor: User,
    files: Sequence[File],
    photos: File | None = None,
    partial: bool = False,
    kind: str = "",
    language: str = "",
) -> ImportJob:
    """Store the uploaded files and queue the import; it runs after the commit."""
    if not can_import(actor):
        raise PermissionDeniedError(_(ERR_NOT_REGISTRAR))
    folder = f"registry/imports/{uuid.uuid4().hex}"
    stored = [
        {
            "name": f.name,
            "path": default_storage.save(
                f"{folder}/{get_valid_filename(Path(f.name or 'file').name)}", f
            ),
        }
        for f in files
    ]
    job = ImportJob(created_by=actor, files=stored, partial=partial, kind=kind, language=language)
    if photos is not None:
        job.photos.save(f"{uuid.uuid4().hex}.zip", photos, save=False)
    with transaction.atomic():
        job.save()
        _enqueue_after_commit(job)
    return job


def import_job_rerun(*, job: ImportJob, actor: User) -> ImportJob:
    """A new job with the same files and options, e.g. after a period was created."""
    if not can_import(actor):
        raise PermissionDeniedError(_(ERR_NOT_REGISTRAR))
    new = ImportJob(
        created_by=actor,
        files=job.files,
        photos=job.photos.name,
        partial=job.partial,
        kind=job.kind,
        language=job.language,
    )
    with transaction.atomic():
        new.save()
        _enqueue_after_commit(new)
    return new


def _enqueue_after_commit(job: ImportJob) -> None:
    from .tasks import registry_import_job  # tasks imports this module

    transaction.on_commit(bind(registry_import_job.enqueue, job.pk))


def import_job_run(*, job_id: int) -> None:
    """Run a queued job (the task calls this). Progress is written while the files are
    read and checked, outside any transaction, so the page can show it; the writing phase
    is one transaction, so the page sees it start and finish."""
    if not ImportJob.claim(job_id):
        return  # another worker took it, or it already ran
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with override(job.language or None):
        try:
            report = _run_job(job)
        except BaseException:
            logger.exception("registry import job %s crashed", job_id)
            job.fail(_(ERR_JOB_CRASHED))
            raise
    job.finish(report.to_dict())


def _run_job(job: ImportJob) -> ImportReport:
    sources = [
        Source(name=f["name"], data=_stored_bytes(f["path"]), kind=job.kind or None)
        for f in job.files
    ]
    callback = bind(ImportJob.set_progress, job.pk)
    if not job.photos:
        return registry_import(
            sources=sources,
            actor=job.created_by,
            partial=job.partial,
            progress=callback,
            job_id=job.pk,
        )
    with job.photos.open("rb") as fh:
        return registry_import(
            sources=sources,
            actor=job.created_by,
            partial=job.partial,
            photos=PhotoZip(fh),
            progress=callback,
            job_id=job.pk,
        )


def _stored_bytes(path: str) -> bytes:
    with default_storage.open(path, "rb") as fh:
        return fh.read()
