"""Browser events, detections with keyframes and voice clips: stored, then turned into
flags by the documented rules (docs/PROCTORING.md, "Flags")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from emtihan.core.errors import DomainError, ValidationFailed
from emtihan.proctoring import rules, services
from emtihan.proctoring.models import AudioClip, BrowserEvent, Flag, FlagKind
from emtihan.proctoring.services import EventIn

from .conftest import NOW
from .media import frame, upload, wav

SECOND = dt.timedelta(seconds=1)


def record(world, attempt, *events, at=NOW):
    return services.events_record(
        student_user=world.student, attempt_id=attempt.pk, events=list(events), now=at
    )


def flags(attempt):
    return {f.kind: f for f in Flag.objects.filter(attempt=attempt)}


def test_short_absences_from_the_tab_are_kept_without_a_flag(world, recorded_sitting):
    _exam, attempt = recorded_sitting
    at = NOW + 60 * SECOND
    record(
        world,
        attempt,
        EventIn("tab_hidden", NOW, 2000),
        EventIn("window_blur", NOW + SECOND, 4999),
        EventIn("offline", NOW + 2 * SECOND, 29_000),
        at=at,
    )
    assert BrowserEvent.objects.filter(attempt=attempt, processed=True).count() == 3
    assert flags(attempt) == {}


def test_each_rule_raises_its_flag_with_metric_and_threshold(world, recorded_sitting):
    _exam, attempt = recorded_sitting
    record(
        world,
        attempt,
        EventIn("tab_hidden", NOW, 8000),
        EventIn("offline", NOW + 10 * SECOND, 45_000),
        EventIn("fullscreen_exit", NOW + 20 * SECOND),
        EventIn("paste_outside", NOW + 21 * SECOND, detail={"length": 420}),
        EventIn("second_screen", NOW + 22 * SECOND),
        EventIn("phone", NOW + 23 * SECOND),
        at=NOW + 90 * SECOND,
    )
    found = flags(attempt)
    assert set(found) == {
        FlagKind.TAB_HIDDEN,
        FlagKind.OFFLINE,
        FlagKind.FULLSCREEN_EXIT,
        FlagKind.PASTE_OUTSIDE,
        FlagKind.SECOND_SCREEN,
        FlagKind.PHONE,
    }
    tab = found[FlagKind.TAB_HIDDEN]
    assert (tab.metric, tab.value, tab.threshold) == ("seconds", 8.0, 5.0)
    assert tab.ended_at - tab.started_at == 8 * SECOND
    offline = found[FlagKind.OFFLINE]
    assert (offline.metric, offline.value, offline.threshold) == ("seconds", 45.0, 30.0)
    paste = found[FlagKind.PASTE_OUTSIDE]
    assert (paste.metric, paste.value, paste.threshold) == ("count", 1.0, 1.0)
    assert paste.event.detail == {"length": 420}


def test_repeats_within_a_minute_extend_one_flag(world, recorded_sitting):
    _exam, attempt = recorded_sitting
    record(world, attempt, EventIn("tab_hidden", NOW, 6000), at=NOW + 10 * SECOND)
    record(world, attempt, EventIn("tab_hidden", NOW + 40 * SECOND, 7000), at=NOW + 50 * SECOND)
    record(world, attempt, EventIn("tab_hidden", NOW + 300 * SECOND, 9000), at=NOW + 310 * SECOND)
    tabs = list(Flag.objects.filter(attempt=attempt).order_by("started_at"))
    assert [(f.observations, f.value) for f in tabs] == [(2, 13.0), (1, 9.0)]


def test_events_are_checked(world, recorded_sitting):
    _exam, attempt = recorded_sitting

    def refused(*events) -> list[str]:
        with pytest.raises(ValidationFailed) as caught:
            record(world, attempt, *events)
        return caught.value.errors["events"]

    assert refused() == [rules.ERR_EVENTS_EMPTY]
    assert refused(*[EventIn("tab_hidden", NOW)] * 51) == [rules.ERR_EVENTS_EMPTY]
    assert refused(EventIn("coffee", NOW)) == [rules.ERR_EVENT_KIND]
    assert refused(EventIn("offline", NOW, -1)) == [rules.ERR_EVENT_DURATION]
    assert refused(EventIn("offline", NOW, detail={"x": "y" * 2000})) == [rules.ERR_EVENT_DETAIL]
    assert not BrowserEvent.objects.exists()


def test_the_events_of_a_sitting_are_bounded(world, recorded_sitting):
    from emtihan.proctoring.models import ProctoringSession

    exam, attempt = recorded_sitting
    record(world, attempt, EventIn("fullscreen_exit", NOW))
    ProctoringSession.objects.filter(exam=exam).update(events_received=rules.EVENTS_PER_SITTING - 1)
    record(world, attempt, EventIn("fullscreen_exit", NOW))
    with pytest.raises(DomainError) as caught:
        record(world, attempt, EventIn("fullscreen_exit", NOW))
    assert caught.value.message == rules.ERR_LIMIT_REACHED


def test_a_detection_keeps_its_keyframe_as_the_flags_evidence(world, recorded_sitting):
    _exam, attempt = recorded_sitting
    event = services.detection_upload(
        student_user=world.student,
        attempt_id=attempt.pk,
        event=EventIn("multiple_faces", NOW, 3000, {"faces": 2}),
        file=upload(frame("obama_1")),
        now=NOW + SECOND,
    )
    assert event.keyframe.name.startswith("proctoring/")
    flag = flags(attempt)[FlagKind.BROWSER_MULTIPLE_FACES]
    assert flag.event == event
    with pytest.raises(ValidationFailed):
        services.detection_upload(
            student_user=world.student,
            attempt_id=attempt.pk,
            event=EventIn("tab_hidden", NOW),
            file=upload(frame("obama_1")),
            now=NOW,
        )


def test_speech_in_a_clip_is_confirmed_by_the_servers_vad(world, recorded_sitting):
    _exam, attempt = recorded_sitting
    clip = services.clip_upload(
        student_user=world.student,
        attempt_id=attempt.pk,
        file=SimpleUploadedFile("c.wav", wav(), content_type="audio/wav"),
        started_at=NOW,
        now=NOW + 5 * SECOND,
    )
    clip.refresh_from_db()
    assert clip.analysed_at is not None
    assert 1.2 < clip.speech_seconds < 2.2  # the 1.8 s sentence
    assert clip.segments and clip.segments[0][0] == pytest.approx(0.5, abs=0.25)
    flag = flags(attempt)[FlagKind.SPEECH]
    assert (flag.metric, flag.threshold) == ("speech_seconds", 1.0)
    assert flag.clip == clip


def test_a_clip_of_silence_raises_no_flag(world, recorded_sitting):
    _exam, attempt = recorded_sitting
    clip = services.clip_upload(
        student_user=world.student,
        attempt_id=attempt.pk,
        file=SimpleUploadedFile("c.wav", wav(speech=False)),
        started_at=NOW,
        now=NOW,
    )
    clip.refresh_from_db()
    assert clip.speech_seconds == 0
    assert flags(attempt) == {}


def test_clips_are_checked_and_bounded(world, recorded_sitting):
    import io
    import wave

    _exam, attempt = recorded_sitting

    def send(data, at=NOW):
        return services.clip_upload(
            student_user=world.student,
            attempt_id=attempt.pk,
            file=SimpleUploadedFile("c.wav", data),
            started_at=NOW,
            now=at,
        )

    def wav_of(rate=16000, channels=1, seconds=1.0):
        out = io.BytesIO()
        with wave.open(out, "wb") as clip:
            clip.setnchannels(channels)
            clip.setsampwidth(2)
            clip.setframerate(rate)
            clip.writeframes(b"\0\0" * int(rate * channels * seconds))
        return out.getvalue()

    for bad in (b"RIFF....WAVEjunk", wav_of(rate=44100), wav_of(channels=2)):
        with pytest.raises(ValidationFailed) as caught:
            send(bad)
        assert caught.value.errors == {"file": [rules.ERR_CLIP_FORMAT]}
    with pytest.raises(ValidationFailed) as caught:
        send(wav_of(seconds=31))
    assert caught.value.errors == {"file": [rules.ERR_CLIP_TOO_LONG]}
    send(wav_of())
    with pytest.raises(services.TooFrequent):
        send(wav_of(), at=NOW + SECOND)
    assert AudioClip.objects.count() == 1
