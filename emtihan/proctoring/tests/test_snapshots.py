"""Snapshots: the upload (bounded, rate-limited, one short transaction that enqueues)
and the analysis task's flags, on frames made from the real photos."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from emtihan.core.errors import DomainError, NotFoundError, ValidationFailed
from emtihan.proctoring import rules, services
from emtihan.proctoring.models import Flag, FlagKind, ProctoringSession, Snapshot

from .conftest import NOW, make_exam
from .media import empty, frame, two_faces, upload

SECOND = dt.timedelta(seconds=1)


def send(world, attempt, image, at, *, taken=None):
    return services.snapshot_upload(
        student_user=world.student,
        attempt_id=attempt.pk,
        file=upload(image),
        taken_at=taken or at,
        now=at,
    )


def series(world, attempt, images, *, start=NOW, every=20):
    """Send ``images`` one per ``every`` seconds from ``start``."""
    return [
        send(world, attempt, image, start + dt.timedelta(seconds=i * every))
        for i, image in enumerate(images)
    ]


def flags(attempt):
    return list(Flag.objects.filter(attempt=attempt).order_by("started_at"))


def test_a_clean_stretch_raises_no_flag(world, recorded_sitting, photo_on_file):
    photo_on_file("obama_2")
    _exam, attempt = recorded_sitting
    shots = series(world, attempt, [frame("obama_1")] * 6)
    for shot in shots:
        shot.refresh_from_db()
        assert shot.faces == 1 and shot.analysed_at is not None and shot.error == ""
    # The first and every 5th snapshot is compared with the photo on file.
    assert [s.identity_distance is not None for s in shots] == [1, 0, 0, 0, 0, 1]
    assert shots[0].identity_distance < 0.6
    assert flags(attempt) == []


def test_two_composed_portraits_flag_multiple_faces(world, recorded_sitting):
    _exam, attempt = recorded_sitting
    shots = series(world, attempt, [frame("obama_1"), two_faces(), frame("obama_1")])
    (flag,) = flags(attempt)
    assert flag.kind == FlagKind.MULTIPLE_FACES
    assert (flag.metric, flag.value, flag.threshold) == ("faces", 2.0, 2.0)
    assert flag.snapshot == shots[1]
    assert flag.started_at == flag.ended_at == shots[1].taken_at


def test_an_empty_frame_flags_absent_only_after_the_threshold(world, recorded_sitting):
    _exam, attempt = recorded_sitting
    face = frame("obama_1")
    # One empty snapshot (a glance away for a moment), then back: no flag.
    series(world, attempt, [face, empty(), face])
    assert flags(attempt) == []
    # Three in a row, 40 s from the first to the last (over the 30 s threshold): a flag.
    later = NOW + dt.timedelta(minutes=5)
    shots = series(world, attempt, [face, empty(), empty(), empty(), face], start=later)
    (flag,) = flags(attempt)
    assert flag.kind == FlagKind.ABSENT
    assert (flag.metric, flag.threshold) == ("seconds", rules.ABSENT_MIN_SECONDS)
    assert flag.value == 40.0
    assert flag.started_at == shots[1].taken_at and flag.ended_at == shots[3].taken_at
    assert flag.snapshot == shots[1]
    assert flag.observations == 3


def test_a_longer_absence_extends_one_flag(world, recorded_sitting):
    _exam, attempt = recorded_sitting
    shots = series(world, attempt, [empty()] * 8)
    (flag,) = flags(attempt)
    assert flag.kind == FlagKind.ABSENT
    assert flag.value == 140.0
    assert flag.observations == 8
    assert flag.ended_at == shots[-1].taken_at


def test_another_person_in_the_sampled_snapshot_flags_identity(
    world, recorded_sitting, photo_on_file
):
    photo_on_file("obama_1")
    _exam, attempt = recorded_sitting
    (shot,) = series(world, attempt, [frame("biden_1")])
    (flag,) = flags(attempt)
    assert flag.kind == FlagKind.IDENTITY_MISMATCH
    assert flag.metric == "distance" and flag.threshold == 0.6
    assert flag.value >= 0.6
    assert flag.snapshot == shot


def test_looking_away_is_measured_from_the_students_own_pose(world, recorded_sitting):
    from .media import turned

    exam, attempt = recorded_sitting
    session = ProctoringSession.objects.get(exam=exam)
    session.baseline_yaw, session.baseline_pitch = -4.0, -14.0
    session.save()
    series(world, attempt, [turned("obama_1", 60)] * 3)
    (flag,) = flags(attempt)
    assert flag.kind == FlagKind.LOOKING_AWAY
    assert (flag.metric, flag.value, flag.threshold) == ("seconds", 40.0, 30.0)


def test_the_upload_is_bounded(world, recorded_sitting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _exam, attempt = recorded_sitting

    def refused(file) -> dict:
        with pytest.raises(ValidationFailed) as caught:
            services.snapshot_upload(
                student_user=world.student, attempt_id=attempt.pk, file=file, taken_at=NOW, now=NOW
            )
        return caught.value.errors

    import numpy as np

    big = np.zeros((1000, 1400, 3), np.uint8)
    assert refused(upload(big)) == {"file": [rules.ERR_TOO_MANY_PIXELS]}
    assert refused(SimpleUploadedFile("a.jpg", b"GIF89a....")) == {"file": [rules.ERR_NOT_JPEG]}
    assert refused(SimpleUploadedFile("a.jpg", b"\xff\xd8\xff" + b"\0" * 10)) == {
        "file": [rules.ERR_NOT_JPEG]
    }
    assert refused(SimpleUploadedFile("a.jpg", b"\xff\xd8\xff" + b"\0" * 300_000)) == {
        "file": [rules.ERR_FILE_TOO_LARGE]
    }
    assert not Snapshot.objects.exists()


def test_the_rate_and_the_count_are_bounded(world, recorded_sitting):
    _exam, attempt = recorded_sitting
    send(world, attempt, frame("obama_1"), NOW)
    with pytest.raises(services.TooFrequent) as caught:
        send(world, attempt, frame("obama_1"), NOW + SECOND)
    assert caught.value.retry_after == 1
    send(world, attempt, frame("obama_1"), NOW + 2 * SECOND)  # an offline queue flushing
    # 90 minutes at 20 s: 270 * 1.5 = 405, plus 30.
    session = ProctoringSession.objects.get(attempt=attempt)
    assert services.uploads.snapshot_allowance(session, attempt) == 435
    ProctoringSession.objects.filter(pk=session.pk).update(snapshots_received=435)
    with pytest.raises(DomainError) as caught:
        send(world, attempt, frame("obama_1"), NOW + 10 * SECOND)
    assert caught.value.message == rules.ERR_LIMIT_REACHED
    assert Snapshot.objects.count() == 2


def test_times_stay_within_the_sitting(world, recorded_sitting):
    _exam, attempt = recorded_sitting
    shot = send(
        world, attempt, frame("obama_1"), NOW + 60 * SECOND, taken=NOW - dt.timedelta(days=1)
    )
    assert shot.taken_at == attempt.started_at
    shot = send(
        world, attempt, frame("obama_1"), NOW + 90 * SECOND, taken=NOW + dt.timedelta(days=1)
    )
    assert shot.taken_at == NOW + 90 * SECOND


def test_nothing_without_consent_after_the_sitting_or_for_others(world, other_student, consented):
    from emtihan.attempts import services as attempts

    exam = make_exam(world, proctoring="record")
    attempt = attempts.attempt_start(student_user=world.student, exam_id=exam.pk, now=NOW)
    with pytest.raises(DomainError) as caught:
        send(world, attempt, frame("obama_1"), NOW)
    assert caught.value.message == rules.ERR_CONSENT_FIRST
    consented(exam)
    with pytest.raises(NotFoundError):
        services.snapshot_upload(
            student_user=other_student,
            attempt_id=attempt.pk,
            file=upload(frame("obama_1")),
            taken_at=NOW,
            now=NOW,
        )
    late = attempt.deadline + dt.timedelta(minutes=rules.LATE_UPLOAD_MINUTES)
    send(world, attempt, frame("obama_1"), late)  # an offline queue, just in time
    with pytest.raises(services.SittingOver):
        send(world, attempt, frame("obama_1"), late + SECOND)


def test_an_exam_without_the_camera_records_nothing(world):
    from emtihan.attempts import services as attempts

    exam = make_exam(world)
    attempt = attempts.attempt_start(student_user=world.student, exam_id=exam.pk, now=NOW)
    with pytest.raises(DomainError) as caught:
        send(world, attempt, frame("obama_1"), NOW)
    assert caught.value.message == rules.ERR_PROCTORING_OFF


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_the_upload_only_enqueues_the_analysis(world, recorded_sitting):
    from django_tasks import default_task_backend

    default_task_backend.clear()
    _exam, attempt = recorded_sitting
    shot = send(world, attempt, frame("obama_1"), NOW)
    shot.refresh_from_db()
    assert shot.analysed_at is None and shot.faces is None
    (queued,) = default_task_backend.results
    assert queued.task.name == "analyse_snapshot"
    assert queued.args == [shot.pk]
