"""What the phases of the registry import share: the kinds and their columns, the messages,
the report, the rows as read and the typed records they are cleaned into."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from ..models import StudyForm

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
ERR_UNPACKS_TOO_BIG = gettext_noop(
    "the workbook unpacks to more than %(mb)s MB: keep only the sheets and columns the import uses, or split it into several files"
)
ERR_TOO_MANY_ROWS = gettext_noop(
    "more than %(max)s rows in one sheet or file (empty rows below the data count too): split it into several files, or delete the empty rows"
)
ERR_TOO_MANY_CELLS = gettext_noop(
    "a sheet has more than %(max)s filled cells: keep only the columns the import uses, or split it into several files"
)
ERR_ROW_TOO_WIDE = gettext_noop(
    "a row has more than %(max)s cells, more than Excel allows: open the file in Excel and save it again"
)
ERR_TOO_MANY_TEXTS = gettext_noop(
    "the workbook holds more than %(max)s different texts: keep only the sheets the import uses, or split it into several files"
)
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


class Progress:
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


# --- typed records (what ``clean`` makes of a row's text cells) ---------------------------


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
