"""The admin: people log in by e-mail, API tokens are shown once, every page opens."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from emtihan.accounts.models import ApiToken, Role, User
from emtihan.audit.services import audit_record
from emtihan.examforms.models import ChoiceStatus, ExamFormChoice

KEY_IN_MESSAGE = re.compile(r"is: (emt_\S+)\. Copy it now")


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser(email="admin@test.local", password="admin-2026")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def one_of_each(world):
    """At least one row of every model the admin shows."""
    choice = ExamFormChoice.objects.create(
        discipline=world.algebra, group=world.g1, period=world.period, platform="UNIVER",
        form="ORAL", additional_info="Zoom", status=ChoiceStatus.SUBMITTED,
        updated_by=world.teacher,
    )  # fmt: skip
    choice.record_transition(
        from_status=ChoiceStatus.DRAFT, to_status=ChoiceStatus.SUBMITTED, actor=world.teacher
    )
    ApiToken.issue(user=world.teacher, name="sync")
    audit_record(actor=world.teacher, action="examforms.submit", obj=choice, data={"a": 1})
    return world


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# --- every page ------------------------------------------------------------------------

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[m._meta.label for m, _a in REGISTERED]
)
def test_every_admin_page_opens(admin_client, one_of_each, model, model_admin, rf, superuser):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "a"}).status_code == 200

    request = rf.get("/")
    request.user = superuser
    if model_admin.has_add_permission(request):
        assert admin_client.get(admin_url(model, "add")).status_code == 200
    obj = model_admin.get_queryset(request).first()
    if obj is not None:
        assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_staff_without_permissions_sees_no_models(client, world):
    client.force_login(world.registrar)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "API tokens" not in response.text


# --- users -----------------------------------------------------------------------------


def test_a_user_is_added_with_an_e_mail_and_a_password(admin_client, db):
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "New.Person@Test.Local",
            "full_name": "New Person",
            "password1": "a-good-password-26",
            "password2": "a-good-password-26",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(full_name="New Person")
    assert user.email == "new.person@test.local"
    assert user.check_password("a-good-password-26")
    assert not user.is_staff


def test_an_e_mail_differing_only_in_case_is_refused(admin_client, world):
    response = admin_client.post(
        admin_url(User, "add"),
        {"email": "TEACHER@test.local", "password1": "a-good-password-26",
         "password2": "a-good-password-26"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="teacher@test.local").count() == 1


def test_mismatched_passwords_are_refused(admin_client, db):
    response = admin_client.post(
        admin_url(User, "add"),
        {"email": "x@test.local", "password1": "a-good-password-26", "password2": "other-26"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="x@test.local").exists()


def test_a_user_is_changed_with_roles_and_language(admin_client, world):
    user = world.outsider
    teacher_group = world.teacher.groups.get(name=Role.TEACHER)

    response = admin_client.post(
        admin_url(User, "change", user.pk),
        {
            "email": user.email,
            "full_name": "Out Sider",
            "language": "ru",
            "is_active": "on",
            "must_change_password": "on",
            "groups": [teacher_group.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.language == "ru"
    assert user.must_change_password
    assert user.has_role(Role.TEACHER)


def test_the_user_list_is_searchable_and_shows_roles(admin_client, world):
    response = admin_client.get(admin_url(User, "changelist"), {"q": "Teacher One"})

    assert response.status_code == 200
    assert "teacher@test.local" in response.text
    assert "student1@test.local" not in response.text
    assert '<td class="field-roles">teacher</td>' in response.text


# --- API tokens --------------------------------------------------------------------


def test_issuing_a_token_shows_the_key_once(admin_client, world):
    response = admin_client.post(
        admin_url(ApiToken, "add"), {"user": world.teacher.pk, "name": "timetable"}, follow=True
    )

    assert response.status_code == 200
    token = ApiToken.objects.get(name="timetable")
    assert token.user == world.teacher
    keys = KEY_IN_MESSAGE.findall(response.text)
    assert len(keys) == 1
    key = keys[0]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]

    # The key works, and no page shows it again.
    api = admin_client.get("/api/v1/exam-forms/my-rows", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 200
    assert key not in admin_client.get(admin_url(ApiToken, "change", token.pk)).text
    assert key not in admin_client.get(admin_url(ApiToken, "changelist")).text


def test_a_token_is_renamed_but_keeps_its_user_and_hash(admin_client, world):
    token, _key = ApiToken.issue(user=world.teacher, name="old name")

    response = admin_client.post(
        admin_url(ApiToken, "change", token.pk), {"user": world.outsider.pk, "name": "new name"}
    )

    assert response.status_code == 302
    renamed = ApiToken.objects.get(pk=token.pk)
    assert renamed.name == "new name"
    assert renamed.user == world.teacher
    assert renamed.key_hash == token.key_hash
