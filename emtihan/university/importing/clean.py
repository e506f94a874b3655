"""Cleaning: one row's text cells become a typed record (``records.FacultyIn`` ...), every
problem of the row reported at once."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .records import (
    ASSIGNMENTS,
    CODE_MAX,
    CREDITS_RANGE,
    DEPARTMENTS,
    DISCIPLINES,
    EMAIL_MAX,
    ERR_BAD_BOOLEAN,
    ERR_BAD_EMAIL,
    ERR_BAD_LANGUAGE,
    ERR_BAD_NUMBER,
    ERR_BAD_STUDY_FORM,
    ERR_EMPTY,
    ERR_TOO_LONG,
    FACULTIES,
    FALSE_WORDS,
    FULL_NAME_MAX,
    GROUPS,
    LANGUAGES,
    NAME_MAX,
    STUDENTS,
    STUDY_FORMS,
    TEACHERS,
    TRUE_WORDS,
    YEAR_RANGE,
    AssignmentIn,
    DepartmentIn,
    DisciplineIn,
    FacultyIn,
    GroupIn,
    Names,
    Record,
    Row,
    StudentIn,
    TeacherIn,
)


class Cells:
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


def _clean_faculty(c: Cells) -> FacultyIn:
    return FacultyIn(code=c.text("code"), names=c.names(), is_medical=c.flag("is_medical"))


def _clean_department(c: Cells) -> DepartmentIn:
    return DepartmentIn(
        code=c.text("code"),
        faculty_code=c.text("faculty_code"),
        names=c.names(),
        head_email=c.optional_email("head_email"),
    )


def _clean_discipline(c: Cells) -> DisciplineIn:
    return DisciplineIn(
        code=c.text("code"),
        department_code=c.text("department_code"),
        names=c.names(),
        credits=c.number("credits", bounds=CREDITS_RANGE, required=False),
    )


def _clean_group(c: Cells) -> GroupIn:
    return GroupIn(
        code=c.text("code"),
        faculty_code=c.text("faculty_code"),
        study_form=c.choice("study_form", STUDY_FORMS, ERR_BAD_STUDY_FORM),
        language=c.choice("language", LANGUAGES, ERR_BAD_LANGUAGE),
        year=c.number("year", bounds=YEAR_RANGE, required=True),
    )


def _clean_student(c: Cells) -> StudentIn:
    return StudentIn(
        student_id=c.text("student_id"),
        email=c.email("email"),
        full_name=c.text("full_name", max_length=FULL_NAME_MAX),
        group_code=c.text("group_code"),
        photo=c.optional_text("photo"),
    )


def _clean_teacher(c: Cells) -> TeacherIn:
    return TeacherIn(
        staff_id=c.text("staff_id"),
        email=c.email("email"),
        full_name=c.text("full_name", max_length=FULL_NAME_MAX),
        department_code=c.text("department_code"),
    )


def _clean_assignment(c: Cells) -> AssignmentIn:
    return AssignmentIn(
        staff_id=c.text("staff_id"),
        discipline_code=c.text("discipline_code"),
        group_code=c.text("group_code"),
        period_code=c.text("period_code"),
    )


CLEANERS: dict[str, Callable[[Cells], Record]] = {
    FACULTIES: _clean_faculty,
    DEPARTMENTS: _clean_department,
    DISCIPLINES: _clean_discipline,
    GROUPS: _clean_group,
    STUDENTS: _clean_student,
    TEACHERS: _clean_teacher,
    ASSIGNMENTS: _clean_assignment,
}
