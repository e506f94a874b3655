"""Proctor and grader assignments: the registrar's service, page and the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from emtihan.accounts.models import Role
from emtihan.audit.models import AuditEntry
from emtihan.conftest import make_user
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.exams import assignments
from emtihan.exams.models import ExamGrader, ExamProctor
from emtihan.university.models import FacultyProctor

pytestmark = pytest.mark.django_db


@pytest.fixture
def proctor(world):
    return make_user("proctor@test.local", Role.PROCTOR, full_name="Pro Ctor")


@pytest.fixture
def grader(world):
    return make_user("grader@test.local", Role.GRADER, full_name="Gra Der")


def test_the_registrar_assigns_a_proctor_to_an_exam_and_to_a_faculty(world, exam, proctor):
    one = assignments.proctor_assign(actor=world.registrar, user=proctor, exam=exam)
    every = assignments.proctor_assign(
        actor=world.registrar, user=proctor, faculty=world.it_faculty
    )
    assert isinstance(one, ExamProctor) and one.created_by == world.registrar
    assert isinstance(every, FacultyProctor) and every.faculty == world.it_faculty
    entries = AuditEntry.objects.filter(action="assignments.proctor_add")
    assert [e.data for e in entries.order_by("seq")] == [
        {"user": proctor.email, "exam": exam.pk},
        {"user": proctor.email, "faculty": "IT"},
    ]


def test_a_grader_is_assigned_to_an_exam(world, exam, grader):
    assignment = assignments.grader_assign(actor=world.registrar, user=grader, exam=exam)
    assert list(ExamGrader.objects.all()) == [assignment]


@pytest.mark.parametrize("who", ["teacher", "head", "student", "outsider"])
def test_only_the_registrars_office_assigns(world, exam, proctor, who):
    with pytest.raises(PermissionDeniedError) as exc:
        assignments.proctor_assign(actor=getattr(world, who), user=proctor, exam=exam)
    assert exc.value.message == assignments.ERR_NOT_REGISTRAR
    assert not ExamProctor.objects.exists()


def test_the_person_needs_the_role(world, exam, proctor, grader):
    with pytest.raises(ValidationFailed) as exc:
        assignments.proctor_assign(actor=world.registrar, user=grader, exam=exam)
    assert exc.value.errors == {"user": [assignments.ERR_NOT_PROCTOR]}
    with pytest.raises(ValidationFailed) as exc:
        assignments.grader_assign(actor=world.registrar, user=proctor, exam=exam)
    assert exc.value.errors == {"user": [assignments.ERR_NOT_GRADER]}


def test_a_proctor_needs_one_scope(world, exam, proctor):
    with pytest.raises(ValidationFailed) as exc:
        assignments.proctor_assign(actor=world.registrar, user=proctor)
    assert exc.value.errors == {"__all__": [assignments.ERR_SCOPE_REQUIRED]}
    with pytest.raises(ValidationFailed) as exc:
        assignments.proctor_assign(
            actor=world.registrar, user=proctor, exam=exam, faculty=world.it_faculty
        )
    assert exc.value.errors == {"__all__": [assignments.ERR_SCOPE_BOTH]}


def test_assigning_twice_is_refused(world, exam, proctor):
    assignments.proctor_assign(actor=world.registrar, user=proctor, exam=exam)
    with pytest.raises(DomainError) as exc:
        assignments.proctor_assign(actor=world.registrar, user=proctor, exam=exam)
    assert exc.value.message == assignments.ERR_EXISTS
    assert ExamProctor.objects.count() == 1


def test_removing_an_assignment(world, exam, grader):
    assignment = assignments.grader_assign(actor=world.registrar, user=grader, exam=exam)
    assignments.assignment_remove(
        actor=world.registrar, kind=assignments.EXAM_GRADER, pk=assignment.pk
    )
    assert not ExamGrader.objects.exists()
    entry = AuditEntry.objects.get(action="assignments.remove")
    assert entry.data["kind"] == "exam-grader" and entry.data["user"] == grader.email
    with pytest.raises(DomainError) as exc:
        assignments.assignment_remove(
            actor=world.registrar, kind=assignments.EXAM_GRADER, pk=assignment.pk
        )
    assert exc.value.message == assignments.ERR_NOT_FOUND


# --- the registrar's page ------------------------------------------------------------------


def test_the_page_adds_a_proctor_for_a_faculty(client, world, proctor):
    client.force_login(world.registrar)
    response = client.post(
        reverse("exams:assignments"),
        {"form": "proctor", "proctor-user": proctor.pk, "proctor-faculty": world.it_faculty.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "The proctor was assigned." in response.content.decode()
    assert FacultyProctor.objects.get().user == proctor


def test_the_page_shows_the_services_refusal_beside_the_form(client, world, proctor):
    client.force_login(world.registrar)
    response = client.post(
        reverse("exams:assignments"), {"form": "proctor", "proctor-user": proctor.pk}
    )
    assert response.status_code == 200
    assert assignments.ERR_SCOPE_REQUIRED in response.content.decode()
    assert not FacultyProctor.objects.exists() and not ExamProctor.objects.exists()


def test_the_page_offers_only_people_with_the_role(client, world, exam, proctor, grader):
    client.force_login(world.registrar)
    response = client.post(
        reverse("exams:assignments"),
        {"form": "grader", "grader-user": proctor.pk, "grader-exam": exam.pk},
    )
    assert response.status_code == 200
    assert not ExamGrader.objects.exists()
    form = response.context["grader_form"]
    assert list(form.fields["user"].queryset) == [grader]


def test_removing_asks_first(client, world, exam, grader):
    assignment = assignments.grader_assign(actor=world.registrar, user=grader, exam=exam)
    url = reverse("exams:assignment_delete", args=[assignments.EXAM_GRADER, assignment.pk])
    client.force_login(world.registrar)
    page = client.get(url)
    assert page.status_code == 200 and "Remove the assignment?" in page.content.decode()
    assert ExamGrader.objects.exists()
    assert client.post(url).status_code == 200  # not confirmed: the question again
    assert ExamGrader.objects.exists()
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    assert not ExamGrader.objects.exists()
    assert client.get(url).status_code == 404


def test_an_unknown_kind_is_not_found(client, world):
    client.force_login(world.registrar)
    url = reverse("exams:assignment_delete", args=["teacher", 1])
    assert client.get(url).status_code == 404


# --- the admin -----------------------------------------------------------------------------


def test_the_admin_records_who_assigned(client, world, exam, proctor):
    admin = make_user("admin@test.local", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:exams_examproctor_add"), {"exam": exam.pk, "user": proctor.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ExamProctor.objects.get().created_by == admin


def test_the_admin_offers_only_proctors(client, world, exam, grader):
    admin = make_user("admin@test.local", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:exams_examproctor_add"), {"exam": exam.pk, "user": grader.pk}
    )
    assert response.status_code == 200  # the form again, with the error
    assert not ExamProctor.objects.exists()
