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
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone, translation

from emtihan.accounts.models import Role, User
from emtihan.examforms.models import ExamRule, Instruction
from emtihan.examforms.rules_table import load_table_1
from emtihan.grading.models import GradeBand, GradeScale
from emtihan.grading.scale_data import load_kazakh_credit
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


@pytest.fixture(autouse=True)
def _fresh_language_and_zone():
    """Each test starts in the site's language and time zone. A request through the main
    middleware chain activates its language and zone on the thread and leaves them there
    (Django's LocaleMiddleware, accounts/middleware.py), as every request of a server
    thread sets its own again; in tests, code run outside a request after one would
    otherwise see the language of another test's last request."""
    yield
    translation.deactivate()
    timezone.deactivate()


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
    # loaded; put Table 1 back. (A flush empties the table, so rows there mean all of it
    # is: the 14 update_or_create calls are skipped, some 40 queries of every test.)
    year = settings.EXAMFORMS_DEFAULT_ACADEMIC_YEAR
    if not ExamRule.objects.filter(academic_year=year).exists():
        load_table_1(ExamRule, Instruction, academic_year=year)
    load_kazakh_credit(GradeScale, GradeBand)  # the same for the grade scale
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


_PLAYWRIGHT: Any = None


def playwright_driver() -> Any:
    """The test session's one Playwright (started on first use, stopped at the session's
    end). Its sync API runs an event loop in this thread, and a second ``sync_playwright()``
    inside it fails ("using Playwright Sync API inside the asyncio loop"): every browser a
    test launches, with or without a fake camera, is launched from this one."""
    global _PLAYWRIGHT
    import os

    if _PLAYWRIGHT is None:
        # The ORM calls tests make between browser steps are still plain synchronous code.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        from playwright.sync_api import sync_playwright

        _PLAYWRIGHT = sync_playwright().start()
    return _PLAYWRIGHT


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    global _PLAYWRIGHT
    if _PLAYWRIGHT is not None:
        _PLAYWRIGHT.stop()
        _PLAYWRIGHT = None


