"""Proctoring during the sitting, in Chromium with a fake camera and microphone
(fakecam.py): the exam page's proctoring chunk (frontend/src/proctoring/) takes snapshots,
the server analyses them (the tasks backend is immediate in the tests: the analysis runs
in the upload's request) and raises flags; browser events, the offline queue and voice
clips arrive as rows.

Test-only speed-ups, both documented in docs/PROCTORING.md: the exam's snapshot interval
is set to 3 s directly in the database (the exam form allows 10-120 s), and the two
30-s duration rules (absent, looking away) are shortened to 6 s in ``flagging`` (a
module constant, read at each analysis; the live server runs in this process). The
other rules are the production ones.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from emtihan.attempts import services as attempts
from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import login
from emtihan.exams.models import Exam, ProctoringLevel
from emtihan.proctoring import flagging, services
from emtihan.proctoring.models import AudioClip, BrowserEvent, Flag, Snapshot

from .conftest import make_exam
from .fakecam import fake_media_browser, read_wav, silence, write_wav, write_y4m
from .media import SPEECH, empty, frame, turned, two_faces

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTERVAL = 3  # seconds between snapshots in these tests (the exam form's minimum is 10)
RUN_SECONDS = 6  # the absent / looking-away duration rules, shortened from 30 s


def _sitting(world, level=ProctoringLevel.RECORD, interval=INTERVAL):
    now = timezone.now()
    exam = make_exam(world, opens_at=now - dt.timedelta(minutes=30), proctoring=level)
    Exam.objects.filter(pk=exam.pk).update(snapshot_interval_seconds=interval)
    exam.refresh_from_db()
    paragraphs = services.consent_paragraphs(exam, "en")
    services.consent_give(
        student_user=world.student,
        exam_id=exam.pk,
        version=services.consent_version(paragraphs),
        language="en",
    )
    return attempts.attempt_start(student_user=world.student, exam_id=exam.pk)


def _wait(read: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = db(read)
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"waited {seconds} s for {what}")


def _open(browser, live_server, world, attempt, **context):
    ctx = browser.new_context(base_url=live_server.url, **context)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    login(page, world.student.email, "100001")
    page.goto(f"/sitting/{attempt.pk}/")
    page.get_by_test_id("proctoring-indicator").get_by_text(
        "Proctoring on: camera and microphone"
    ).wait_for()
    return ctx, page


def test_a_scripted_video_raises_exactly_its_flags(world, live_server, tmp_path, monkeypatch):
    monkeypatch.setattr(flagging, "ABSENT_MIN_SECONDS", RUN_SECONDS)
    monkeypatch.setattr(flagging, "LOOKING_AWAY_MIN_SECONDS", RUN_SECONDS)
    student = frame("astronaut")
    # Chromium loops the file; the last stretch (the student again) is longer than the
    # time the test still looks after the turn, so the loop never starts again.
    script = [
        (student, 9),
        (empty(), 12),  # absent: 4 snapshots over 9 s
        (student, 9),
        (two_faces("astronaut", "obama_1"), 6),
        (student, 9),
        (turned("astronaut", -60), 12),  # looking away: yaw about -45 (media.py)
        (student, 60),
    ]
    video = tmp_path / "script.y4m"
    write_y4m(video, script, fps=2)
    attempt = _sitting(world)
    with fake_media_browser(video) as browser:
        ctx, page = _open(browser, live_server, world, attempt)
        started = time.monotonic()
        _wait(
            lambda: Flag.objects.filter(attempt=attempt, kind="looking_away").exists(),
            90,
            "the looking-away flag",
        )

        # Two more snapshots of the clean stretch after the turn.
        def straight_again() -> bool:
            last = Snapshot.objects.filter(attempt=attempt).order_by("-taken_at")[:2]
            return len(last) == 2 and all(
                s.faces == 1 and s.yaw is not None and abs(s.yaw) < 20 for s in last
            )

        _wait(straight_again, 20, "the clean stretch after the turn")
        elapsed = time.monotonic() - started
        ctx.close()
    assert elapsed < 80, "the script took longer than its first pass: the loop started again"
    every_flag = db(lambda: list(Flag.objects.filter(attempt=attempt).order_by("started_at")))
    # The face worker in the page watched the same camera between snapshots: the two
    # faces (6 s) were seen by it too (2 readings, about 2 s, are enough), sent with a
    # keyframe when the stretch ended; the absence and the turn (12 s each) are under the
    # browser's 30 s (docs/PROCTORING.md, "Browser-side face analysis").
    browser = [f for f in every_flag if f.kind.startswith("browser_")]
    assert [f.kind for f in browser] == ["browser_multiple_faces"], [
        (f.kind, f.started_at) for f in browser
    ]
    detection = db(lambda: BrowserEvent.objects.get(attempt=attempt, kind="multiple_faces"))
    assert detection.keyframe and detection.detail["max_faces"] == 2, detection.detail
    assert 1000 <= detection.duration_ms <= 9000, detection.duration_ms
    flags = [f for f in every_flag if not f.kind.startswith("browser_")]
    assert [f.kind for f in flags] == ["absent", "multiple_faces", "looking_away"], [
        (f.kind, f.metric, f.value) for f in flags
    ]
    # The browser's stretch is the snapshots' two-face stretch.
    assert abs((detection.at - flags[1].started_at).total_seconds()) < INTERVAL + 2
    absent, multiple, away = flags
    assert absent.value >= RUN_SECONDS and absent.observations >= 3
    assert multiple.value == 2
    assert away.value >= RUN_SECONDS
    # The clean stretches are clean: every snapshot before the first flag, between the
    # flags and after the last shows one face looking straight.
    snapshots = db(lambda: list(Snapshot.objects.filter(attempt=attempt).order_by("taken_at")))
    assert all(s.analysed_at is not None and not s.error for s in snapshots)
    flagged = [(f.started_at, f.ended_at) for f in flags]
    for s in snapshots:
        if any(a <= s.taken_at <= b for a, b in flagged):
            continue
        assert s.faces in (0, 1, 2), s.faces
        if s.faces == 1:
            assert s.yaw is not None and abs(s.yaw) < 35, (s.taken_at, s.yaw)
    counts = [s.faces for s in snapshots]
    assert counts[0] == 1 and counts[-1] == 1
    # What the browser sends: 640x480 JPEGs of at most about 40 KB.
    assert all((s.width, s.height) == (640, 480) for s in snapshots)
    assert max(s.size for s in snapshots) <= 48 * 1024, [s.size for s in snapshots]


def _still(tmp_path, name="astronaut"):
    video = tmp_path / "still.y4m"
    write_y4m(video, [(frame(name), 2)], fps=2)
    return video


def test_browser_events_arrive_as_rows(world, live_server, tmp_path):
    attempt = _sitting(world, interval=20)
    with fake_media_browser(_still(tmp_path)) as browser:
        ctx, page = _open(browser, live_server, world, attempt)
        # Headless Chromium never hides a tab nor moves the focus away (another tab in
        # front, a minimised window: the page stays visible and focused), so the browser's
        # side of a hidden tab and a window behind another is played in the page: the
        # document reports "hidden" and the events fire; the page's own listeners run.
        page.evaluate(
            """() => {
                Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
                Object.defineProperty(document, "visibilityState",
                    {configurable: true, get: () => "hidden"});
                document.dispatchEvent(new Event("visibilitychange"));
                window.dispatchEvent(new Event("blur"));
            }"""
        )
        time.sleep(2)
        page.evaluate(
            """() => {
                delete document.hidden;
                delete document.visibilityState;
                document.dispatchEvent(new Event("visibilitychange"));
                window.dispatchEvent(new Event("focus"));
                window.dispatchEvent(new Event("blur"));
            }"""
        )
        time.sleep(1.5)
        page.evaluate('() => window.dispatchEvent(new Event("focus"))')
        # Text copied outside the exam page, pasted into an answer: its length is sent.
        # Headless Chromium has no system clipboard for Control+V, so the paste is the
        # event a paste fires, with the text in its clipboardData (what the page reads).
        section = page.locator(".kind-short")
        page.locator(f'.nav-btn[aria-controls="{section.get_attribute("id")}"]').click()
        answer = section.get_by_label("Your answer", exact=True)
        answer.focus()
        paste = """(text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            document.activeElement.dispatchEvent(new ClipboardEvent("paste",
                {clipboardData: data, bubbles: true, cancelable: true}));
        }"""
        page.evaluate(paste, "copied from elsewhere")
        # Copied inside the exam page (a real Control+C on the selected answer) and
        # pasted back: not reported.
        answer.fill("my own words")
        answer.select_text()
        page.keyboard.press("Control+C")
        page.evaluate(paste, "my own words")
        # Full screen, then out of it (Playwright's evaluate carries a user gesture). Each
        # step waits for its `fullscreenchange` event, not only for the state: entering
        # and leaving within one frame fires both events after the exit, and the page
        # (its listener runs first) never sees a full screen to leave, as no person could.
        change = """(enter) => new Promise((resolve) => {
            document.addEventListener("fullscreenchange", resolve, {once: true});
            if (enter) document.documentElement.requestFullscreen();
            else document.exitFullscreen();
        })"""
        page.evaluate(change, True)
        assert page.evaluate("() => document.fullscreenElement !== null")
        page.evaluate(change, False)
        assert page.evaluate("() => document.fullscreenElement === null")
        # An offline spell of two seconds.
        ctx.set_offline(True)
        time.sleep(2)
        ctx.set_offline(False)
        rows = _wait(
            lambda: (
                list(BrowserEvent.objects.filter(attempt=attempt).order_by("at"))
                if BrowserEvent.objects.filter(attempt=attempt, kind="offline").exists()
                else None
            ),
            20,
            "the events",
        )
        ctx.close()
    kinds = [r.kind for r in rows]
    assert kinds.count("paste_outside") == 1, kinds
    (paste,) = [r for r in rows if r.kind == "paste_outside"]
    assert paste.detail == {"length": len("copied from elsewhere")}
    (hidden,) = [r for r in rows if r.kind == "tab_hidden"]
    assert 1800 <= hidden.duration_ms <= 8_000
    # The hidden tab's blur is the tab's event, not a second one; the blur played after
    # it is one (entering and leaving full screen may move the focus too: not counted).
    hidden_end = hidden.at + dt.timedelta(milliseconds=hidden.duration_ms)
    blurs = [r for r in rows if r.kind == "window_blur"]
    assert not [b for b in blurs if hidden.at <= b.at < hidden_end], kinds
    assert [b for b in blurs if b.at >= hidden_end and 1300 <= b.duration_ms <= 8_000], [
        (b.at, b.duration_ms) for b in blurs
    ]
    (offline,) = [r for r in rows if r.kind == "offline"]
    assert 1500 <= offline.duration_ms <= 10_000
    assert kinds.count("fullscreen_exit") == 1, kinds
    assert "camera_lost" not in kinds


def test_the_offline_queue_survives_a_reload_and_flushes_in_order(world, live_server, tmp_path):
    attempt = _sitting(world)
    with fake_media_browser(_still(tmp_path)) as browser:
        ctx, page = _open(browser, live_server, world, attempt)
        _wait(lambda: Snapshot.objects.filter(attempt=attempt).exists(), 15, "a first snapshot")
        went_offline = timezone.now()
        ctx.set_offline(True)
        time.sleep(3 * INTERVAL + 1)
        queued = page.evaluate("() => window.emtihanProctoring.uploader.pending()")
        assert queued >= 3  # snapshots taken offline
        # The student closes the tab while offline; the queue is in IndexedDB. A write
        # started as the tab goes may be aborted with it (it was, now and then: the spell
        # never came); here every one fails, so the spell must travel another way.
        page.evaluate(
            """() => { IDBObjectStore.prototype.add = () => {
                throw new DOMException("aborted as the page goes", "AbortError"); }; }"""
        )
        page.close()
        back_online = timezone.now()
        assert not db(
            lambda: Snapshot.objects.filter(attempt=attempt, taken_at__gt=went_offline).exists()
        )
        ctx.set_offline(False)
        page = ctx.new_page()
        page.goto(f"/sitting/{attempt.pk}/")
        offline_snapshots = _wait(
            lambda: (
                rows
                if len(
                    rows := list(
                        Snapshot.objects.filter(
                            attempt=attempt, taken_at__gt=went_offline, taken_at__lt=back_online
                        ).order_by("number")
                    )
                )
                >= 3
                else None
            ),
            30,
            "the snapshots taken offline",
        )
        # The spell is queued behind the offline snapshots (one upload at a time, at the
        # server's 2-s pace) and sent with the next batch of events (every 5 s): 30 s
        # leaves room for a loaded CI machine (15 s ran out once on PostgreSQL).
        offline = _wait(
            lambda: BrowserEvent.objects.filter(attempt=attempt, kind="offline").first(),
            30,
            "the offline spell",
        )
        ctx.close()
    # Sent in the order they were taken, each analysed.
    times = [s.taken_at for s in offline_snapshots]
    assert times == sorted(times)
    assert all(s.faces == 1 for s in offline_snapshots)
    assert offline.duration_ms >= 3 * INTERVAL * 1000
    assert offline.detail == {"page_left": True}


def test_speech_heard_by_the_browser_becomes_a_clip(world, live_server, tmp_path):
    """The fake microphone plays synthesised speech (espeak-ng, vision's test data)
    between silences; the browser's energy detector records a clip, sends it as a
    16-kHz WAV, and the server's VAD (Silero) finds the speech in it. The browser's
    detector is only the trigger (a synthetic voice here; real speech is the server's
    VAD's to confirm, docs/PROCTORING.md)."""
    speech = read_wav(SPEECH)
    audio = tmp_path / "voice.wav"
    write_wav(audio, np.concatenate([silence(2.0), speech, silence(6.0)]))
    attempt = _sitting(world, interval=60)
    video = _still(tmp_path)
    with fake_media_browser(video, audio) as browser:
        ctx, _page = _open(browser, live_server, world, attempt)
        clip = _wait(
            lambda: AudioClip.objects.filter(attempt=attempt, analysed_at__isnull=False).first(),
            40,
            "a voice clip",
        )
        ctx.close()
    spoken = len(speech) / 16000
    # The clip holds the speech with up to a second before and after it.
    assert spoken <= clip.duration_seconds <= min(spoken + 2.5, 10.5)
    assert clip.error == ""
    assert clip.speech_seconds is not None and clip.speech_seconds >= 0.5 * spoken
    assert db(lambda: Flag.objects.filter(attempt=attempt, kind="speech").exists())


def test_no_proctoring_chunk_for_an_exam_without_it(world, live_server, tmp_path):
    now = timezone.now()
    exam = make_exam(world, opens_at=now - dt.timedelta(minutes=30))
    attempt = attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    with fake_media_browser(_still(tmp_path)) as browser:
        ctx = browser.new_context(base_url=live_server.url)
        page = ctx.new_page()
        loaded: list[str] = []
        page.on("request", lambda r: loaded.append(r.url))
        login(page, world.student.email, "100001")
        page.goto(f"/sitting/{attempt.pk}/")
        page.get_by_test_id("countdown").wait_for()
        time.sleep(1)
        assert page.get_by_test_id("proctoring-bar").count() == 0
        ctx.close()
    assert not [u for u in loaded if "/chunks/live-" in u or "/proctoring/" in u]


def test_the_indicator_at_390px_opens_the_log_in_a_new_tab(world, live_server, tmp_path):
    attempt = _sitting(world, interval=20)
    with fake_media_browser(_still(tmp_path)) as browser:
        ctx, page = _open(
            browser,
            live_server,
            world,
            attempt,
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=3,
        )
        indicator = page.get_by_test_id("proctoring-indicator")
        box = indicator.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        # Nothing sits on top of it: the element at its centre is the indicator itself.
        assert page.evaluate(
            """() => {
                const el = document.querySelector('[data-testid="proctoring-indicator"]');
                const r = el.getBoundingClientRect();
                return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
            }"""
        )
        header = page.locator(".sit-header").bounding_box()
        assert header is not None and box["y"] + box["height"] <= header["y"] + 1
        page.screenshot(path=str(tmp_path / "indicator-390.png"))
        with ctx.expect_page() as opened:
            indicator.click()
        log = opened.value
        log.wait_for_load_state()
        assert f"/proctoring/exams/{attempt.exam_id}/log/" in log.url
        assert page.url.endswith(f"/sitting/{attempt.pk}/")  # the exam stays open
        ctx.close()


def test_a_required_exam_is_recorded_once_its_gate_is_passed(world, live_server, tmp_path, proctor):
    from emtihan.exams.models import ExamProctor
    from emtihan.proctoring.models import IdentityStatus, ProctoringSession

    now = timezone.now()
    exam = make_exam(
        world, opens_at=now - dt.timedelta(minutes=30), proctoring=ProctoringLevel.REQUIRED
    )
    paragraphs = services.consent_paragraphs(exam, "en")
    services.consent_give(
        student_user=world.student,
        exam_id=exam.pk,
        version=services.consent_version(paragraphs),
        language="en",
    )
    services.device_check_record(
        student_user=world.student,
        exam_id=exam.pk,
        report={"camera": "ok", "microphone": "ok"},
    )
    # No photo on file: a proctor checks the student by hand.
    session = ProctoringSession.objects.get(exam=exam, student__user=world.student)
    ProctoringSession.objects.filter(pk=session.pk).update(identity_status=IdentityStatus.MANUAL)
    ExamProctor.objects.create(exam=exam, user=proctor)
    services.identity_decide(
        actor=proctor, session_id=session.pk, decision="approve", reason="Student card shown"
    )
    attempt = attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    with fake_media_browser(_still(tmp_path)) as browser:
        ctx, _page = _open(browser, live_server, world, attempt)
        snapshot = _wait(lambda: Snapshot.objects.filter(attempt=attempt).first(), 20, "a snapshot")
        ctx.close()
    assert snapshot.faces == 1


def test_without_consent_nothing_is_recorded(world, live_server, tmp_path):
    now = timezone.now()
    exam = make_exam(
        world, opens_at=now - dt.timedelta(minutes=30), proctoring=ProctoringLevel.RECORD
    )
    attempt = attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    with fake_media_browser(_still(tmp_path)) as browser:
        ctx = browser.new_context(base_url=live_server.url)
        page = ctx.new_page()
        posted: list[str] = []
        page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
        login(page, world.student.email, "100001")
        page.goto(f"/sitting/{attempt.pk}/")
        page.get_by_test_id("countdown").wait_for()
        page.wait_for_load_state("networkidle")
        time.sleep(2)
        assert page.get_by_test_id("proctoring-bar").count() == 0
        ctx.close()
    assert not [u for u in posted if "/api/v1/proctoring/" in u]


def test_a_refused_camera_shows_how_to_restore_it_and_answering_goes_on(
    world, live_server, tmp_path
):
    attempt = _sitting(world, interval=10)
    with fake_media_browser(_still(tmp_path), allow=False) as browser:
        ctx = browser.new_context(base_url=live_server.url)
        ctx.set_default_timeout(15_000)
        page = ctx.new_page()
        login(page, world.student.email, "100001")
        page.goto(f"/sitting/{attempt.pk}/")
        bar = page.get_by_test_id("proctoring-bar")
        bar.get_by_text("Proctoring on: the camera is off").wait_for()
        bar.get_by_text("The camera is not allowed for this page.", exact=False).wait_for()
        lost = _wait(
            lambda: BrowserEvent.objects.filter(attempt=attempt, kind="camera_lost").first(),
            15,
            "the camera_lost event",
        )
        assert lost.detail == {"reason": "NotAllowedError"}
        # Answering is not blocked.
        section = page.locator(".kind-short")
        page.locator(f'.nav-btn[aria-controls="{section.get_attribute("id")}"]').click()
        section.get_by_label("Your answer", exact=True).fill("x = 2")
        page.get_by_text("All saved").wait_for()
        # The student allows the camera and presses the banner's button.
        ctx.grant_permissions(["camera", "microphone"], origin=live_server.url)
        bar.get_by_role("button", name="Turn the camera on").click()
        bar.get_by_text("Proctoring on: camera and microphone").wait_for()
        assert bar.locator(".proctoring-banner").is_hidden()
        _wait(lambda: Snapshot.objects.filter(attempt=attempt).exists(), 15, "a snapshot")
        ctx.close()


def test_a_refusal_409_stops_proctoring_on_the_page(world, live_server, tmp_path):
    attempt = _sitting(world)
    with fake_media_browser(_still(tmp_path)) as browser:
        ctx, page = _open(browser, live_server, world, attempt)
        _wait(lambda: Snapshot.objects.filter(attempt=attempt).exists(), 15, "a first snapshot")
        # The exam office turns proctoring off during the sitting: uploads get 409.
        db(lambda: Exam.objects.filter(pk=attempt.exam_id).update(proctoring=ProctoringLevel.OFF))
        indicator = page.get_by_test_id("proctoring-indicator")
        indicator.get_by_text("Proctoring stopped: nothing more is recorded").wait_for()
        stopped = db(lambda: Snapshot.objects.filter(attempt=attempt).count())
        time.sleep(2 * INTERVAL)
        assert db(lambda: Snapshot.objects.filter(attempt=attempt).count()) == stopped
        assert page.evaluate("() => window.emtihanProctoring.uploader.pending()") == 0
        # The camera is closed: no live video track is left on the page.
        assert page.evaluate(
            "() => window.emtihanProctoring.video.srcObject.getVideoTracks()"
            ".every((t) => t.readyState === 'ended')"
        )
        ctx.close()
