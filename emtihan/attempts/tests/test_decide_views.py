from __future__ import annotations

import pytest
from django.urls import reverse

from emtihan.attempts.models import Attempt, Decision
from emtihan.attempts.tests.conftest import MINUTE, NOW


@pytest.fixture
def pending(sitting):
    sitting.beat(NOW + 30 * MINUTE)
    assert sitting.reload().decision == Decision.PENDING
    return sitting.attempt


def test_the_proctor_sees_the_pending_sittings(client, proctor, pending):
    client.force_login(proctor)
    response = client.get(reverse("attempts:decisions"))
    assert response.status_code == 200
    assert list(response.context["attempts"]) == [pending]
    assert "Student One" in response.content.decode()


def test_the_exam_list_shows_every_sitting_with_its_absence(client, proctor, pending):
    client.force_login(proctor)
    response = client.get(reverse("attempts:exam_attempts", args=[pending.exam_id]))
    assert list(response.context["attempts"]) == [pending]
    assert f"{pending.absence_seconds} s of 1200 s" in response.content.decode()


@pytest.mark.parametrize("who", ["student", "teacher", "head"])
def test_others_cannot_open_the_decision_pages(client, world, pending, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("attempts:decisions")).status_code == 403
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]), {"decision": "cancel", "reason": "x"}
    )
    assert response.status_code == 403
    assert Attempt.objects.get().decision == Decision.PENDING


def test_deciding_from_the_page(client, proctor, pending):
    client.force_login(proctor)
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]),
        {"decision": "postpone", "reason": "Power cut", "next": "/sitting/decisions/"},
        follow=True,
    )
    assert response.status_code == 200
    attempt = Attempt.objects.get()
    assert (attempt.decision, attempt.decision_reason, attempt.decided_by) == (
        Decision.POSTPONE,
        "Power cut",
        proctor,
    )
    assert list(response.context["attempts"]) == []


def test_a_decision_without_a_reason_is_refused_on_the_page(client, proctor, pending):
    client.force_login(proctor)
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]), {"decision": "cancel"}, follow=True
    )
    assert "Write the reason for this decision." in response.content.decode()
    assert Attempt.objects.get().decision == Decision.PENDING


def test_an_outside_next_url_is_ignored(client, proctor, pending):
    client.force_login(proctor)
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]),
        {"decision": "continue", "reason": "ok", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("attempts:decisions")
