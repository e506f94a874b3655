"""Retention with time travel: the recordings go the exam's retention period after the
sitting's decision (docs/PROCTORING.md, "Retention"); the figures stay."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from emtihan.attempts import services as attempts
from emtihan.attempts.models import Attempt, Decision
from emtihan.audit.models import AuditEntry
from emtihan.proctoring import services
from emtihan.proctoring.models import (
    AudioClip,
    BrowserEvent,
    Flag,
    IdentityFrame,
    ProctoringSession,
    Snapshot,
)
from emtihan.proctoring.services import EventIn

from .conftest import NOW
from .media import empty, frame, upload
from .test_identity_check import run_check

DAY = dt.timedelta(days=1)


def recorded(world, exam, attempt, photo_on_file):
    """An identity check, snapshots (an absence flag), a keyframe and a clip."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .media import identity_frames, wav

    photo_on_file("obama_2")
    run_check(world, exam, identity_frames("obama_1"))
    for i, image in enumerate([empty()] * 3):
        services.snapshot_upload(
            student_user=world.student,
            attempt_id=attempt.pk,
            file=upload(image),
            taken_at=NOW + dt.timedelta(seconds=20 * i),
            now=NOW + dt.timedelta(seconds=20 * i),
        )
    services.detection_upload(
        student_user=world.student,
        attempt_id=attempt.pk,
        event=EventIn("phone", NOW),
        file=upload(frame("obama_1")),
        now=NOW + dt.timedelta(minutes=2),
    )
    services.clip_upload(
        student_user=world.student,
        attempt_id=attempt.pk,
        file=SimpleUploadedFile("c.wav", wav()),
        started_at=NOW,
        now=NOW + dt.timedelta(minutes=3),
    )


def stored_files() -> list[str]:
    names = [
        *Snapshot.objects.values_list("file", flat=True),
        *IdentityFrame.objects.values_list("file", flat=True),
        *AudioClip.objects.values_list("file", flat=True),
        *BrowserEvent.objects.exclude(keyframe="").values_list("keyframe", flat=True),
    ]
    assert names and all(default_storage.exists(n) for n in names)
    return names


def test_recordings_go_90_days_after_the_decision_and_the_figures_stay(
    world, recorded_sitting, photo_on_file, proctor, django_capture_on_commit_callbacks
):
    exam, attempt = recorded_sitting
    recorded(world, exam, attempt, photo_on_file)
    names = stored_files()
    session = ProctoringSession.objects.get(exam=exam)
    assert session.reference_embedding
    # The sitting ends, past its absence cap: a decision is pending, nothing goes.
    attempts.attempt_finish(attempt_id=attempt.pk, student_user=world.student, now=NOW + DAY)
    Attempt.objects.filter(pk=attempt.pk).update(decision=Decision.PENDING)
    assert services.proctoring_purge(now=NOW + 400 * DAY) == 0
    # Decided on day 10: due on day 100.
    decided = NOW + 10 * DAY
    Attempt.objects.filter(pk=attempt.pk).update(
        decision=Decision.CONTINUE, decided_at=decided, decided_by=world.registrar
    )
    assert (
        services.deletion_due(
            ProctoringSession.objects.select_related("attempt", "exam").get(pk=session.pk)
        )
        == decided + 90 * DAY
    )
    assert services.proctoring_purge(now=decided + 90 * DAY - dt.timedelta(seconds=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.proctoring_purge(now=decided + 90 * DAY) == 1
    assert not any(default_storage.exists(n) for n in names)
    assert not Snapshot.objects.exists() and not IdentityFrame.objects.exists()
    assert not AudioClip.objects.exists()
    assert not BrowserEvent.objects.exclude(keyframe="").exists()
    session.refresh_from_db()
    assert session.reference_embedding is None and session.baseline_yaw is None
    assert session.purged_at == decided + 90 * DAY
    # What stays: the flags' figures (evidence gone), the events, the check results.
    flag = Flag.objects.get(kind="absent")
    assert flag.value == 40.0 and flag.snapshot is None
    assert BrowserEvent.objects.filter(kind="phone").exists()
    assert session.identity_checks.get().reason == "passed"
    entry = AuditEntry.objects.get(action="proctoring.purge")
    assert entry.data["snapshots"] == 3 and entry.data["clips"] == 1
    # Running again purges nothing more.
    assert services.proctoring_purge(now=decided + 200 * DAY) == 0


def test_a_sitting_that_needed_no_decision_counts_from_its_end(world, recorded_sitting):
    exam, attempt = recorded_sitting
    services.snapshot_upload(
        student_user=world.student,
        attempt_id=attempt.pk,
        file=upload(frame("obama_1")),
        taken_at=NOW,
        now=NOW,
    )
    ended = NOW + dt.timedelta(seconds=50)  # within the grace: no absence, no decision
    attempts.attempt_finish(attempt_id=attempt.pk, student_user=world.student, now=ended)
    assert services.proctoring_purge(now=ended + 89 * DAY) == 0
    assert services.proctoring_purge(now=ended + 90 * DAY) == 1


def test_a_proposal_waiting_for_its_second_reviewer_holds_the_clock(
    world, recorded_sitting, proctor
):
    """The second reviewer decides from the recordings: they stay while a proposed
    cancel or postpone waits, and the clock starts at its confirmation."""
    from emtihan.attempts.models import ProposalStatus
    from emtihan.exams.models import ExamProctor

    exam, attempt = recorded_sitting
    services.snapshot_upload(
        student_user=world.student,
        attempt_id=attempt.pk,
        file=upload(frame("obama_1")),
        taken_at=NOW,
        now=NOW,
    )
    ended = NOW + dt.timedelta(seconds=50)  # no absence: no decision needed
    attempts.attempt_finish(attempt_id=attempt.pk, student_user=world.student, now=ended)
    ExamProctor.objects.create(exam=exam, user=proctor)
    proposal = attempts.attempt_decide(
        actor=proctor,
        attempt_id=attempt.pk,
        decision=Decision.CANCEL,
        category="another_person",
        comment="Two faces",
        now=ended + DAY,
    ).proposal
    assert proposal is not None and proposal.status == ProposalStatus.OPEN
    assert services.proctoring_purge(now=ended + 400 * DAY) == 0
    confirmed = ended + 401 * DAY
    attempts.attempt_proposal_review(
        actor=world.registrar, proposal_id=proposal.pk, action="confirm", now=confirmed
    )
    assert services.proctoring_purge(now=confirmed + 89 * DAY) == 0
    assert services.proctoring_purge(now=confirmed + 90 * DAY) == 1


def test_the_command_purges_with_the_exams_own_period(world, recorded_sitting):
    exam, attempt = recorded_sitting
    exam.proctoring_retention_days = 1
    exam.save()
    services.snapshot_upload(
        student_user=world.student,
        attempt_id=attempt.pk,
        file=upload(frame("obama_1")),
        taken_at=NOW,
        now=NOW,
    )
    two_days_ago = timezone.now() - 2 * DAY
    Attempt.objects.filter(pk=attempt.pk).update(
        status="finished", finished_at=NOW, decision=Decision.CANCEL, decided_at=two_days_ago
    )
    out = StringIO()
    call_command("proctoring_purge", stdout=out)  # the real clock
    assert out.getvalue().strip() == "1 proctoring session(s) purged"
    assert not Snapshot.objects.exists()
