"""Load the demo university (idempotent: running it again changes nothing).

Fixed logins (see README): registrar@, teacher@, head@, proctor@, grader@demo.local with
password ``demo-pass-2026``; students student1..student30@demo.local whose password is
their student ID 100001..100030, as the university does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from emtihan.accounts.models import Role, User
from emtihan.demo import builders
from emtihan.demo import exams as demo_exams
from emtihan.demo import grading as demo_grading
from emtihan.demo import proctoring as demo_proctoring
from emtihan.exams import assignments
from emtihan.exams.models import Exam, ExamGrader
from emtihan.university.models import (
    AcademicPeriod,
    Department,
    Discipline,
    Faculty,
    FacultyProctor,
    Student,
    StudyGroup,
    Teacher,
    TeachingAssignment,
)

STAFF_PASSWORD = "demo-pass-2026"
PERIOD_TITLES = {
    "title_kk": "2026-2027 оқу жылы, 1-семестр",
    "title_ru": "2026-2027 учебный год, 1-й семестр",
    "title_en": "2026-2027, 1st semester",
}
OLD_PERIOD_TITLE = "2026-2027, 1st semester"
STAFF = [
    ("registrar@demo.local", "Registrar Office", [Role.REGISTRAR]),
    ("teacher@demo.local", "Aigerim Sultanova", [Role.TEACHER]),
    ("head@demo.local", "Nurlan Abenov", [Role.HEAD, Role.TEACHER]),
    ("proctor@demo.local", "Dana Proctor", [Role.PROCTOR]),
    ("grader@demo.local", "Erlan Grader", [Role.GRADER]),
    ("teacher2@demo.local", "Saule Medina", [Role.TEACHER]),
    ("head2@demo.local", "Marat Anatomov", [Role.HEAD]),
]
FACULTIES = [
    (
        "IT",
        "Ақпараттық технологиялар факультеті",
        "Факультет информационных технологий",
        "Faculty of Information Technology",
        False,
    ),
    (
        "MED",
        "Медицина және денсаулық сақтау факультеті",
        "Факультет медицины и здравоохранения",
        "Faculty of Medicine and Healthcare",
        True,
    ),
]
DEPARTMENTS = [
    (
        "CS",
        "IT",
        "Информатика кафедрасы",
        "Кафедра информатики",
        "Department of Computer Science",
        "head@demo.local",
    ),
    (
        "MATH",
        "IT",
        "Математика кафедрасы",
        "Кафедра математики",
        "Department of Mathematics",
        "head@demo.local",
    ),
    (
        "ANAT",
        "MED",
        "Анатомия кафедрасы",
        "Кафедра анатомии",
        "Department of Anatomy",
        "head2@demo.local",
    ),
]
DISCIPLINES = [
    (
        "CS101",
        "CS",
        "Бағдарламалау негіздері",
        "Основы программирования",
        "Programming Fundamentals",
    ),
    ("CS205", "CS", "Деректер қоры", "Базы данных", "Databases"),
    ("MATH110", "MATH", "Сызықтық алгебра", "Линейная алгебра", "Linear Algebra"),
    ("MATH210", "MATH", "Ықтималдықтар теориясы", "Теория вероятностей", "Probability Theory"),
    ("ANAT101", "ANAT", "Адам анатомиясы", "Анатомия человека", "Human Anatomy"),
    ("ANAT202", "ANAT", "Гистология", "Гистология", "Histology"),
]
GROUPS = [
    ("IS-2301", "IT", "full_time", "kk", 2),
    ("IS-2302", "IT", "full_time", "ru", 2),
    ("IS-2311", "IT", "part_time", "ru", 2),
    ("MED-2301", "MED", "full_time", "kk", 2),
]
# (teacher e-mail, discipline, group)
ASSIGNMENTS = [
    ("teacher@demo.local", "CS101", "IS-2301"),
    ("teacher@demo.local", "CS101", "IS-2302"),
    ("teacher@demo.local", "CS205", "IS-2301"),
    ("teacher@demo.local", "MATH110", "IS-2301"),
    ("teacher@demo.local", "MATH110", "IS-2302"),
    ("teacher@demo.local", "MATH110", "IS-2311"),
    ("teacher@demo.local", "MATH210", "IS-2302"),
    ("head@demo.local", "CS205", "IS-2302"),
    ("teacher2@demo.local", "ANAT101", "MED-2301"),
    ("teacher2@demo.local", "ANAT202", "MED-2301"),
]
# Disciplines that already have a final-exam programme in UMKD (the others have none).
PROGRAMMES = ["CS101", "CS205", "MATH110", "ANAT101"]
STUDENT_NAMES = [
    "Айгерім Ахметова",
    "Дархан Бекович",
    "Жанар Серікова",
    "Ерасыл Нұрланов",
    "Мадина Қасымова",
    "Арман Тоқтаров",
    "Сабина Ильина",
    "Нұржан Әбдіров",
    "Ақбота Жұмабаева",
    "Тимур Ким",
]


class Command(BaseCommand):
    help = "Create the demo university, accounts and materials (safe to run again)."

    def handle(self, *args, **options):
        self.created = 0
        with transaction.atomic():
            period = self._period()
            users = self._staff()
            faculties = self._faculties()
            departments = self._departments(faculties, users)
            disciplines = self._disciplines(departments)
            groups = self._groups(faculties)
            teachers = self._teachers(users, departments)
            self._assignments(teachers, disciplines, groups, period)
            self._students(groups)
            self._programmes(disciplines, users)
            demo_exams.seed(users["teacher@demo.local"], users["head@demo.local"], period)
            self._proctors_and_graders(users, faculties)
            demo_grading.seed(
                demo_exams.completed_exam(),
                users["grader@demo.local"],
                users["teacher@demo.local"],
                users["proctor@demo.local"],
            )
            demo_proctoring.seed(
                demo_exams.open_exam(),
                users["proctor@demo.local"],
                users["registrar@demo.local"],
                timezone.now(),
            )
        if self.created:
            self.stdout.write(f"Created {self.created} demo accounts.")
        self._print_accounts()

    def _proctors_and_graders(self, users, faculties) -> None:
        """proctor@ proctors every exam of the IT faculty's students (the demo exams);
        grader@ marks the completed Databases exam. Assigned as the registrar would."""
        registrar, proctor = users["registrar@demo.local"], users["proctor@demo.local"]
        it = faculties["IT"]
        if not FacultyProctor.objects.filter(faculty=it, user=proctor).exists():
            assignments.proctor_assign(actor=registrar, user=proctor, faculty=it)
        grader = users["grader@demo.local"]
        completed = Exam.objects.filter(
            choice__discipline__code=demo_exams.COMPLETED, choice__group__code=demo_exams.GROUP
        ).first()
        if completed and not ExamGrader.objects.filter(exam=completed, user=grader).exists():
            assignments.grader_assign(actor=registrar, user=grader, exam=completed)

    def _period(self) -> AcademicPeriod:
        period, _ = AcademicPeriod.objects.get_or_create(
            code="2026-2027-1",
            defaults={
                "academic_year": settings.EXAMFORMS_DEFAULT_ACADEMIC_YEAR,
                **PERIOD_TITLES,
                "starts_on": dt.date(2026, 9, 1),
                "ends_on": dt.date(2027, 1, 31),
            },
        )
        if period.title_ru == "" and period.title_kk == OLD_PERIOD_TITLE:
            # A demo database from before the titles were translated (migration 0004).
            AcademicPeriod.objects.filter(pk=period.pk).update(**PERIOD_TITLES)
        if not period.is_current:
            AcademicPeriod.objects.filter(is_current=True).update(is_current=False)
            period.is_current = True
            period.save(update_fields=["is_current"])
        return period

    def _user(self, email: str, name: str, password: str, roles: Sequence[str], **extra) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password, full_name=name, **extra)
            self.created += 1
        for role in roles:
            user.add_role(role)
        return user

    def _staff(self) -> dict[str, User]:
        users = {}
        for email, name, roles in STAFF:
            staff = Role.REGISTRAR in roles
            users[email] = self._user(
                email, name, STAFF_PASSWORD, roles, is_staff=staff, is_superuser=staff
            )
        return users

    def _faculties(self) -> dict[str, Faculty]:
        out = {}
        for code, kk, ru, en, medical in FACULTIES:
            out[code], _ = Faculty.objects.get_or_create(
                code=code,
                defaults={"name_kk": kk, "name_ru": ru, "name_en": en, "is_medical": medical},
            )
        return out

    def _departments(self, faculties, users) -> dict[str, Department]:
        out = {}
        for code, fac, kk, ru, en, head in DEPARTMENTS:
            out[code], _ = Department.objects.get_or_create(
                code=code,
                defaults={
                    "faculty": faculties[fac],
                    "name_kk": kk,
                    "name_ru": ru,
                    "name_en": en,
                    "head": users[head],
                },
            )
        return out

    def _disciplines(self, departments) -> dict[str, Discipline]:
        out = {}
        for code, dept, kk, ru, en in DISCIPLINES:
            out[code], _ = Discipline.objects.get_or_create(
                code=code,
                defaults={
                    "department": departments[dept],
                    "name_kk": kk,
                    "name_ru": ru,
                    "name_en": en,
                },
            )
        return out

    def _groups(self, faculties) -> dict[str, StudyGroup]:
        out = {}
        for code, fac, form, lang, year in GROUPS:
            out[code], _ = StudyGroup.objects.get_or_create(
                code=code,
                defaults={
                    "faculty": faculties[fac],
                    "study_form": form,
                    "language": lang,
                    "year": year,
                },
            )
        return out

    def _teachers(self, users, departments) -> dict[str, Teacher]:
        home = {"teacher@demo.local": "CS", "head@demo.local": "CS", "teacher2@demo.local": "ANAT"}
        out = {}
        for n, (email, dept) in enumerate(home.items(), start=1):
            out[email], _ = Teacher.objects.get_or_create(
                user=users[email],
                defaults={"staff_id": f"T{n:04d}", "department": departments[dept]},
            )
        return out

    def _assignments(self, teachers, disciplines, groups, period) -> None:
        for email, disc, group in ASSIGNMENTS:
            TeachingAssignment.objects.get_or_create(
                teacher=teachers[email],
                discipline=disciplines[disc],
                group=groups[group],
                period=period,
            )

    def _students(self, groups) -> None:
        codes = ["IS-2301", "IS-2301", "IS-2302", "IS-2311", "MED-2301"]
        for n in range(1, 31):
            student_id = str(100000 + n)
            email = f"student{n}@demo.local"
            name = STUDENT_NAMES[(n - 1) % len(STUDENT_NAMES)]
            user = self._user(email, name, student_id, [Role.STUDENT])
            Student.objects.get_or_create(
                user=user,
                defaults={"student_id": student_id, "group": groups[codes[(n - 1) % len(codes)]]},
            )

    def _programmes(self, disciplines, users) -> None:
        for code in PROGRAMMES:
            teacher = users[next(e for e, d, _g in ASSIGNMENTS if d == code)]
            builders.programme_upload(teacher=teacher, discipline=disciplines[code])

    def _print_accounts(self) -> None:
        w = self.stdout.write
        w("")
        w("Demo accounts (log in with the e-mail):")
        w(f"  registrar@demo.local   {STAFF_PASSWORD}   registrar, admin (also /admin/)")
        w(f"  teacher@demo.local     {STAFF_PASSWORD}   teacher: exam forms, UMKD")
        w(f"  head@demo.local        {STAFF_PASSWORD}   head of CS and MATH: review")
        w(f"  proctor@demo.local     {STAFF_PASSWORD}   proctor: console of the open exam")
        w(f"  grader@demo.local      {STAFF_PASSWORD}   grader")
        w(f"  teacher2@demo.local    {STAFF_PASSWORD}   teacher (medicine: StartExam allowed)")
        w(f"  head2@demo.local       {STAFF_PASSWORD}   head of ANAT (medicine)")
        w("  student1@demo.local … student30@demo.local   password = student ID 100001 … 100030")
        w("")
        w("Exams (group IS-2301: student1, student2, student6, student7, …; IS-2302: student3, …):")
        for line in demo_exams.summary():
            w(f"  {line}")
