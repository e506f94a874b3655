"""The proctor's pages: their exams, an exam's sittings, the pending list, deciding."""

from __future__ import annotations

import pytest
from django.urls import reverse

from emtihan.attempts import services
from emtihan.attempts.models import Attempt, Decision
from emtihan.attempts.tests.conftest import MINUTE, NOW, assign_proctor, make_exam


@pytest.fixture
def pending(sitting):
    """42 minutes away, then finished: past the 20-minute cap, waiting for a decision."""
    sitting.beat(NOW + 43 * MINUTE)
    services.attempt_finish(
        attempt_id=sitting.attempt.pk, student_user=sitting.user, now=NOW + 44 * MINUTE
    )
    attempt = sitting.reload()
    assert attempt.decision == Decision.PENDING
    return attempt


def test_the_proctor_sees_the_pending_sittings_of_their_exams(client, exam_proctor, pending):
    client.force_login(exam_proctor)
    response = client.get(reverse("attempts:decisions"))
    assert response.status_code == 200
    assert [row.attempt for row in response.context["rows"]] == [pending]
    assert "Student One" in response.content.decode()


def test_a_proctor_of_nothing_sees_no_pending_sitting(client, proctor, pending):
    client.force_login(proctor)
    response = client.get(reverse("attempts:decisions"))
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Student One" not in response.content.decode()


def test_the_exam_page_shows_every_sitting_with_its_absence_in_minutes(
    client, exam_proctor, pending
):
    client.force_login(exam_proctor)
    response = client.get(reverse("attempts:exam_attempts", args=[pending.exam_id]))
    assert [row.attempt for row in response.context["rows"]] == [pending]
    page = response.content.decode()
    assert "42 minutes of 20 minutes" in page  # 2520 s of 1200 s, in the words people read
    assert " s of " not in page


def test_the_exam_page_of_an_exam_out_of_scope_is_not_found(client, proctor, pending):
    client.force_login(proctor)
    response = client.get(reverse("attempts:exam_attempts", args=[pending.exam_id]))
    assert response.status_code == 404


def test_a_sitting_in_progress_shows_its_time_left_and_no_decision_form(
    client, world, exam_proctor, live_exam
):
    assign_proctor(world, exam_proctor, exam=live_exam)
    attempt = services.attempt_start(student_user=world.student, exam_id=live_exam.pk)
    client.force_login(exam_proctor)
    response = client.get(reverse("attempts:exam_attempts", args=[live_exam.pk]))
    (row,) = response.context["rows"]
    assert row.attempt == attempt and not row.ended
    assert row.minutes_left in (90, 91)
    page = response.content.decode()
    assert f"{row.minutes_left} min" in page
    assert "Decide once the sitting has ended." in page
    assert reverse("attempts:decide", args=[attempt.pk]) not in page


def test_the_proctors_exams_page_lists_their_exams_with_counts(client, world, proctor, pending):
    other = make_exam(world, group=world.med_group, title="Anatomy final")
    assign_proctor(world, proctor, faculty=world.it_faculty)
    client.force_login(proctor)
    response = client.get(reverse("attempts:proctor_exams"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.exam, r.in_progress, r.ended, r.pending) for r in rows] == [(pending.exam, 0, 1, 1)]
    page = response.content.decode()
    assert reverse("attempts:exam_attempts", args=[pending.exam_id]) in page
    assert other.title not in page


def test_staff_proctor_every_exam(client, world, pending):
    client.force_login(world.registrar)
    rows = client.get(reverse("attempts:proctor_exams")).context["rows"]
    assert [r.exam for r in rows] == [pending.exam]


@pytest.mark.parametrize("who", ["student", "teacher", "head"])
def test_others_cannot_open_the_decision_pages(client, world, pending, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("attempts:decisions")).status_code == 403
    assert client.get(reverse("attempts:proctor_exams")).status_code == 403
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]), {"decision": "cancel", "reason": "x"}
    )
    assert response.status_code == 403
    assert Attempt.objects.get().decision == Decision.PENDING


def test_a_proctor_of_another_exam_cannot_decide(client, world, proctor, pending):
    assign_proctor(world, proctor, exam=make_exam(world, group=world.g2, title="Other group"))
    client.force_login(proctor)
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]), {"decision": "cancel", "reason": "x"}
    )
    assert response.status_code == 404
    assert Attempt.objects.get(pk=pending.pk).decision == Decision.PENDING


def test_deciding_from_the_page(client, exam_proctor, pending):
    client.force_login(exam_proctor)
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
        exam_proctor,
    )
    assert response.context["rows"] == []


def test_deciding_a_sitting_in_progress_says_why_not(client, world, exam_proctor, live_exam):
    assign_proctor(world, exam_proctor, exam=live_exam)
    attempt = services.attempt_start(student_user=world.student, exam_id=live_exam.pk)
    client.force_login(exam_proctor)
    response = client.post(
        reverse("attempts:decide", args=[attempt.pk]),
        {"decision": "cancel", "reason": "x", "confirmed": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert services.ERR_STILL_IN_PROGRESS in response.content.decode()
    assert Attempt.objects.get(pk=attempt.pk).decision == Decision.NONE


def test_a_decision_without_a_reason_is_refused_on_the_page(client, exam_proctor, pending):
    client.force_login(exam_proctor)
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]), {"decision": "cancel"}, follow=True
    )
    assert "Write the reason for this decision." in response.content.decode()
    assert Attempt.objects.get().decision == Decision.PENDING


def test_an_outside_next_url_is_ignored(client, exam_proctor, pending):
    client.force_login(exam_proctor)
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]),
        {"decision": "continue", "reason": "ok", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("attempts:decisions")


def test_cancelling_a_work_is_asked_again_first(client, exam_proctor, pending):
    client.force_login(exam_proctor)
    url = reverse("attempts:decide", args=[pending.pk])
    body = {"decision": "cancel", "reason": "Away 42 minutes", "next": "/sitting/decisions/"}
    response = client.post(url, body)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cancel the work of Student One in “Algebra final”?" in page
    assert 'name="reason" value="Away 42 minutes"' in page
    assert 'name="confirmed" value="yes"' in page
    assert Attempt.objects.get().decision == Decision.PENDING

    response = client.post(url, {**body, "confirmed": "yes"})
    assert response["Location"] == "/sitting/decisions/"
    assert Attempt.objects.get().decision == Decision.CANCEL


def test_accepting_a_work_needs_no_second_question(client, exam_proctor, pending):
    client.force_login(exam_proctor)
    client.post(
        reverse("attempts:decide", args=[pending.pk]), {"decision": "continue", "reason": "ok"}
    )
    assert Attempt.objects.get().decision == Decision.CONTINUE


def test_the_question_names_nobody_out_of_scope(client, proctor, pending):
    client.force_login(proctor)
    response = client.post(
        reverse("attempts:decide", args=[pending.pk]), {"decision": "cancel", "reason": "x"}
    )
    assert response.status_code == 404
    assert "Student One" not in response.content.decode()
