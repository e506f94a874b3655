"""Shared fixtures: a small university and the role personas every test uses.

``world`` builds two faculties (one medical), three departments, disciplines, groups, a
current period and these people:

- ``teacher``: teaches ALG and PHY to IS-2301 and ALG to IS-2302 (department MATH)
- ``other_teacher``: teaches ANAT to MED-2301 (department ANAT, medical faculty)
- ``head``: head of MATH (and of PHYS), ``other_head``: head of ANAT
- ``student``: student 100001 in IS-2301
- ``outsider``: a logged-in user with no role
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.conf import settings

from emtihan.accounts.models import Role, User
from emtihan.examforms.models import ExamRule, Instruction
from emtihan.examforms.rules_table import load_table_1
from emtihan.university.models import (
    AcademicPeriod,
    Department,
    Discipline,
    Faculty,
    Student,
    StudyGroup,
    Teacher,
    TeachingAssignment,
)


@dataclass
class World:
    period: AcademicPeriod
    it_faculty: Faculty
    med_faculty: Faculty
    math: Department
    phys: Department
    anat: Department
    algebra: Discipline
    physics: Discipline
    anatomy: Discipline
    g1: StudyGroup
    g2: StudyGroup
    med_group: StudyGroup
    teacher: User
    other_teacher: User
    head: User
    other_head: User
    student: User
    outsider: User
    registrar: User


def make_user(email: str, *roles: str, password: str = "pass-2026", **extra) -> User:
    user = User.objects.create_user(
        email=email, password=password, full_name=extra.pop("full_name", email), **extra
    )
    for role in roles:
        user.add_role(role)
    return user


@pytest.fixture
def world(db) -> World:
    # A transactional test before this one may have flushed the rows the data migration
    # loaded; put Table 1 back (a no-op when it is there).
    load_table_1(ExamRule, Instruction, academic_year=settings.EXAMFORMS_DEFAULT_ACADEMIC_YEAR)
    period = AcademicPeriod.objects.create(
        code="2026-2027-1",
        academic_year="2026-2027",
        title_kk="2026-2027 оқу жылы, күзгі семестр",
        title_ru="2026-2027 учебный год, осенний семестр",
        title_en="2026-2027, autumn",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2027, 1, 31),
        is_current=True,
    )
    it = Faculty.objects.create(
        code="IT", name_kk="Ақпараттық технологиялар", name_ru="ИТ", name_en="IT"
    )
    med = Faculty.objects.create(
        code="MED", name_kk="Медицина", name_ru="Медицина", name_en="Medicine", is_medical=True
    )
    head = make_user("head@test.local", Role.HEAD, full_name="Aigerim Head")
    other_head = make_user("otherhead@test.local", Role.HEAD, full_name="Other Head")
    math = Department.objects.create(
        code="MATH", faculty=it, name_kk="Математика", name_en="Mathematics", head=head
    )
    phys = Department.objects.create(
        code="PHYS", faculty=it, name_kk="Физика", name_en="Physics", head=head
    )
    anat = Department.objects.create(
        code="ANAT", faculty=med, name_kk="Анатомия", name_en="Anatomy", head=other_head
    )
    algebra = Discipline.objects.create(
        code="ALG", department=math, name_kk="Алгебра", name_en="Algebra"
    )
    physics = Discipline.objects.create(
        code="PHY", department=phys, name_kk="Физика", name_en="Physics"
    )
    anatomy = Discipline.objects.create(
        code="ANAT1", department=anat, name_kk="Анатомия", name_en="Anatomy"
    )
    g1 = StudyGroup.objects.create(
        code="IS-2301", faculty=it, study_form="full_time", language="kk", year=2
    )
    g2 = StudyGroup.objects.create(
        code="IS-2302", faculty=it, study_form="part_time", language="ru", year=2
    )
    mg = StudyGroup.objects.create(
        code="MED-2301", faculty=med, study_form="full_time", language="kk", year=2
    )
    teacher = make_user("teacher@test.local", Role.TEACHER, full_name="Teacher One")
    other_teacher = make_user("teacher2@test.local", Role.TEACHER, full_name="Teacher Two")
    t1 = Teacher.objects.create(user=teacher, staff_id="T001", department=math)
    t2 = Teacher.objects.create(user=other_teacher, staff_id="T002", department=anat)
    for disc, group, t in [
        (algebra, g1, t1),
        (physics, g1, t1),
        (algebra, g2, t1),
        (anatomy, mg, t2),
    ]:
        TeachingAssignment.objects.create(teacher=t, discipline=disc, group=group, period=period)
    student = make_user(
        "student1@test.local", Role.STUDENT, password="100001", full_name="Student One"
    )
    Student.objects.create(user=student, student_id="100001", group=g1)
    outsider = make_user("outsider@test.local", full_name="Out Sider")
    registrar = make_user(
        "registrar@test.local", Role.REGISTRAR, full_name="Reg Istrar", is_staff=True
    )
    return World(
        period=period,
        it_faculty=it,
        med_faculty=med,
        math=math,
        phys=phys,
        anat=anat,
        algebra=algebra,
        physics=physics,
        anatomy=anatomy,
        g1=g1,
        g2=g2,
        med_group=mg,
        teacher=teacher,
        other_teacher=other_teacher,
        head=head,
        other_head=other_head,
        student=student,
        outsider=outsider,
        registrar=registrar,
    )


# --- browser tests ---------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    import os
    import shutil

    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Missing Chromium skips locally and FAILS in
    CI (CI=true): a browser test that did not run must never look like one that passed."""
    import os

    path = chromium_path()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                "Chromium is not installed (apt-get install chromium); CI must run the browser tests."
            )
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls tests make
    # between browser steps are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open pages in fresh browser contexts (one per person); closes them after the test.

    Pages run under emtihan's real Content-Security-Policy, which forbids eval: give
    page.wait_for_function a function ("() => ..."), since Playwright polls a bare
    expression string with eval and the policy blocks it."""
    contexts = []

    def make(locale: str = "en-US", timezone_id: str | None = None, phone: bool = False):
        """``phone``: a 390 x 844 touch screen (an iPhone 12-15), where students sit too."""
        size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            timezone_id=timezone_id,
            viewport=size,
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=3 if phone else 1,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def login(page, email: str, password: str = "pass-2026") -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
