"""Setup of the exam-sitting load benchmark (``bench/load_sitting.py setup``): N students
with a logged-in session each, and an open exam built through the same services as the
demo (``emtihan.demo.builders``). Runs against the server's database, with its settings.

Django is imported inside ``setup`` only: the load generator that imports this module
for its constants stays standard library.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

EMAIL = "bench{:05d}@bench.local"
PASSWORD = "bench-pass-2026"  # noqa: S105 (throwaway accounts in a load-test database)
EXAM_TITLE = "Load test exam"
SESSIONS_FILE = Path(__file__).resolve().parent / ".sessions.json"

QUESTIONS = [
    ("written", "<p>Explain.</p>", {}, 10),
    (
        "single",
        "<p>Pick one.</p>",
        {
            "options": [
                {"id": "a", "html": "A", "fraction": 1},
                {"id": "b", "html": "B", "fraction": 0},
            ]
        },
        1,
    ),
]


def setup(students: int) -> None:
    """The university's rows (a period, a faculty, a group, a teacher who is also the
    department's head, N students) straight into the database, as the registry import
    would leave them; the exam the way a teacher and a head make it, through the same
    services as the demo (``emtihan.demo.builders``): programme, choice sent and approved,
    exam created, filled and published."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emtihan.settings")
    import django

    django.setup()
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from emtihan.accounts.models import Role, User
    from emtihan.demo import builders
    from emtihan.exams.models import Exam
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

    today = timezone.localdate()
    period = AcademicPeriod.current() or AcademicPeriod.objects.create(
        code="BENCH",
        academic_year=settings.EXAMFORMS_DEFAULT_ACADEMIC_YEAR,  # Table 1's rules are for it
        title_kk="Bench",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
        is_current=True,
    )
    teacher, _ = User.objects.get_or_create(
        email="bench-teacher@bench.local", defaults={"full_name": "Bench Teacher"}
    )
    teacher.add_role(Role.TEACHER)
    teacher.add_role(Role.HEAD)
    faculty, _ = Faculty.objects.get_or_create(
        code="BENCH", defaults={"name_kk": "Bench", "name_ru": "Bench", "name_en": "Bench"}
    )
    department, _ = Department.objects.get_or_create(
        code="BENCH",
        defaults={"faculty": faculty, "name_kk": "Bench", "name_en": "Bench", "head": teacher},
    )
    discipline, _ = Discipline.objects.get_or_create(
        code="BENCH1", defaults={"department": department, "name_kk": "Bench", "name_en": "Bench"}
    )
    group, _ = StudyGroup.objects.get_or_create(
        code="BENCH-01",
        defaults={"faculty": faculty, "study_form": "full_time", "language": "kk", "year": 1},
    )
    profile, _ = Teacher.objects.get_or_create(
        user=teacher, defaults={"staff_id": "BENCH-T1", "department": department}
    )
    TeachingAssignment.objects.get_or_create(
        teacher=profile, discipline=discipline, group=group, period=period
    )

    hashed = make_password(PASSWORD)
    existing = set(
        User.objects.filter(email__endswith="@bench.local").values_list("email", flat=True)
    )
    new_users = [
        User(email=EMAIL.format(n), full_name=f"Bench Student {n}", password=hashed)
        for n in range(1, students + 1)
        if EMAIL.format(n) not in existing
    ]
    User.objects.bulk_create(new_users, batch_size=1000)
    users = User.objects.filter(email__in=[EMAIL.format(n) for n in range(1, students + 1)])
    with_student = set(Student.objects.filter(user__in=users).values_list("user_id", flat=True))
    Student.objects.bulk_create(
        [
            Student(user=u, student_id=f"B{u.pk:08d}", group=group)
            for u in users
            if u.pk not in with_student
        ],
        batch_size=1000,
    )

    now = timezone.now()
    with transaction.atomic():
        builders.programme_upload(teacher=teacher, discipline=discipline)
        choice = builders.approved_choice(
            teacher=teacher, head=teacher, discipline=discipline, group=group
        )
        exam = Exam.objects.filter(choice=choice).first()
        if exam is None:
            exam = builders.published_exam(
                teacher=teacher,
                choice=choice,
                questions=QUESTIONS,
                opens_at=now - dt.timedelta(minutes=5),
                closes_at=now + dt.timedelta(hours=4),
                publish_at=now - dt.timedelta(minutes=10),
                title=EXAM_TITLE,
                duration_minutes=180,
            )
        elif exam.closes_at < now + dt.timedelta(minutes=30):
            sys.exit(f"exam {exam.pk} closes at {exam.closes_at:%H:%M}: set up a fresh database")
    _write_sessions(users)
    print(
        f"exam {exam.pk} open until {exam.closes_at:%H:%M}; {students} students {EMAIL.format(1)}..."
    )
    print(f"run: python bench/load_sitting.py run --exam {exam.pk} --students {students}")


def _write_sessions(users) -> None:
    """Log every student in ahead of time (a server-side session each), so a run measures
    the exam rather than 1,000 PBKDF2 password checks; ``run --login`` measures those too."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    sessions = {}
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions[user.email] = store.session_key
    SESSIONS_FILE.write_text(json.dumps(sessions))
