"""HotRead: a one-row ORM read compiled once per thread gives what ``.first()`` gives."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ImproperlyConfigured

from emtihan.accounts.models import User
from emtihan.core.hotreads import HotRead
from emtihan.university.models import Student

pytestmark = pytest.mark.django_db

built: list[int] = []


def students_of(user_id: int, group_id: int):
    built.append(user_id)
    return (
        Student.objects.select_related("group", "user")
        .only("id", "student_id", "group__code", "user__email")
        .filter(user_id=user_id, group_id=group_id)
    )


@pytest.fixture
def read() -> HotRead[Student]:
    built.clear()
    return HotRead("student", students_of, ("user_id", "group_id"))


def test_it_reads_what_the_orm_reads(read, world, django_assert_num_queries):
    student = world.student.student
    expected = students_of(world.student.pk, student.group_id).first()
    with django_assert_num_queries(1):  # the row and both related rows, in one query
        got = read.first(user_id=world.student.pk, group_id=student.group_id)
        assert got is not None
        assert (got.pk, got.student_id) == (expected.pk, expected.student_id)
        assert (got.group.code, got.user.email) == (expected.group.code, world.student.email)
        assert got._state.adding is False and got._state.db == "default"
    assert got.get_deferred_fields() == expected.get_deferred_fields()
    with django_assert_num_queries(1):  # a column it did not read loads on access
        assert got.group.year == world.g1.year


def test_it_finds_nothing_where_the_orm_finds_nothing(read, world):
    student = world.student.student
    assert read.first(user_id=world.outsider.pk, group_id=student.group_id) is None
    assert read.first(user_id=world.student.pk, group_id=world.med_group.pk) is None


def test_it_compiles_once_per_thread(read, world):
    student = world.student.student
    for _ in range(3):
        assert read.first(user_id=world.student.pk, group_id=student.group_id) is not None
    assert len(built) == 2  # the two compilations with stand-ins, then none
    mine = read._compiled("default")
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(read._compiled("default")))
    thread.start()
    thread.join()
    assert theirs and theirs[0] is not mine  # a compiler holds its thread's connection
    assert theirs[0].sql == mine.sql


def test_its_values_must_be_named(read):
    with pytest.raises(TypeError):
        read.first(user_id=1)


@pytest.mark.parametrize(
    "build",
    [
        # the SQL itself depends on the value
        lambda user_id: (
            User.objects.filter(pk__gt=0)
            if user_id < -7_300_000_000_050
            else User.objects.filter(pk__lt=0)
        ),
        # a parameter is computed from it
        lambda user_id: User.objects.filter(pk=user_id + 1),
        # the value is not used
        lambda user_id: User.objects.filter(pk=1),
    ],
)
def test_a_query_that_cannot_be_compiled_once_is_refused(build, db):
    with pytest.raises(ImproperlyConfigured):
        HotRead("bad", build, ("user_id",)).first(user_id=1)
