"""The proctor's console: every sitting of an exam, most urgent first by the published
priority (docs/PROCTORING.md, "The proctor's console"), its table refreshed by htmx."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from emtihan.attempts import services as attempts
from emtihan.attempts.models import Attempt
from emtihan.conftest import make_user
from emtihan.exams.models import ExamGrader, ExamProctor, ProctoringLevel
from emtihan.proctoring import console
from emtihan.proctoring.models import Flag, FlagKind, FlagStatus, IdentityStatus
from emtihan.university.models import Student

from .conftest import make_exam

MINUTE = dt.timedelta(minutes=1)


def flag(attempt: Attempt, kind: str, *, ended_at: dt.datetime, status=FlagStatus.OPEN) -> Flag:
    return Flag.objects.create(
        attempt=attempt,
        kind=kind,
        started_at=ended_at - MINUTE,
        ended_at=ended_at,
        metric="faces",
        value=2,
        threshold=1,
        created_at=ended_at,
        status=status,
    )


@pytest.fixture
def live(world):
    """An exam open on the real clock that records, two students sitting it."""
    now = timezone.now()
    exam = make_exam(world, opens_at=now - 30 * MINUTE, proctoring=ProctoringLevel.RECORD)
    second = make_user("student3@test.local", "student", full_name="Student Three")
    Student.objects.create(user=second, student_id="100003", group=world.student.student.group)
    one = attempts.attempt_start(student_user=world.student, exam_id=exam.pk, now=now - MINUTE)
    three = attempts.attempt_start(student_user=second, exam_id=exam.pk, now=now - MINUTE)
    return exam, one, three


def test_the_formula_weighs_kind_recency_absence_and_identity():
    now = timezone.now()
    assert console.flag_points(FlagKind.MULTIPLE_FACES, now - MINUTE, now) == 8  # 4, recent
    assert console.flag_points(FlagKind.MULTIPLE_FACES, now - 6 * MINUTE, now) == 4
    assert console.flag_points(FlagKind.WINDOW_BLUR, now - 6 * MINUTE, now) == 1
    assert console.absence_points(600, 1200) == 5  # half the cap
    assert console.absence_points(3600, 1200) == 20  # capped at twice the cap
    assert console.absence_points(600, 0) == 0
    assert console.identity_points(IdentityStatus.MANUAL) == 8
    assert console.identity_points(IdentityStatus.PASSED) == 0
    assert console.identity_points(None) == 0


def test_rows_are_sorted_by_priority_with_their_open_flags(world, live):
    exam, one, three = live
    now = timezone.now()
    flag(three, FlagKind.MULTIPLE_FACES, ended_at=now - MINUTE)  # 8
    flag(three, FlagKind.TAB_HIDDEN, ended_at=now - 10 * MINUTE)  # 2
    flag(one, FlagKind.WINDOW_BLUR, ended_at=now - MINUTE)  # 2
    flag(one, FlagKind.PHONE, ended_at=now, status=FlagStatus.DISMISSED)  # not open
    Attempt.objects.filter(pk=one.pk).update(absence_seconds=300)  # 5 of 20 min: 2.5
    rows = console.console_rows(exam, now=now)
    assert [r.attempt.pk for r in rows] == [three.pk, one.pk]
    assert [r.priority for r in rows] == [10, 4.5]
    assert rows[0].open_flags == 2
    assert rows[0].flag_kinds == [("Someone else in view", 1), ("Left the exam tab", 1)]
    assert rows[1].absence_minutes == 5
    assert rows[0].minutes_left is not None and rows[0].ended is False


def test_the_console_page_lists_the_sittings_and_polls_its_table(
    client, world, live, proctor, django_assert_max_num_queries
):
    exam, one, three = live
    ExamProctor.objects.create(exam=exam, user=proctor)
    flag(one, FlagKind.IDENTITY_MISMATCH, ended_at=timezone.now())
    client.force_login(proctor)
    page = client.get(reverse("proctoring:console", args=[exam.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert [r.attempt.pk for r in page.context["rows"]] == [one.pk, three.pk]
    assert "The face does not match the photo on file × 1" in html
    rows_url = reverse("proctoring:console_rows", args=[exam.pk])
    assert f'hx-get="{rows_url}"' in html and 'hx-trigger="every 10s"' in html
    fragment = client.get(rows_url)
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert "Student Three" in fragment.content.decode()
    # A fixed number of queries, whatever the number of sittings.
    with django_assert_max_num_queries(8):
        client.get(rows_url)


def test_a_sitting_whose_proposal_waits_reads_awaiting_second_review(client, world, live, proctor):
    exam, one, three = live
    ExamProctor.objects.create(exam=exam, user=proctor)
    attempts.attempt_finish(attempt_id=one.pk, student_user=world.student)
    attempts.attempt_decide(
        actor=proctor,
        attempt_id=one.pk,
        decision="postpone",
        category="technical_failure",
        comment="The camera stopped",
    )
    client.force_login(proctor)
    fragment = client.get(reverse("proctoring:console_rows", args=[exam.pk]))
    rows = {r.attempt.pk: r for r in fragment.context["rows"]}
    assert rows[one.pk].awaiting_review and not rows[three.pk].awaiting_review
    assert fragment.content.decode().count("Awaiting second review") == 1


def test_the_proctors_exams_page_links_the_console(client, world, live, proctor):
    exam, _one, _three = live
    ExamProctor.objects.create(exam=exam, user=proctor)
    client.force_login(proctor)
    html = client.get(reverse("attempts:proctor_exams")).content.decode()
    assert reverse("proctoring:console", args=[exam.pk]) in html


def test_no_one_outside_the_exams_proctors_opens_the_console(
    client, world, live, proctor, grader, other_student
):
    exam, _one, _three = live
    # The grader is the exam's grader, the proctor proctors another exam only.
    ExamGrader.objects.create(exam=exam, user=grader)
    ExamProctor.objects.create(exam=make_exam(world), user=proctor)
    urls = [
        reverse("proctoring:console", args=[exam.pk]),
        reverse("proctoring:console_rows", args=[exam.pk]),
    ]
    for person in (grader, world.teacher, world.student, other_student, proctor):
        client.force_login(person)
        for url in urls:
            status = client.get(url).status_code
            assert status in (403, 404), (person, url, status)
    client.force_login(grader)
    assert client.get(urls[0]).status_code == 403  # not a proctor at all


def test_students_waiting_before_the_start_for_a_proctor_are_listed(client, world, proctor):
    """A student of a ``required`` exam whose identity waits for a proctor has no sitting
    (the gate keeps them out): the console lists them apart, linked to their identity
    page; those checking, passed or already sitting are not listed."""
    from emtihan.proctoring.models import ProctoringSession

    now = timezone.now()
    exam = make_exam(world, opens_at=now - 30 * MINUTE, proctoring=ProctoringLevel.REQUIRED)
    people = {}
    for n, status in enumerate(
        [IdentityStatus.MANUAL, IdentityStatus.FAILED, IdentityStatus.PASSED, "checking"], 3
    ):
        user = make_user(f"student{n}@test.local", "student", full_name=f"Student {n}")
        student = Student.objects.create(
            user=user, student_id=f"10000{n}", group=world.student.student.group
        )
        people[status] = ProctoringSession.objects.create(
            exam=exam, student=student, created_at=now, identity_status=status
        )
    assert console.waiting_sessions(exam) == [
        people[IdentityStatus.MANUAL],
        people[IdentityStatus.FAILED],
    ]

    ExamProctor.objects.create(exam=exam, user=proctor)
    client.force_login(proctor)
    page = client.get(reverse("proctoring:console_rows", args=[exam.pk])).content.decode()
    assert 'id="waiting"' in page
    for status in (IdentityStatus.MANUAL, IdentityStatus.FAILED):
        assert reverse("proctoring:identity", args=[people[status].pk]) in page
    assert reverse("proctoring:identity", args=[people[IdentityStatus.PASSED].pk]) not in page
