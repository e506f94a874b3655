"""The audit log in the admin can be read and searched, never added to, changed or deleted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from emtihan.accounts.models import User
from emtihan.audit.models import AuditEntry
from emtihan.audit.services import audit_record, audit_verify

CHANGELIST = reverse("admin:audit_auditentry_changelist")


@pytest.fixture
def admin_client(client, db):
    client.force_login(
        User.objects.create_superuser(email="admin@test.local", password="admin-2026")
    )
    return client


@pytest.fixture
def entries(world):
    return [
        audit_record(actor=world.teacher, action="examforms.submit", obj=world.algebra,
                     data={"revision": 2, "note": "<b>bold</b>"}),
        audit_record(actor=world.head, action="examforms.approve", obj=world.algebra),
        audit_record(actor=None, action="registry.import", object_type="university.importjob",
                     object_id="90417"),
    ]  # fmt: skip


def change_url(entry: AuditEntry) -> str:
    return reverse("admin:audit_auditentry_change", args=[entry.pk])


def test_the_list_shows_entries_newest_first(admin_client, entries):
    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    listed = [e.seq for e in response.context["cl"].result_list]
    assert listed == [3, 2, 1]
    assert "university.importjob:90417" in response.text


def test_the_list_filters_by_action(admin_client, entries):
    response = admin_client.get(CHANGELIST, {"action": "examforms.approve"})
    assert [e.seq for e in response.context["cl"].result_list] == [2]


def test_the_list_searches_actor_and_object(admin_client, entries):
    by_actor = admin_client.get(CHANGELIST, {"q": "head@test.local"})
    assert [e.seq for e in by_actor.context["cl"].result_list] == [2]

    by_object = admin_client.get(CHANGELIST, {"q": "90417"})
    assert [e.seq for e in by_object.context["cl"].result_list] == [3]


def test_an_entry_opens_read_only(admin_client, entries):
    response = admin_client.get(change_url(entries[0]))

    assert response.status_code == 200
    assert 'name="_save"' not in response.text
    assert "&lt;b&gt;bold&lt;/b&gt;" in response.text  # data is shown, escaped
    assert entries[0].hash in response.text


def test_nothing_can_be_added(admin_client, entries):
    assert admin_client.get(reverse("admin:audit_auditentry_add")).status_code == 403


def test_nothing_can_be_changed(admin_client, entries):
    entry = entries[0]

    admin_client.post(change_url(entry), {"action": "forged", "data": "{}"})

    assert AuditEntry.objects.get(pk=entry.pk).action == "examforms.submit"
    assert audit_verify().ok


def test_nothing_can_be_deleted(admin_client, entries):
    entry = entries[0]
    delete_url = reverse("admin:audit_auditentry_delete", args=[entry.pk])

    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = admin_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )

    assert bulk.status_code in (200, 302)
    assert AuditEntry.objects.count() == 3
    assert audit_verify().ok
