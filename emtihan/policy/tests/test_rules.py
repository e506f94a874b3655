"""The policy's rules one by one (the persona battery checks them through every route)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from emtihan.accounts.models import Role, User
from emtihan.conftest import make_user
from emtihan.exams import assignments
from emtihan.policy import accounts, attempts, examforms, exams, umkd, university
from emtihan.university.models import AcademicPeriod, Teacher, TeachingAssignment

pytestmark = pytest.mark.django_db


# --- who a person is ------------------------------------------------------------------------


def test_nobody_anonymous_or_deactivated_may_do_anything(world):
    world.registrar.is_active = False
    for user in (AnonymousUser(), world.registrar, None):
        assert not accounts.is_person(user)
        assert not accounts.is_registrar(user)
        assert not accounts.overrides(user)
        assert accounts.menu(user) == {}
    assert not university.teaches(AnonymousUser(), discipline=world.algebra)


def test_the_override_is_staff_or_superuser_and_nothing_else(world):
    superuser = make_user("root@test.local", is_superuser=True)
    assert accounts.overrides(world.registrar) and accounts.overrides(superuser)
    assert not accounts.overrides(world.teacher)
    # It grants the registrar's rights and the exam pages, never a teacher's choice or a
    # head's review.
    assert accounts.is_registrar(superuser) and accounts.may_open_exam_pages(superuser)
    assert not examforms.may_edit_choice(
        superuser, discipline=world.algebra, group=world.g1, period=world.period
    )


def test_the_registrar_role_without_staff_is_the_registrar(world):
    clerk = make_user("clerk@test.local", Role.REGISTRAR)
    assert accounts.is_registrar(clerk) and not accounts.overrides(clerk)
    assert university.may_import_registry(clerk) and university.may_manage_assignments(clerk)


@pytest.mark.parametrize(
    ("who", "landing"),
    [
        ("teacher", "examforms:teacher_list"),
        ("head", "examforms:review"),
        ("registrar", "examforms:export"),
        ("student", "attempts:home"),
        ("outsider", None),
    ],
)
def test_each_person_lands_on_their_page(world, who, landing):
    assert accounts.landing(getattr(world, who)) == landing


def test_proctors_and_graders_land_on_their_pages(world):
    assert accounts.landing(make_user("p@test.local", Role.PROCTOR)) == "attempts:proctor_exams"
    assert accounts.landing(make_user("g@test.local", Role.GRADER)) == "exams:grader_home"


def test_the_menu_shows_a_grader_their_page(world):
    grader = make_user("g@test.local", Role.GRADER)
    assert accounts.menu(grader) == {
        "is_student": False,
        "is_teacher": False,
        "is_head": False,
        "is_registrar": False,
        "may_export": False,
        "is_proctor": False,
        "is_grader": True,
        "may_review_marks": False,  # identifying marks: the exam office, never a grader
    }
    assert accounts.menu(world.registrar)["may_review_marks"]  # staff: the exam office


# --- teaches: one meaning ---------------------------------------------------------------------


@pytest.fixture
def past_period(world) -> AcademicPeriod:
    return AcademicPeriod.objects.create(
        code="2025-2026-2",
        academic_year="2025-2026",
        title_kk="2025-2026, көктем",
        starts_on=dt.date(2026, 2, 1),
        ends_on=dt.date(2026, 6, 30),
    )


def test_teaches_is_the_discipline_group_and_period_of_an_assignment(world, past_period):
    teacher = world.teacher
    assert university.teaches(
        teacher, discipline=world.algebra, group=world.g1, period=world.period
    )
    assert not university.teaches(
        teacher, discipline=world.algebra, group=world.med_group, period=world.period
    )
    assert not university.teaches(
        teacher, discipline=world.algebra, group=world.g1, period=past_period
    )


def test_without_a_group_any_group_and_without_a_period_the_current_one(world, past_period):
    other = make_user("t3@test.local", Role.TEACHER)
    record = Teacher.objects.create(user=other, staff_id="T003", department=world.math)
    TeachingAssignment.objects.create(
        teacher=record, discipline=world.algebra, group=world.g1, period=past_period
    )
    assert not university.teaches(other, discipline=world.algebra)  # not this period
    assert university.teaches(other, discipline=world.algebra, period=past_period)
    assert university.teaches(world.teacher, discipline=world.algebra)  # any group


def test_staff_are_not_teachers(world):
    assert not university.teaches(world.registrar, discipline=world.algebra)
    # ...but they may manage exams, explicitly (the override).


# --- heads ------------------------------------------------------------------------------------


def test_headship_is_the_registrys(world):
    assert university.heads_discipline(world.head, world.algebra)
    assert not university.heads_discipline(world.other_head, world.algebra)
    assert list(university.departments_headed_by(world.head)) == [world.math, world.phys]


def test_the_review_opens_to_the_head_role_or_a_headship(world):
    named_head = make_user("named@test.local")  # heads a department, no role given yet
    world.anat.head = named_head
    world.anat.save()
    role_only = make_user("role@test.local", Role.HEAD)  # the role, no department yet
    assert university.may_open_review(named_head) and university.may_open_review(role_only)
    assert not university.may_open_review(world.teacher)
    assert list(examforms.review_assignments(role_only, world.period)) == []


# --- UMKD and exam forms ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "can_view", "can_upload"),
    [
        ("teacher", True, True),
        ("head", True, False),
        ("registrar", True, True),
        ("other_teacher", False, False),
        ("other_head", False, False),
        ("student", False, False),
        ("outsider", False, False),
    ],
)
def test_umkd(world, persona, can_view, can_upload):
    user = getattr(world, persona)
    assert umkd.may_view_materials(user, world.algebra) is can_view
    assert umkd.may_upload_material(user, world.algebra) is can_upload


def test_export_scopes(world):
    registrar = examforms.export_scope(world.registrar)
    assert registrar.everything and registrar.allows("faculty", world.med_faculty.pk)
    head = examforms.export_scope(world.head)
    assert head.allows("department", world.math.pk)
    assert not head.allows("department", world.anat.pk)
    assert not head.allows("all", 0) and not head.allows("faculty", world.it_faculty.pk)
    assert not examforms.export_scope(world.teacher).any


# --- proctors and graders ----------------------------------------------------------------------


def test_a_proctor_has_the_exams_of_their_rows(cast):
    proctor, idle = cast.user("proctor"), cast.user("unassigned_proctor")
    assert list(exams.exams_proctored_by(proctor)) == [cast.exam]
    assert list(exams.exams_proctored_by(idle)) == []
    assert set(exams.exams_proctored_by(cast.user("registrar"))) == {
        cast.exam,
        cast.draft,
        cast.other_exam,
    }


def test_a_faculty_proctor_has_every_exam_of_its_students(cast):
    idle = cast.user("unassigned_proctor")
    assignments.proctor_assign(
        actor=cast.user("registrar"), user=idle, faculty=cast.world.it_faculty
    )
    # IS-2301 and IS-2302 are IT groups; MED-2301 is not.
    assert set(exams.exams_proctored_by(idle)) == {cast.exam, cast.draft}


def test_an_assignment_needs_the_role_still(cast):
    cast.user("proctor").groups.clear()
    proctor = User.objects.get(pk=cast.user("proctor").pk)  # as the next request reads it
    assert list(exams.exams_proctored_by(proctor)) == []
    assert not attempts.may_decide(proctor, cast.classmate_attempt)


def test_a_proposal_needs_a_second_reviewer_who_may_decide(cast):
    """Who confirms a proposed cancel or postpone: whoever may decide on the sitting,
    except its proposer; who rejects it: whoever may decide, the proposer included."""
    from emtihan.attempts import services as attempt_services
    from emtihan.attempts.models import Decision

    proposal = attempt_services.attempt_decide(
        actor=cast.user("proctor"),
        attempt_id=cast.classmate_attempt.pk,
        decision=Decision.POSTPONE,
        category="illness_emergency",
        comment="Called the office from hospital",
    ).proposal
    assert proposal is not None
    confirm = {
        p for p in cast.personas if attempts.may_confirm_proposal(cast.personas[p], proposal)
    }
    reject = {p for p in cast.personas if attempts.may_reject_proposal(cast.personas[p], proposal)}
    assert confirm == {"registrar"}  # the exam's other deciders; never the proposer
    assert reject == {"proctor", "registrar"}
    assert not attempts.is_second_reviewer(cast.user("proctor"), proposal)
    assert not attempts.is_second_reviewer(AnonymousUser(), proposal)


def test_graders_grade_their_exams_only(cast):
    assert list(exams.exams_graded_by(cast.user("grader"))) == [cast.exam]
    assert list(exams.exams_graded_by(cast.user("unassigned_grader"))) == []
    assert list(exams.exams_graded_by(cast.user("registrar"))) == []  # staff do not grade


def test_pictures(cast):
    picture = cast.picture
    by_path = {p for p in cast.personas if attempts.may_view_picture(cast.personas[p], picture)}
    by_key = {
        p for p in cast.personas if attempts.may_view_picture_by_key(cast.personas[p], picture)
    }
    assert by_path == {"student", "teacher", "head", "proctor", "registrar"}
    assert by_key == by_path | {"grader"}


def test_the_attempts_a_proctor_reads(cast):
    assert set(attempts.attempts_proctored_by(cast.user("proctor"))) == {
        cast.attempt,
        cast.classmate_attempt,
    }
    assert list(attempts.attempts_proctored_by(cast.user("teacher"))) == []


def test_a_student_sees_their_groups_published_exams_and_what_they_started(cast):
    student = cast.user("student").student
    assert list(attempts.exams_seen_by_student(student)) == [cast.exam]
    other = cast.user("other_group_student").student
    assert list(attempts.exams_seen_by_student(other)) == []  # the draft is not published
    assert exams.may_sit(student, cast.exam) and not exams.may_sit(other, cast.exam)
