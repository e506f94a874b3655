"""Planning: every cleaned row checked against the other rows and the database (duplicates,
references, e-mails owned by someone else, photos) and compared with what is stored:
*created*, *updated*, *unchanged* or *bad*. Read-only, outside any transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from emtihan.accounts.models import Role, User

from ..models import (
    AcademicPeriod,
    Department,
    Discipline,
    Faculty,
    Student,
    StudyGroup,
    Teacher,
    TeachingAssignment,
)
from .clean import CLEANERS, Cells
from .photos import PhotoSource, PhotoTooBig, image_ok
from .records import (
    ASSIGNMENTS,
    DEPARTMENTS,
    DISCIPLINES,
    ERR_DEPENDS_ON_BAD,
    ERR_DUPLICATE,
    ERR_DUPLICATE_EMAIL,
    ERR_EMAIL_OF_STUDENT,
    ERR_EMAIL_OF_TEACHER,
    ERR_EMAIL_OF_USER,
    ERR_HEAD_IS_BAD,
    ERR_PHOTO_INVALID,
    ERR_PHOTO_MISSING,
    ERR_PHOTO_NO_SOURCE,
    ERR_PHOTO_TOO_BIG,
    ERR_UNKNOWN,
    ERR_UNKNOWN_HEAD,
    ERR_UNKNOWN_PERIOD,
    FACULTIES,
    GROUPS,
    KEY_LABELS,
    KINDS,
    PHOTO_MAX_BYTES,
    REF_LABELS,
    REFERENCES,
    STUDENTS,
    TEACHERS,
    Names,
    Progress,
    Row,
    StudentIn,
    TeacherIn,
)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class Entry:
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

    def __init__(self, entries: dict[str, list[Entry]]) -> None:
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
    entries: dict[str, list[Entry]]
    db: _Snapshot

    def changed(self, kind: str) -> list[Entry]:
        return [e for e in self.entries[kind] if not e.bad and e.status in (CREATED, UPDATED)]

    def new_student_ids(self) -> list[str]:
        """Students whose user does not exist yet: they need a password hash."""
        return [
            e.record.student_id
            for e in self.changed(STUDENTS)
            if e.status == CREATED and e.record.email not in self.db.users
        ]


class Planner:
    def __init__(
        self, tables: dict[str, list[Row]], photos: PhotoSource | None, progress: Progress
    ) -> None:
        self.tables = tables
        self.photos = photos
        self.progress = progress
        self.entries: dict[str, list[Entry]] = {kind: [] for kind in KINDS}
        # The first good-or-bad row of each key, and of each e-mail, per kind.
        self.by_key: dict[str, dict[Any, Entry]] = {kind: {} for kind in KINDS}
        self.by_email: dict[str, dict[str, Entry]] = {STUDENTS: {}, TEACHERS: {}}

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

    def _good(self) -> Iterator[Entry]:
        for kind in KINDS:
            yield from (e for e in self.entries[kind] if not e.bad)

    # rows on their own, and against each other

    def _clean_all(self, kind: str) -> None:
        rows = self.tables[kind]
        for done, row in enumerate(rows):
            self.progress(kind, done, len(rows))
            cells = Cells(row)
            entry = Entry(kind, row, CLEANERS[kind](cells), errors=cells.errors)
            self._check_duplicates(entry)
            if kind == STUDENTS and not entry.bad and entry.record.photo:
                self._check_photo(entry)
            self.entries[kind].append(entry)
        self.progress(kind, len(rows), len(rows))

    def _check_duplicates(self, entry: Entry) -> None:
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

    def _check_photo(self, entry: Entry) -> None:
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
        elif not image_ok(data):
            entry.errors.append(_(ERR_PHOTO_INVALID) % {"name": name})
        else:
            entry.photo_sha = hashlib.sha256(data).hexdigest()

    # rows against the database

    def _check_against_database(self, entry: Entry) -> None:
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
        self, entry: Entry, profiles: dict[str, Any], profile: str, taken: str
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

    def _reference_error(self, entry: Entry) -> str | None:
        record = entry.record
        for kind, attribute in REFERENCES[entry.kind]:
            message = self._missing(kind, getattr(record, attribute), entry)
            if message:
                return message
        if entry.kind == DEPARTMENTS and record.head_email:
            return self._head_error(record.head_email, entry)
        return None

    def _missing(self, kind: str, key: str, entry: Entry) -> str | None:
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

    def _head_error(self, email: str, entry: Entry) -> str | None:
        teacher = self.by_email[TEACHERS].get(email)
        if teacher is not None and teacher.bad:
            return _(ERR_HEAD_IS_BAD) % {"email": email, "where": teacher.row.where(entry.row)}
        if teacher is not None or email in self.db.users:
            return None
        return _(ERR_UNKNOWN_HEAD) % {"email": email}

    # created, updated or unchanged

    def _status(self, entry: Entry) -> str:
        existing = self._existing(entry)
        if entry.photo_sha:
            entry.photo_changed = existing is None or entry.photo_sha != _stored_sha(existing.photo)
        if existing is None:
            return CREATED
        return UPDATED if self._differs(entry, existing) else UNCHANGED

    def _existing(self, entry: Entry) -> Any:
        if entry.kind == ASSIGNMENTS:
            return entry.record.key if entry.record.key in self.db.assignments else None
        return getattr(self.db, entry.kind).get(entry.record.key)

    def _differs(self, entry: Entry, existing: Any) -> bool:
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
