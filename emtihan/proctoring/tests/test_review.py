"""An attempt's review page: the timeline of flags and events with their pictures and the
metric and threshold behind each flag, the attention plot drawn on the server, the
identity checks beside the photo on file, and the manual identity decision."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from emtihan.accounts.models import Role
from emtihan.audit.models import AuditEntry
from emtihan.conftest import make_user
from emtihan.exams.models import ExamGrader, ExamProctor
from emtihan.proctoring import services
from emtihan.proctoring.models import IdentityStatus, ProctoringSession, Snapshot
from emtihan.proctoring.review import attention_svg

from .conftest import NOW, make_exam
from .media import empty, frame, upload


@pytest.fixture
def recorded(world, recorded_sitting, proctor):
    """One face, then three empty snapshots 20 s apart (an absence flag); the proctor is
    assigned to the exam."""
    exam, attempt = recorded_sitting
    for i, image in enumerate([frame("obama_1"), empty(), empty(), empty()]):
        at = NOW + dt.timedelta(seconds=20 * i)
        services.snapshot_upload(
            student_user=world.student,
            attempt_id=attempt.pk,
            file=upload(image),
            taken_at=at,
            now=at,
        )
    ExamProctor.objects.create(exam=exam, user=proctor)
    return exam, attempt


def test_the_proctor_reads_the_timeline_with_metric_threshold_and_picture(
    client, world, recorded, proctor
):
    _exam, attempt = recorded
    client.force_login(proctor)
    page = client.get(reverse("proctoring:review", args=[attempt.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nobody in front of the camera" in html
    assert re.search(r"seconds: \d+ \(threshold 30, \d observations\)", html)
    flagged = [e for e in page.context["timeline"] if e.kind == "flag"]
    assert flagged and flagged[0].picture.startswith("/proctoring/media/snapshot/")
    # The picture opens for the proctor through the media door.
    assert client.get(flagged[0].picture).status_code == 200
    # The attention plot: one bar per analysed snapshot, the head-turn line.
    assert html.count('<svg class="attention-plot"') == 1
    assert len(re.findall(r"<rect [^>]*fill=\"#c62828\"", html)) == 3  # no face
    assert len(re.findall(r"<rect [^>]*fill=\"#2e7d32\"", html)) == 1  # one face
    assert "<script" not in html.split("<main", 1)[1]


def test_the_attention_plot_is_numbers_and_escaped_labels():
    start = NOW
    snaps = [
        Snapshot(taken_at=start + dt.timedelta(minutes=m), faces=f, yaw=y)
        for m, f, y in [(0, 1, 2.0), (5, 2, 40.0), (10, 0, None)]
    ]
    svg = attention_svg(snaps, start=start, end=start + dt.timedelta(minutes=10), baseline_yaw=2)
    assert svg.count("<rect ") == 3
    points = re.search(r'<polyline points="([^"]+)"', svg).group(1).split()
    assert len(points) == 2  # the snapshot without a face has no head pose
    # 0 degrees from the straight pose sits on the axis, 38 degrees above the threshold line.
    assert points[0] == "36.0,164.0"
    assert "looking away: 35°" in svg
    assert "0 min" in svg and "10 min" in svg


def test_the_identity_frames_sit_beside_the_photo_on_file_and_a_proctor_decides(
    client, world, recorded, proctor, photo_on_file
):
    exam, attempt = recorded
    photo_on_file("obama_1")
    session = ProctoringSession.objects.get(attempt=attempt)
    ProctoringSession.objects.filter(pk=session.pk).update(identity_status=IdentityStatus.MANUAL)
    client.force_login(proctor)
    html = client.get(reverse("proctoring:review", args=[attempt.pk])).content.decode()
    photo = reverse("proctoring:media", args=["photo", session.pk])
    assert f'src="{photo}"' in html
    assert client.get(photo).status_code == 200
    assert 'id="identity-decision"' in html

    url = reverse("proctoring:identity_decision", args=[attempt.pk])
    refused = client.post(url, {"decision": "approve", "reason": "  "}, follow=True)
    assert "reason" in refused.content.decode().lower()
    assert ProctoringSession.objects.get(pk=session.pk).identity_status == IdentityStatus.MANUAL

    done = client.post(url, {"decision": "approve", "reason": "Student card shown"}, follow=True)
    assert "Identity decision recorded: Approved by a proctor." in done.content.decode()
    session.refresh_from_db()
    assert session.identity_status == IdentityStatus.APPROVED
    assert session.identity_decided_by == proctor
    assert AuditEntry.objects.filter(action="proctoring.identity_approve").count() == 1
    assert 'id="identity-decision"' not in done.content.decode()


def test_graders_and_others_never_open_a_review(
    client, world, recorded, grader, other_student, photo_on_file
):
    exam, attempt = recorded
    photo_on_file("obama_1")
    session = ProctoringSession.objects.get(attempt=attempt)
    ProctoringSession.objects.filter(pk=session.pk).update(identity_status=IdentityStatus.MANUAL)
    ExamGrader.objects.create(exam=exam, user=grader)
    other_proctor = make_user("proctor2@test.local", Role.PROCTOR, full_name="Other Proctor")
    ExamProctor.objects.create(exam=make_exam(world), user=other_proctor)
    gets = [
        reverse("proctoring:review", args=[attempt.pk]),
        reverse("proctoring:media", args=["photo", session.pk]),
    ]
    post = reverse("proctoring:identity_decision", args=[attempt.pk])
    for person in (grader, world.teacher, other_student, world.student, other_proctor):
        client.force_login(person)
        for url in gets:
            assert client.get(url).status_code in (403, 404), (person, url)
        assert client.post(post, {"decision": "approve", "reason": "x"}).status_code in (403, 404)
    assert ProctoringSession.objects.get(pk=session.pk).identity_status == IdentityStatus.MANUAL
