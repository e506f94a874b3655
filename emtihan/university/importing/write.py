"""Writing a plan: the new students' passwords hashed first (outside the transaction), then
every changed row, kind by kind in dependency order, inside the caller's transaction."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial as bind
from pathlib import PurePosixPath
from typing import Any, cast

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from emtihan.accounts.models import Role, User

from ..models import (
    Department,
    Discipline,
    Faculty,
    Student,
    StudyGroup,
    Teacher,
    TeachingAssignment,
)
from .photos import PhotoSource
from .plan import Entry, Plan
from .records import (
    ASSIGNMENTS,
    DEPARTMENTS,
    DISCIPLINES,
    FACULTIES,
    GROUPS,
    KINDS,
    STAGE_PASSWORDS,
    STAGE_SAVING,
    STUDENTS,
    TEACHERS,
    AssignmentIn,
    DepartmentIn,
    DisciplineIn,
    FacultyIn,
    GroupIn,
    Names,
    Progress,
    StudentIn,
    TeacherIn,
)


def hash_passwords(student_ids: list[str], progress: Progress) -> dict[str, str]:
    """Each new student's initial password (their student ID), hashed.

    Hashing is slow on purpose (argon2id, ~20 ms of CPU each: accounts/hashers.py) and
    runs without the GIL on the hasher's checking threads, which these threads keep busy;
    this runs before the write transaction so the database is not locked while it does.
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


class Writer:
    """Writes a plan, kind by kind in dependency order. Runs inside the transaction."""

    def __init__(
        self, plan: Plan, passwords: dict[str, str], photos: PhotoSource | None, progress: Progress
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
        transaction.on_commit(bind(delete_files, list(self.old_photos)))

    def _tick(self) -> None:
        self.done += 1
        self.progress(STAGE_SAVING, self.done, self.total)

    def _faculties(self, entries: list[Entry]) -> None:
        for e in entries:
            r: FacultyIn = e.record
            faculty = self.faculties.get(r.code) or Faculty(code=r.code)
            _set_names(faculty, r.names)
            if r.is_medical is not None:
                faculty.is_medical = r.is_medical
            faculty.save()
            self.faculties[r.code] = faculty
            self._tick()

    def _departments(self, entries: list[Entry]) -> None:
        for e in entries:
            r: DepartmentIn = e.record
            department = self.departments.get(r.code) or Department(code=r.code)
            department.faculty = self.faculties[r.faculty_code]
            _set_names(department, r.names)
            department.save()  # the head is set by _heads, once the teachers exist
            self.departments[r.code] = department
            self._tick()

    def _disciplines(self, entries: list[Entry]) -> None:
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

    def _groups(self, entries: list[Entry]) -> None:
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

    def _students(self, entries: list[Entry]) -> None:
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

    def _teachers(self, entries: list[Entry]) -> None:
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

    def _assignments(self, entries: list[Entry]) -> None:
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

    def _heads(self, entries: list[Entry]) -> None:
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


def delete_files(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)
