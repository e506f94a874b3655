"""Before the exam, in Chromium with a fake camera (docs/PROCTORING.md, "Before the
sitting"): the student agrees, checks the camera and the microphone, does the identity
check step by step and starts; the server decides on the frames the page captured.

The videos are made in the test from the real photos (``fake_camera``: how the turns
were made and what that proves). Chromium plays the file from the moment the camera
opens and loops it; the turning video shows each pose for 5 seconds with a marker, and
the test presses "I am ready" when the camera shows the pose asked, as a person does.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from emtihan.attempts.models import Attempt
from emtihan.attempts.tests.conftest import make_exam
from emtihan.attempts.tests.test_browser_sitting import db
from emtihan.conftest import CHROMIUM_ARGS, login, playwright_driver, require_chromium
from emtihan.core.tests.a11y import assert_no_axe_violations
from emtihan.exams.models import ProctoringLevel
from emtihan.proctoring.models import IdentityCheck, ProctoringSession

from . import fake_camera

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STUDENT_PASSWORD = "100001"
FAKE_MEDIA = ["--use-fake-device-for-media-stream"]


@pytest.fixture(scope="module")
def browsers(tmp_path_factory):
    """Chromium launched on demand, once per camera (one Playwright for them all):
    ``turning`` (obama_2 turning), ``still`` (one picture all the time), ``denied`` (the
    camera exists, the person refuses it)."""
    path = require_chromium()
    folder = tmp_path_factory.mktemp("camera")
    launched: dict = {}
    playwright = playwright_driver()

    def get(kind: str):
        if kind not in launched:
            if kind == "turning":
                video = fake_camera.turning_video(folder / "turning.y4m")
                extra = [*FAKE_MEDIA, "--use-fake-ui-for-media-stream"]
            elif kind == "still":
                video = fake_camera.still_video(folder / "still.y4m")
                extra = [*FAKE_MEDIA, "--use-fake-ui-for-media-stream"]
            elif kind == "dark":
                video = fake_camera.still_video(folder / "dark.y4m", light=0.12)
                extra = [*FAKE_MEDIA, "--use-fake-ui-for-media-stream"]
            else:
                video = fake_camera.still_video(folder / "denied.y4m")
                extra = [*FAKE_MEDIA, "--deny-permission-prompts"]
            extra.append(f"--use-file-for-fake-video-capture={video}")
            launched[kind] = playwright.chromium.launch(
                executable_path=path, headless=True, args=[*CHROMIUM_ARGS, *extra]
            )
        return launched[kind]

    yield get
    for browser in launched.values():
        browser.close()


@pytest.fixture
def open_page(browsers, live_server):
    contexts = []

    def make(kind: str, *, phone: bool = False):
        size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        context = browsers(kind).new_context(
            base_url=live_server.url,
            locale="en-US",
            viewport=size,
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def camera_exam(world):
    """An exam open now that requires the camera (3 identity tries)."""
    return make_exam(
        world,
        opens_at=timezone.now() - dt.timedelta(minutes=30),
        proctoring=ProctoringLevel.REQUIRED,
    )


def _precheck(page, exam) -> None:
    """From the exam page, where Start says what is missing, to the camera check."""
    login(page, "student1@test.local", STUDENT_PASSWORD)
    page.goto(f"/sitting/exams/{exam.pk}/")
    blocker = page.locator("#start-blocker")
    assert "read what is recorded and agree" in blocker.inner_text()
    assert page.locator(".toolbar button", has_text="Start").is_disabled()
    page.click("#precheck-link a.button")
    page.wait_for_url(f"**/proctoring/exams/{exam.pk}/check/")


def _agree_and_check_devices(page) -> None:
    assert page.locator("#progress-consent").get_attribute("data-done") == "false"
    assert "snapshot every 20 seconds" in page.locator("#consent").inner_text()
    page.click("#consent-form button[type=submit]")
    page.wait_for_selector("#consent-given")
    assert page.locator("#progress-consent").get_attribute("data-done") == "true"
    page.click("#device-start")
    page.wait_for_function(
        "() => document.getElementById('device-status').textContent"
        " === 'The camera and the microphone work.'",
        timeout=20_000,
    )
    assert page.locator("#progress-device").get_attribute("data-done") == "true"
    assert page.locator("#device-guidance").is_hidden()
    assert page.evaluate("() => document.getElementById('preview').videoWidth") == 640


MARKER_JS = """() => {
  const video = document.getElementById('preview');
  const canvas = document.createElement('canvas');
  canvas.width = 8; canvas.height = 8;
  const context = canvas.getContext('2d');
  context.drawImage(video, 0, 0, 64, 48);  // 1/10 of the frame: the marker is 4 x 4 here
  const [r] = context.getImageData(1, 1, 1, 1).data;
  return r;
}"""


def _pose_on_camera(page) -> str:
    level = page.evaluate(MARKER_JS)
    return min(fake_camera.MARKERS, key=lambda pose: abs(fake_camera.MARKERS[pose] - level))


def _wait_for_step(page, number: int) -> None:
    page.wait_for_function(
        "n => document.getElementById('step-count').textContent === `Step ${n} of 4`"
        " && document.getElementById('identity-step').dataset.phase === 'waiting'",
        arg=number,
        timeout=20_000,
    )


def _hold_pose_when_asked(page) -> str:
    """The camera starts showing the pose asked (a new segment of the video): press
    "I am ready"."""
    step = page.locator("#identity-step").get_attribute("data-step")
    assert step in fake_camera.ORDER
    for _ in range(400):  # the pose asked, from its first frames: 5 s to hold it
        if _pose_on_camera(page) != step:
            break
        page.wait_for_timeout(50)
    for _ in range(800):
        if _pose_on_camera(page) == step:
            break
        page.wait_for_timeout(50)
    page.click("#step-ready")
    return step


def _identity_check(page, *, follow_video: bool, guides: dict | None = None) -> list[str]:
    """Every step as asked; ``guides`` collects what the guidance said during each
    step's countdown (the face model's reading of the camera)."""
    page.click("#identity-start")
    asked = []
    for number in range(1, 5):
        _wait_for_step(page, number)
        if follow_video:
            asked.append(_hold_pose_when_asked(page))
        else:
            asked.append(page.locator("#identity-step").get_attribute("data-step"))
            page.click("#step-ready")
        if guides is not None:
            page.wait_for_selector("#identity-step[data-phase=capturing]", timeout=10_000)
            guides[asked[-1]] = page.locator("#step-guide").inner_text()
    page.wait_for_function(
        "() => ['passed', 'failed', 'manual'].includes("
        "document.getElementById('identity-status').dataset.status)",
        timeout=60_000,
    )
    return asked


def test_the_right_person_passes_and_starts(world, camera_exam, photo_on_file, open_page):
    """(The forms a person fills: consent, then the rules' checkbox and Start.)"""
    photo_on_file("obama_1")
    page = open_page("turning")
    _precheck(page, camera_exam)
    _agree_and_check_devices(page)
    assert page.locator("#start").is_disabled()
    guides: dict[str, str] = {}
    asked = _identity_check(page, follow_video=True, guides=guides)
    assert sorted(asked) == sorted(fake_camera.ORDER)
    # The browser's own reading: the face grew when closer. (Of the made-up turns, its
    # face model reads the mirrored photo as a small turn and finds no face in the flat
    # picture turned by 60 degrees: the server decides, on its own figures.)
    assert guides["closer"] == guides["straight"] == "Good: hold it."

    status = page.locator("#identity-status")
    assert status.get_attribute("data-status") == "passed", status.inner_text()
    assert "identity is confirmed" in status.inner_text()
    assert page.locator("#progress-identity").get_attribute("data-done") == "true"
    check = db(lambda: IdentityCheck.objects.get(session__exam=camera_exam))
    assert check.reason == "passed"
    assert all(r["passed"] for r in check.result["steps"])
    assert check.frames.count() == 12  # 3 a step

    # The rules: Start is enabled; the checkbox must be ticked first.
    assert page.locator("#start").is_enabled()
    assert "say the reason aloud" in page.locator("#rules-start").inner_text()
    page.click("#start")
    assert "/check/" in page.url  # the browser refused: the box is not ticked
    page.check("#rules-read")
    page.click("#start")
    page.wait_for_url(re.compile(r"/sitting/\d+/$"))
    attempt = db(lambda: Attempt.objects.get(exam=camera_exam))
    assert attempt.student.user_id == world.student.pk


def test_another_persons_face_does_not_match_the_photo(
    world, camera_exam, photo_on_file, open_page
):
    """The photo on file is Biden's; the camera shows Obama making every movement."""
    photo_on_file("biden_1")
    page = open_page("turning")
    _precheck(page, camera_exam)
    _agree_and_check_devices(page)
    _identity_check(page, follow_video=True)
    status = page.locator("#identity-status")
    assert status.get_attribute("data-status") == "failed"
    assert "did not match your photo on file" in status.inner_text()
    assert page.locator("#identity-tries").inner_text() == "Tries used: 1 of 3."
    assert page.locator("#identity-start").inner_text() == "Try again"
    assert page.locator("#start").is_disabled()
    assert "requires an identity check" in page.locator("#start-blocker").inner_text()
    session = db(lambda: ProctoringSession.objects.get(exam=camera_exam))
    assert session.identity_checks.get().reason == "does_not_match_photo"


def test_a_still_photo_fails_the_movements_on_a_phone(world, camera_exam, photo_on_file, open_page):
    """The same picture every frame, on a 390 px screen: the movements are not seen."""
    photo_on_file("obama_1")
    page = open_page("still", phone=True)
    _precheck(page, camera_exam)
    _agree_and_check_devices(page)
    # The browser's face model (in its worker, from the project's static files) reads
    # the camera: one face.
    page.wait_for_function(
        "() => document.getElementById('guide').textContent === 'Face found.'", timeout=60_000
    )
    assert_no_axe_violations(page, "the camera check, camera on")
    guides: dict[str, str] = {}
    _identity_check(page, follow_video=False, guides=guides)
    # It guides, from its own readings: the picture never turns nor comes closer.
    assert guides["left"] == guides["right"] == "Turn more."
    assert guides["closer"] == "Too far: move closer."
    assert guides["straight"] == "Good: hold it."
    status = page.locator("#identity-status")
    assert status.get_attribute("data-status") == "failed"
    assert "Not every movement was seen" in status.inner_text()
    session = db(lambda: ProctoringSession.objects.get(exam=camera_exam))
    assert session.identity_checks.get().reason == "movement_not_seen"
    assert page.locator("#start").is_disabled()
    assert_no_axe_violations(page, "the camera check, identity not confirmed")
    # Nothing wider than the phone, and every control reachable.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    for selector in ("#identity-start", "#device-start", "#rules-read", "#start"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, selector


def test_a_denied_camera_blocks_the_start_with_guidance(world, camera_exam, open_page):
    page = open_page("denied")
    _precheck(page, camera_exam)
    page.click("#consent-form button[type=submit]")
    page.wait_for_selector("#consent-given")
    page.click("#device-start")
    guidance = page.locator("#device-guidance")
    guidance.wait_for(state="visible", timeout=20_000)
    assert "not allowed to use the camera or the microphone" in guidance.inner_text()
    assert "address bar" in guidance.inner_text()
    # The report is saved, then the button offers another try.
    page.wait_for_function(
        "() => document.getElementById('device-start').textContent === 'Try again'"
    )
    assert "allow both" in page.locator("#start-blocker").inner_text()
    assert page.locator("#start").is_disabled()
    session = db(lambda: ProctoringSession.objects.get(exam=camera_exam))
    assert session.device_checked_at is not None and not session.device_ok
    assert session.device_report["camera"] == "denied"

    # The exam page says the same beside a Start that cannot be pressed.
    page.goto(f"/sitting/exams/{camera_exam.pk}/")
    assert "allow both in the device check" in page.locator("#start-blocker").inner_text()
    assert not db(lambda: Attempt.objects.filter(exam=camera_exam).exists())


# What the browser says when getUserMedia fails for another reason than a refusal, or the
# devices open but do not deliver: the page's script sees exactly what a browser gives it.
FAIL_WITH = """name => {
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async constraints => {
    if (name === 'silent') {
      const stream = await real(constraints);
      if (constraints.audio) {
        for (const track of stream.getAudioTracks()) { stream.removeTrack(track); track.stop(); }
        const silence = new AudioContext().createMediaStreamDestination();
        for (const track of silence.stream.getAudioTracks()) stream.addTrack(track);
      }
      return stream;
    }
    throw new DOMException('played by the test', name);
  };
}"""


@pytest.mark.parametrize(
    ("failure", "camera", "microphone", "says"),
    [
        ("NotReadableError", "in_use", "in_use", "The camera is in use by another program"),
        ("NotFoundError", "not_found", "not_found", "No camera was found."),
        ("TypeError", "error", "error", "could not be started (TypeError)"),
        ("silent", "ok", "silent", "The microphone hears nothing."),
        ("dark", "too_dark", "ok", "The picture is too dark."),
    ],
)
def test_each_device_failure_has_its_guidance(
    world, camera_exam, open_page, failure, camera, microphone, says
):
    page = open_page("dark" if failure == "dark" else "still")
    if failure != "dark":
        page.add_init_script(f"({FAIL_WITH})({failure!r})")
    _precheck(page, camera_exam)
    page.click("#consent-form button[type=submit]")
    page.wait_for_selector("#consent-given")
    page.click("#device-start")
    guidance = page.locator("#device-guidance")
    guidance.wait_for(state="visible", timeout=20_000)
    assert says in guidance.inner_text()
    # What to do next: press "Try again" after fixing it (or, for an unknown error, reload).
    assert ("Reload the page" if failure == "TypeError" else "Try again") in guidance.inner_text()
    page.wait_for_function(
        "() => document.getElementById('device-start').textContent === 'Try again'"
    )
    report = db(lambda: ProctoringSession.objects.get(exam=camera_exam).device_report)
    assert (report["camera"], report["microphone"]) == (camera, microphone)
    assert page.locator("#start").is_disabled()