def drives_a_browser(item: Any) -> bool:
    """A test that drives Chromium or serves the live server (marked ``browser``, or using
    those fixtures)."""
    names = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("browser") is not None or bool(
        names & {"browser", "live_server", "new_page"}
    )


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Every test that drives a browser is in a ``test_browser_*.py`` file, so that ``make
    test`` keeps them on one worker (``pytest_xdist_make_scheduler``)."""
    misplaced = [
        item.nodeid
        for item in items
        if drives_a_browser(item) and not item.path.name.startswith("test_browser_")
    ]
    if misplaced:
        raise pytest.UsageError(
            "these tests drive a browser; move them to a test_browser_*.py file: "
            + ", ".join(misplaced)
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: Any, nextitem: Any) -> Any:
    """A test that used the live server: its pages' requests still in flight finish, and
    new ones are refused, before its fixtures (the browser contexts, then the database's
    flush) are torn down (emtihan/core/tests/live_gate.py)."""
    from emtihan.core.tests import live_gate

    live = "live_server" in getattr(item, "fixturenames", ())
    if live:
        left = live_gate.close_and_drain()
        assert left == 0, f"{left} live-server requests still running after 30 s"
    try:
        return (yield)
    finally:
        if live:
            live_gate.open_gate()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: Any, log: Any) -> Any:
    """``--dist loadgroup`` (``make test``): the tests of the ``test_browser_*.py`` files
    all run on one pytest-xdist worker, one after the other, the rest is spread over the
    workers. The browser tests measure pauses in wall-clock time and flaked when two of
    them shared two cores. (xdist's ``xdist_group`` marker does not group under pytest
    9.2: xdist renames ``item._nodeid``, which pytest no longer reads.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class BrowserTestsOnOneWorker(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if "/test_browser_" in nodeid.split("::", 1)[0]:
                return "browser"
            return super()._split_scope(nodeid)

    return BrowserTestsOnOneWorker(config, log)


# The Redis database the tests use (keys are their own: prefixed per test; one database per
# pytest-xdist worker: emtihan/settings_test.py).
TEST_REDIS_URL: str = settings.TEST_REDIS_URL


def require_redis() -> str:
    """TEST_REDIS_URL once Redis answers there. Unreachable Redis skips locally and FAILS
    in CI (CI=true), as a missing Chromium does."""
    import os

    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is not reachable at {TEST_REDIS_URL}; CI must run this test.")
        pytest.skip(f"Redis is not reachable at {TEST_REDIS_URL}")
    return TEST_REDIS_URL


def require_chromium() -> str:
    """Chromium's path. Missing Chromium skips locally and FAILS in CI (CI=true): a
    browser test that did not run must never look like one that passed."""
    import os

    path = chromium_path()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                "Chromium is not installed (apt-get install chromium); CI must run the browser tests."
            )
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (see ``require_chromium``)."""
    path = require_chromium()
    instance = playwright_driver().chromium.launch(
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


# --- the cast: every persona of the permission battery, and objects that belong to them ---


@dataclass
class Cast:
    """``world`` plus what the persona battery (``emtihan/policy/tests``) needs, all built
    through the services, as the people themselves would have built it:

    - ``exam``: ALG x IS-2301 (``world.teacher``), published, open now, drawings allowed;
      ``proctor`` proctors it and ``grader`` grades it (assigned by the registrar);
      ``attempt``: ``student``'s sitting, in progress, with a saved answer and ``picture``;
      ``classmate_attempt``: ``classmate``'s sitting (same group), ended, 50 minutes
      away, so waiting for a decision;
    - ``draft``: ALG x IS-2302 (``world.teacher``), a draft with ``question`` (in
      ``pool``), an ``empty_pool`` and ``accommodation`` (extra time for
      ``other_group_student``, who is in IS-2302);
    - ``other_exam``: ANAT1 x MED-2301 of ``other_faculty_teacher``, published, open;
    - ``ready_choice``: PHY x IS-2301, approved, no exam yet; ``submitted_choice``: PHY x
      IS-2302 sent for review (head of PHYS: ``head``); ``choice``: the exam's;
    - ``version``: ALG's programme in UMKD, ``other_version``: ANAT1's;
    - ``import_job``: a registry import the registrar started; ``question_import``: a GIFT
      file the teacher imported into ``draft``.
    """

    world: World
    personas: dict[str, User | None]
    exam: Any
    draft: Any
    other_exam: Any
    choice: Any
    ready_choice: Any
    submitted_choice: Any
    version: Any
    other_version: Any
    attempt: Any
    classmate_attempt: Any
    picture: Any
    question: Any
    pool: Any
    empty_pool: Any
    accommodation: Any
    import_job: Any
    question_import: Any
    exam_proctor: Any
    exam_grader: Any

    def user(self, persona: str) -> User:
        user = self.personas[persona]
        assert user is not None, persona
        return user


PERSONAS = (
    "anonymous",
    "student",
    "classmate",
    "other_group_student",
    "teacher",
    "other_faculty_teacher",
    "head",
    "other_head",
    "proctor",
    "unassigned_proctor",
    "grader",
    "unassigned_grader",
    "registrar",
)


@pytest.fixture
def cast(world) -> Cast:
    import io

    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from PIL import Image

    from emtihan.attempts import services as attempts
    from emtihan.demo import builders
    from emtihan.examforms.services import ChoiceInput, choice_save
    from emtihan.exams import assignments
    from emtihan.exams import services as exams
    from emtihan.university.services import import_job_create

    now = timezone.now().replace(microsecond=0)
    hour = dt.timedelta(hours=1)

    def student(email: str, name: str, student_id: str, group: StudyGroup) -> User:
        user = make_user(email, Role.STUDENT, password=student_id, full_name=name)
        Student.objects.create(user=user, student_id=student_id, group=group)
        return user

    classmate = student("classmate@test.local", "Class Mate", "100002", world.g1)
    other_group = student("othergroup@test.local", "Other Group", "100003", world.g2)
    proctor = make_user("proctor@test.local", Role.PROCTOR, full_name="Pro Ctor")
    unassigned_proctor = make_user("proctor2@test.local", Role.PROCTOR, full_name="Idle Proctor")
    grader = make_user("grader@test.local", Role.GRADER, full_name="Gra Der")
    unassigned_grader = make_user("grader2@test.local", Role.GRADER, full_name="Idle Grader")
    # The registry would have this row too: PHY to IS-2302, for a choice sent for review.
    TeachingAssignment.objects.create(
        teacher=world.teacher.teacher,
        discipline=world.physics,
        group=world.g2,
        period=world.period,
    )

    version = builders.programme_upload(teacher=world.teacher, discipline=world.algebra)
    other = builders.programme_upload(teacher=world.other_teacher, discipline=world.anatomy)
    physics = builders.programme_upload(teacher=world.teacher, discipline=world.physics)

    def approved(teacher: User, head: User, discipline: Discipline, group: StudyGroup):
        return builders.approved_choice(
            teacher=teacher, head=head, discipline=discipline, group=group
        )

    choice = approved(world.teacher, world.head, world.algebra, world.g1)
    draft_choice = approved(world.teacher, world.head, world.algebra, world.g2)
    ready_choice = approved(world.teacher, world.head, world.physics, world.g1)
    other_choice = approved(world.other_teacher, world.other_head, world.anatomy, world.med_group)
    submitted_choice = choice_save(
        actor=world.teacher,
        discipline=world.physics,
        group=world.g2,
        data=ChoiceInput(
            platform="OQYLYQ",
            form="WRITTEN",
            exam_type="TRADITIONAL",
            programme_id=physics.versions.get().pk,
        ),
    )
    written: list[builders.Question] = [("written", "<p>Prove it.</p>", {}, 5)]
    exam = builders.published_exam(
        teacher=world.teacher,
        choice=choice,
        questions=written,
        opens_at=now - 2 * hour,
        closes_at=now + 4 * hour,
        publish_at=now,
        title="Algebra final",
        duration_minutes=180,
        allow_drawings=True,
    )
    other_exam = builders.published_exam(
        teacher=world.other_teacher,
        choice=other_choice,
        questions=written,
        opens_at=now - hour,
        closes_at=now + 4 * hour,
        publish_at=now,
        title="Anatomy final",
        duration_minutes=90,
    )
    draft = exams.exam_create(
        actor=world.teacher,
        choice=draft_choice,
        title="Algebra final, part-time",
        opens_at=now + 48 * hour,
        closes_at=now + 52 * hour,
        duration_minutes=90,
    )
    pool = exams.pool_create(actor=world.teacher, exam=draft, name="Warm-up", pick=1)
    empty_pool = exams.pool_create(actor=world.teacher, exam=draft, name="Spare", pick=1)
    question = exams.question_create(
        actor=world.teacher,
        exam=draft,
        kind="true_false",
        body="<p>1 + 1 = 2</p>",
        spec={"correct": True},
        pool=pool,
    )
    question_import = exams.question_import_start(
        actor=world.teacher,
        exam=draft,
        file=SimpleUploadedFile("cast.gift", b"::Cast import:: 1 + 1 = 2 {T}\n"),
        fmt="gift",
    )
    accommodation = exams.accommodation_set(
        actor=world.teacher,
        exam=draft,
        student=other_group.student,
        extra_minutes=30,
        reason="Documented",
    )

    exam_proctor = assignments.proctor_assign(actor=world.registrar, user=proctor, exam=exam)
    exam_grader = assignments.grader_assign(actor=world.registrar, user=grader, exam=exam)

    attempt = attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    written_id = attempt.layout[0]["q"]
    content = {"doc": {"type": "doc", "content": [{"type": "paragraph"}]}}
    attempts.answer_save(
        attempt_id=attempt.pk,
        student_user=world.student,
        question_id=written_id,
        content=content,
        base_version=0,
        key="cast-1",
    )
    drawing = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 0, 0)).save(drawing, format="PNG")
    picture = attempts.picture_upload(
        attempt_id=attempt.pk,
        student_user=world.student,
        file=SimpleUploadedFile("drawing.png", drawing.getvalue(), content_type="image/png"),
    )
    away = attempts.attempt_start(
        student_user=classmate, exam_id=exam.pk, now=now - 50 * dt.timedelta(minutes=1)
    )
    classmate_attempt = attempts.attempt_finish(
        attempt_id=away.pk, student_user=classmate, key="cast-finish", now=now
    )
    import_job = import_job_create(
        actor=world.registrar,
        files=[ContentFile(b"student_id;full_name\n", name="students.csv")],
    )
    personas: dict[str, User | None] = {
        "anonymous": None,
        "student": world.student,
        "classmate": classmate,
        "other_group_student": other_group,
        "teacher": world.teacher,
        "other_faculty_teacher": world.other_teacher,
        "head": world.head,
        "other_head": world.other_head,
        "proctor": proctor,
        "unassigned_proctor": unassigned_proctor,
        "grader": grader,
        "unassigned_grader": unassigned_grader,
        "registrar": world.registrar,
    }
    return Cast(
        world=world,
        personas=personas,
        exam=exam,
        draft=draft,
        other_exam=other_exam,
        choice=choice,
        ready_choice=ready_choice,
        submitted_choice=submitted_choice,
        version=version.versions.get(),
        other_version=other.versions.get(),
        attempt=attempt,
        classmate_attempt=classmate_attempt,
        picture=picture,
        question=question,
        pool=pool,
        empty_pool=empty_pool,
        accommodation=accommodation,
        import_job=import_job,
        question_import=question_import,
        exam_proctor=exam_proctor,
        exam_grader=exam_grader,
    )


@dataclass
class ProctoredCast:
    """The cast plus a proctored exam, for the proctoring routes of the battery:

    - ``exam``: PHY x IS-2301 (the cast's ``ready_choice``), published, open now, recording
      the camera; the cast's ``proctor`` is assigned to it too;
    - ``attempt``: ``student``'s sitting of it (after agreeing), with one ``snapshot``;
    - ``check``: ``classmate``'s identity check (agreed, collecting frames);
      ``classmate_session``: their proctoring session.
    """

    cast: Cast
    exam: Any
    attempt: Any
    snapshot: Any
    check: Any
    classmate_session: Any

    @property
    def personas(self) -> dict[str, User | None]:
        return self.cast.personas

    @property
    def world(self) -> World:
        return self.cast.world

    def user(self, persona: str) -> User:
        return self.cast.user(persona)


def jpeg_upload(width: int = 320, height: int = 240, name: str = "frame.jpg"):
    """A plain grey JPEG, as a browser uploads a camera frame."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (96, 96, 96)).save(out, format="JPEG", quality=75)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def wav_upload(seconds: float = 1.0):
    """Silence as a 16 kHz mono 16-bit WAV, the voice clips' format."""
    import io
    import wave

    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.BytesIO()
    with wave.open(out, "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(16_000)
        clip.writeframes(b"\0\0" * int(16_000 * seconds))
    return SimpleUploadedFile("clip.wav", out.getvalue(), content_type="audio/wav")


@pytest.fixture
def proctored(cast) -> ProctoredCast:
    from django.utils import timezone

    from emtihan.attempts import services as attempts
    from emtihan.demo import builders
    from emtihan.exams import assignments
    from emtihan.exams.models import ProctoringLevel
    from emtihan.proctoring import services as proctoring

    world = cast.world
    now = timezone.now().replace(microsecond=0)
    written: list[builders.Question] = [("written", "<p>Explain.</p>", {}, 5)]
    exam = builders.published_exam(
        teacher=world.teacher,
        choice=cast.ready_choice,
        questions=written,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=4),
        publish_at=now,
        title="Physics final",
        duration_minutes=120,
        proctoring=ProctoringLevel.RECORD,
    )
    assignments.proctor_assign(actor=world.registrar, user=cast.user("proctor"), exam=exam)

    def agree(user: User) -> None:
        paragraphs = proctoring.consent_paragraphs(exam, "en")
        proctoring.consent_give(
            student_user=user,
            exam_id=exam.pk,
            version=proctoring.consent_version(paragraphs),
            language="en",
        )

    agree(world.student)
    attempt = attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    snapshot = proctoring.snapshot_upload(
        student_user=world.student, attempt_id=attempt.pk, file=jpeg_upload(), taken_at=now
    )
    classmate = cast.user("classmate")
    agree(classmate)
    check = proctoring.identity_check_start(student_user=classmate, exam_id=exam.pk)
    return ProctoredCast(
        cast=cast,
        exam=exam,
        attempt=attempt,
        snapshot=snapshot,
        check=check,
        classmate_session=check.session,
    )
