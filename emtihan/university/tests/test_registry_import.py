"""The registry import service: formats, idempotency, all-or-nothing, partial, passwords."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password
from django.utils.translation import gettext as _

from emtihan.accounts.models import Role, User
from emtihan.audit.models import AuditEntry
from emtihan.university import importing as imp
from emtihan.university.importing import records
from emtihan.university.models import (
    Department,
    Discipline,
    Faculty,
    Student,
    StudyGroup,
    Teacher,
    TeachingAssignment,
)

from .registry_files import GOOD, jpeg_bytes, with_rows, write_csv, write_xlsx

MODELS = (
    Faculty,
    Department,
    Discipline,
    StudyGroup,
    Student,
    Teacher,
    TeachingAssignment,
    User,
    AuditEntry,
)


def run_xlsx(tmp_path: Path, sheets, *, actor=None, **kwargs) -> imp.ImportReport:
    path = write_xlsx(tmp_path / "registry.xlsx", sheets)
    return imp.registry_import(sources=[imp.Source.from_path(path)], actor=actor, **kwargs)


def snapshot() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def messages(report: imp.ImportReport) -> list[str]:
    return [str(e) for e in report.errors]


def test_it_imports_a_good_workbook(world, tmp_path):
    report = run_xlsx(tmp_path, GOOD, actor=world.registrar)

    assert report.applied and not report.errors
    assert {k: (c.created, c.updated, c.unchanged) for k, c in report.counts.items()} == {
        "faculties": (1, 0, 0),
        "departments": (1, 0, 0),
        "disciplines": (1, 0, 0),
        "groups": (1, 0, 0),
        "students": (2, 0, 0),
        "teachers": (1, 0, 0),
        "assignments": (1, 0, 0),
    }
    group = StudyGroup.objects.get(code="SE-2401")
    assert (group.faculty.code, group.study_form, group.language, group.year) == (
        "ENG",
        "full_time",
        "kk",
        1,
    )
    assert Discipline.objects.get(code="SE101").credits == 6
    asel = Student.objects.select_related("user").get(student_id="200001")
    assert asel.user.email == "asel@uni.kz"  # trimmed, lower-case
    assert asel.group == group
    assert check_password("200001", asel.user.password)
    assert asel.user.must_change_password
    assert asel.user.has_role(Role.STUDENT)
    boss = User.objects.get(email="boss@uni.kz")
    assert not boss.has_usable_password()
    assert boss.has_role(Role.TEACHER) and boss.has_role(Role.HEAD)
    department = Department.objects.get(code="SE")
    assert department.head == boss
    assert department.name_ru == ""  # blank optional name of a new row: empty
    assert (
        TeachingAssignment.objects.filter(teacher__staff_id="T100", period=world.period).count()
        == 1
    )
    entry = AuditEntry.objects.get(action="registry.import")
    assert entry.object_id == "cli"
    assert entry.actor == world.registrar
    assert entry.data["counts"]["students"]["created"] == 2


def test_a_second_run_changes_nothing(world, tmp_path):
    run_xlsx(tmp_path, GOOD)
    before = snapshot()

    report = run_xlsx(tmp_path, GOOD)

    assert report.applied
    assert report.totals.created == 0 and report.totals.updated == 0
    assert report.totals.unchanged == 8
    assert snapshot() == {**before, "AuditEntry": before["AuditEntry"] + 1}


def test_it_updates_what_changed_and_keeps_blank_optional_values(world, tmp_path):
    run_xlsx(tmp_path, GOOD)
    changed = {k: [list(r) for r in v] for k, v in GOOD.items()}
    changed["students"][2][2] = "Bolat Serikuly"  # new full name
    changed["departments"][1][4] = ""  # blank English name: keep the stored one
    changed["groups"][1][4] = 2

    report = run_xlsx(tmp_path, changed)

    assert (report.counts["students"].updated, report.counts["students"].unchanged) == (1, 1)
    assert report.counts["groups"].updated == 1
    assert report.counts["departments"].unchanged == 1
    assert User.objects.get(email="bolat@uni.kz").full_name == "Bolat Serikuly"
    assert Department.objects.get(code="SE").name_en == "Software engineering"
    assert StudyGroup.objects.get(code="SE-2401").year == 2


def test_it_reads_csv_with_semicolons_and_a_bom(world, tmp_path):
    files = [
        write_csv(
            tmp_path / "groups.csv", GOOD["groups"][:1] + [["IS-2401", "IT", "Заочная", "RU", "3"]]
        ),
        write_csv(
            tmp_path / "students.csv",
            [
                ["Student ID", "E-mail", "Full name", "Group code"],
                ["300001", "d@uni.kz", "Dana", "IS-2401"],
            ],
        ),
    ]

    report = imp.registry_import(sources=[imp.Source.from_path(f) for f in files], actor=None)

    assert report.applied, messages(report)
    group = StudyGroup.objects.get(code="IS-2401")
    assert (group.study_form, group.language, group.year) == ("part_time", "ru", 3)
    assert Student.objects.get(student_id="300001").group == group


def test_it_reads_comma_csv_without_bom_and_takes_the_kind_from_the_option(world, tmp_path):
    path = write_csv(
        tmp_path / "export-2026.csv",
        [["code", "faculty_code", "name_kk"], ["NEWD", "IT", "Жаңа"]],
        delimiter=",",
        bom=False,
    )

    report = imp.registry_import(
        sources=[imp.Source.from_path(path, kind="departments")], actor=None
    )

    assert report.applied
    assert Department.objects.get(code="NEWD").faculty == world.it_faculty


def test_a_csv_without_a_kind_is_refused(world, tmp_path):
    path = write_csv(tmp_path / "export.csv", [["code"], ["X"]])

    report = imp.registry_import(sources=[imp.Source.from_path(path)], actor=None)

    assert messages(report) == [
        f"export.csv: {_(records.ERR_UNKNOWN_KIND) % {'name': 'export.csv'}}"
    ]


def test_bad_rows_are_all_reported_and_nothing_is_written(world, tmp_path):
    sheets = with_rows(
        GOOD,
        "students",
        ["200003", "x@", "Bad Mail", "SE-2401"],
        ["200004", "e@uni.kz", "Eve", "IS-9999"],
        ["200001", "f@uni.kz", "Dup", "SE-2401"],
    )
    sheets = with_rows(sheets, "groups", ["SE-2402", "ENG", "evening", "kk", 1])
    sheets = with_rows(sheets, "assignments", ["T100", "SE101", "SE-2401", "2030-2031-1"])
    before = snapshot()

    report = run_xlsx(tmp_path, sheets)

    assert not report.applied
    assert snapshot() == before
    src = "registry.xlsx [{}]".format
    assert messages(report) == [
        f"{src('groups')}, line 3: {_(records.ERR_BAD_STUDY_FORM) % {'value': 'evening'}}",
        f"{src('students')}, line 4: {_(records.ERR_BAD_EMAIL) % {'value': 'x@'}}",
        f"{src('students')}, line 5: {_(records.ERR_UNKNOWN) % {'what': 'group', 'key': 'IS-9999'}}",
        f"{src('students')}, line 6: {_(records.ERR_DUPLICATE) % {'what': 'student ID', 'key': '200001', 'where': 'line 2'}}",
        f"{src('assignments')}, line 3: {_(records.ERR_UNKNOWN_PERIOD) % {'key': '2030-2031-1'}}",
    ]
    assert (
        "line 5: group 'IS-9999' does not exist in this file or the database" in messages(report)[2]
    )
    assert "duplicate student ID 200001 (first seen on line 2)" in messages(report)[3]
    assert report.counts["students"].invalid == 3
    assert report.totals.created == 0  # nothing was written, nothing is counted as written


def test_a_missing_required_column_names_the_column(world, tmp_path):
    sheets = {"students": [["student_id", "email", "full_name"], ["200009", "z@uni.kz", "Zed"]]}
    before = snapshot()

    report = run_xlsx(tmp_path, sheets)

    assert not report.applied
    assert snapshot() == before
    [error] = report.errors
    assert (error.source, error.line) == ("registry.xlsx [students]", 1)
    assert error.message == _(records.ERR_MISSING_COLUMN) % {
        "column": "group_code",
        "found": "student_id, email, full_name",
    }


def test_partial_imports_the_good_rows_and_lists_the_bad_ones_and_their_dependants(world, tmp_path):
    sheets = with_rows(GOOD, "groups", ["SE-2402", "ENG", "full_time", "fr", 1])
    sheets = with_rows(
        sheets,
        "students",
        ["200005", "g@uni.kz", "Gul", "SE-2402"],
        ["200006", "h@", "Bad", "SE-2401"],
    )

    report = run_xlsx(tmp_path, sheets, partial=True)

    assert report.applied
    assert messages(report) == [
        f"registry.xlsx [groups], line 3: {_(records.ERR_BAD_LANGUAGE) % {'value': 'fr'}}",
        f"registry.xlsx [students], line 4: {_(records.ERR_DEPENDS_ON_BAD) % {'what': 'group', 'key': 'SE-2402', 'where': 'registry.xlsx [groups], line 3'}}",
        f"registry.xlsx [students], line 5: {_(records.ERR_BAD_EMAIL) % {'value': 'h@'}}",
    ]
    assert set(
        Student.objects.filter(student_id__startswith="2000").values_list("student_id", flat=True)
    ) == {"200001", "200002"}
    assert not StudyGroup.objects.filter(code="SE-2402").exists()
    assert (report.counts["students"].created, report.counts["students"].invalid) == (2, 2)
    assert AuditEntry.objects.filter(action="registry.import").count() == 1


def test_a_bad_teacher_row_makes_the_department_it_heads_bad_and_what_depends_on_it(
    world, tmp_path
):
    sheets = {k: [list(r) for r in v] for k, v in GOOD.items()}
    sheets["teachers"][1][3] = "NOPE"  # the head's department does not exist

    report = run_xlsx(tmp_path, sheets, partial=True)

    text = "\n".join(messages(report))
    assert _(records.ERR_UNKNOWN) % {"what": "department", "key": "NOPE"} in text
    assert (
        _(records.ERR_HEAD_IS_BAD)
        % {"email": "boss@uni.kz", "where": "registry.xlsx [teachers], line 2"}
        in text
    )
    assert not Department.objects.filter(code="SE").exists()
    assert not Discipline.objects.filter(code="SE101").exists()
    assert Faculty.objects.filter(code="ENG").exists()
    assert StudyGroup.objects.filter(code="SE-2401").exists()


def test_reimport_does_not_reset_a_changed_password(world, tmp_path):
    run_xlsx(tmp_path, GOOD)
    user = User.objects.get(email="asel@uni.kz")
    user.set_password("my own secret 2026")
    user.must_change_password = False
    user.save()

    report = run_xlsx(tmp_path, GOOD)

    user.refresh_from_db()
    assert report.counts["students"].unchanged == 2
    assert user.check_password("my own secret 2026")
    assert not user.must_change_password


def test_an_existing_user_without_a_profile_is_linked_not_recreated(world, tmp_path):
    sheets = {
        "students": [GOOD["students"][0], ["200010", "Outsider@test.local", "Out Sider", "IS-2301"]]
    }

    report = run_xlsx(tmp_path, sheets)

    assert report.applied
    world.outsider.refresh_from_db()
    assert world.outsider.student.student_id == "200010"
    assert world.outsider.check_password("pass-2026")  # an existing password is never touched
    assert world.outsider.has_role(Role.STUDENT)


def test_an_e_mail_of_another_student_is_a_bad_row(world, tmp_path):
    sheets = {
        "students": [GOOD["students"][0], ["200011", "student1@test.local", "Someone", "IS-2301"]]
    }

    report = run_xlsx(tmp_path, sheets)

    assert not report.applied
    assert report.errors[0].message == _(records.ERR_EMAIL_OF_STUDENT) % {
        "email": "student1@test.local",
        "other": "100001",
    }


def test_a_changed_e_mail_of_an_existing_student_is_updated(world, tmp_path):
    sheets = {
        "students": [
            GOOD["students"][0],
            ["100001", "new.mail@test.local", "Student One", "IS-2302"],
        ]
    }

    report = run_xlsx(tmp_path, sheets)

    assert report.counts["students"].updated == 1
    world.student.refresh_from_db()
    assert world.student.email == "new.mail@test.local"
    assert world.student.student.group == world.g2
    assert world.student.check_password("100001")


def test_a_named_photo_must_exist(world, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "200001.JPG").write_bytes(jpeg_bytes())
    (photos / "broken.jpg").write_bytes(b"not an image")
    sheets = {
        "students": [
            ["student_id", "email", "full_name", "group_code", "photo"],
            ["200001", "a1@uni.kz", "A", "IS-2301", "200001.jpg"],
            ["200002", "a2@uni.kz", "B", "IS-2301", "200002.jpg"],
            ["200003", "a3@uni.kz", "C", "IS-2301", "broken.jpg"],
            ["200004", "a4@uni.kz", "D", "IS-2301", "../../../etc/passwd"],
        ]
    }

    report = run_xlsx(tmp_path, sheets, photos=imp.PhotoFolder(photos))

    assert not report.applied
    assert [(e.line, e.message) for e in report.errors] == [
        (3, _(records.ERR_PHOTO_MISSING) % {"name": "200002.jpg"}),
        (4, _(records.ERR_PHOTO_INVALID) % {"name": "broken.jpg"}),
        (5, _(records.ERR_PHOTO_MISSING) % {"name": "../../../etc/passwd"}),
    ]


def test_a_photo_named_without_photos_is_a_bad_row(world, tmp_path):
    sheets = {
        "students": [
            ["student_id", "email", "full_name", "group_code", "photo"],
            ["200001", "a1@uni.kz", "A", "IS-2301", "a.jpg"],
        ]
    }

    report = run_xlsx(tmp_path, sheets)

    assert report.errors[0].message == _(records.ERR_PHOTO_NO_SOURCE) % {"name": "a.jpg"}


def test_photos_from_a_zip_are_stored_and_replaced_only_when_they_change(
    world, tmp_path, django_capture_on_commit_callbacks
):
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("class/200001.jpg", jpeg_bytes("red"))
    sheets = {
        "students": [
            ["student_id", "email", "full_name", "group_code", "photo"],
            ["200001", "a1@uni.kz", "A", "IS-2301", "200001.jpg"],
        ]
    }

    first = run_xlsx(tmp_path, sheets, photos=imp.open_photos(archive))
    stored = Student.objects.get(student_id="200001").photo
    again = run_xlsx(tmp_path, sheets, photos=imp.open_photos(archive))
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("class/200001.jpg", jpeg_bytes("blue"))
    with django_capture_on_commit_callbacks(execute=True):
        changed = run_xlsx(tmp_path, sheets, photos=imp.open_photos(archive))

    assert first.applied and stored.name.startswith("students/photos/200001")
    assert again.counts["students"].unchanged == 1
    assert changed.counts["students"].updated == 1
    new = Student.objects.get(student_id="200001").photo
    assert new.read() == jpeg_bytes("blue")
    assert not stored.storage.exists(stored.name)  # the replaced photo is gone after commit


def test_dry_run_reports_what_would_happen_and_writes_nothing(world, tmp_path):
    before = snapshot()

    report = run_xlsx(tmp_path, GOOD, dry_run=True)

    assert not report.applied and report.dry_run
    assert report.counts["students"].created == 2
    assert snapshot() == before


def test_cells_are_checked(world, tmp_path):
    sheets = {
        "faculties": [
            ["code", "name_kk", "is_medical"],
            ["MED2", "Медицина 2", "иә"],
            ["X", "", "maybe"],
        ],
        "disciplines": [
            ["code", "department_code", "name_kk", "credits"],
            ["D1", "MATH", "Д", "five"],
            ["D" * 40, "MATH", "Д", ""],
        ],
        "groups": [
            ["code", "faculty_code", "study_form", "language", "year"],
            ["G1", "IT", "distance", "en", 2023],
        ],
    }

    report = run_xlsx(tmp_path, sheets, partial=True)

    assert [(e.source.split("[")[1][:-1], e.line, e.message) for e in report.errors] == [
        ("faculties", 3, _(records.ERR_EMPTY) % {"column": "name_kk"}),
        ("faculties", 3, _(records.ERR_BAD_BOOLEAN) % {"column": "is_medical", "value": "maybe"}),
        (
            "disciplines",
            2,
            _(records.ERR_BAD_NUMBER)
            % {"column": "credits", "low": 1, "high": 60, "value": "five"},
        ),
        ("disciplines", 3, _(records.ERR_TOO_LONG) % {"column": "code", "max": 32}),
        (
            "groups",
            2,
            _(records.ERR_BAD_NUMBER) % {"column": "year", "low": 1, "high": 8, "value": "2023"},
        ),
    ]
    assert Faculty.objects.get(code="MED2").is_medical


def test_files_that_are_not_registry_files_are_refused(world, tmp_path):
    sources = [
        imp.Source("notes.pdf", b"%PDF-1.4"),
        imp.Source("old.xls", b"\xd0\xcf\x11\xe0"),
        imp.Source("fake.xlsx", b"just text"),
        imp.Source("students.csv", "student_id;email\n1;Асел".encode("cp1251")),
    ]

    report = imp.registry_import(sources=sources, actor=None)

    assert [(e.source, e.message) for e in report.errors] == [
        ("notes.pdf", _(records.ERR_UNKNOWN_FORMAT) % {"name": "notes.pdf"}),
        ("old.xls", _(records.ERR_OLD_XLS)),
        ("fake.xlsx", _(records.ERR_NOT_XLSX)),
        ("students.csv", _(records.ERR_NOT_UTF8)),
    ]


def test_unknown_sheets_and_columns_are_warnings(world, tmp_path):
    sheets = {
        "Sheet1": [["a"]],
        "Faculties": [["Code", "Name KK", "comment"], ["NEWF", "Жаңа", "note"]],
    }

    report = run_xlsx(tmp_path, sheets)

    assert report.applied
    assert report.warnings == [
        _(records.WARN_UNKNOWN_SHEET) % {"source": "registry.xlsx", "sheet": "Sheet1"},
        _(records.WARN_UNKNOWN_COLUMN)
        % {"source": "registry.xlsx [Faculties]", "column": "comment"},
    ]


@pytest.mark.parametrize("word", ["очная", "Full-time", "FULL_TIME"])
def test_study_forms_are_accepted_in_three_languages(world, tmp_path, word):
    sheets = {"groups": [GOOD["groups"][0], ["G9", "IT", word, "kk", 1]]}

    run_xlsx(tmp_path, sheets)

    assert StudyGroup.objects.get(code="G9").study_form == "full_time"


def test_progress_is_reported_per_stage(world, tmp_path):
    calls: list[tuple[str, int, int]] = []
    students = [GOOD["students"][0]] + [
        [str(300000 + i), f"s{i}@uni.kz", f"S {i}", "IS-2301"] for i in range(250)
    ]

    run_xlsx(tmp_path, {"students": students}, progress=lambda *a: calls.append(a))

    assert ("students", 100, 250) in calls and ("students", 250, 250) in calls
    assert ("passwords", 200, 250) in calls and ("passwords", 250, 250) in calls
    assert calls[-1] == ("saving", 250, 250)
    assert User.objects.filter(email__startswith="s", student__isnull=False).count() >= 250
