"""The browser's face worker (@vladmandic/human in a Web Worker) in Chromium: it loads
its models and tfjs's .wasm from the project's static files (every request outside
127.0.0.1 is blocked and would fail the test), and counts faces on real photos: one on
the fake camera fed a portrait, none in an empty frame, two in two composed portraits.
The watcher turns a stretch without a face into one no_face detection with a JPEG
keyframe (docs/PROCTORING.md, "Browser-side face analysis").
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.conf import settings

from emtihan.conftest import CHROMIUM_ARGS
from emtihan.proctoring.tests.fakecam import write_y4m
from emtihan.proctoring.tests.media import empty, frame, two_faces
from emtihan.vision.tests.photos import jpeg

pytestmark = [pytest.mark.django_db(transaction=True)]

LOCAL_HOSTS = {"127.0.0.1", "localhost"}

SCRIPT = """
async ({ base, images }) => {
  const face = await import(base + "face.js");
  const out = { images: {} };
  out.prefetch = await face.prefetchFaceModels(base);
  const worker = face.startFaceWorker({ staticBase: base });
  out.ready = await worker.ready;
  for (const [name, url] of Object.entries(images)) {
    const blob = await (await fetch(url)).blob();
    out.images[name] = await worker.analyse(await createImageBitmap(blob), { phone: true });
  }
  // The fake camera (a portrait): the page only takes the frame and posts it.
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  const video = document.createElement("video");
  video.muted = true;
  video.srcObject = stream;
  await video.play();
  await new Promise((r) => setTimeout(r, 500));
  out.camera = await worker.analyse(await face.captureFrame(video), { phone: true });
  const key = await worker.keyframe();
  out.keyframe = key ? { size: key.size, type: key.type } : null;
  worker.stop();
  stream.getTracks().forEach((t) => t.stop());

  // The watcher on a video of an empty room (a canvas's stream): one no_face detection.
  const canvas = document.createElement("canvas");
  canvas.width = 640;
  canvas.height = 480;
  const ctx = canvas.getContext("2d");
  const empty = await createImageBitmap(await (await fetch(images.empty)).blob());
  const paint = () => ctx.drawImage(empty, 0, 0);
  paint();
  const painter = setInterval(paint, 100);
  const room = document.createElement("video");
  room.muted = true;
  room.srcObject = canvas.captureStream(10);
  await room.play();
  const detections = [];
  const watcher = face.watchFaces(room, (d) => detections.push(d), {
    staticBase: base, phone: false, absentMs: 1500, intervalMs: 300,
  });
  await watcher.worker.ready;
  const started = performance.now();
  while (watcher.frames < 6 && performance.now() - started < 30000) {
    await new Promise((r) => setTimeout(r, 200));
  }
  out.watchedFrames = watcher.frames;
  await watcher.stop();
  clearInterval(painter);
  out.detections = detections.map((d) => ({
    kind: d.kind, durationMs: d.durationMs, detail: d.detail,
    keyframeType: d.keyframe.type, keyframeSize: d.keyframe.size,
    atIsDate: d.at instanceof Date,
  }));
  return out;
}
"""


@pytest.fixture
def camera_browser(browser, tmp_path):
    """A Chromium whose fake camera shows a real portrait (the 640x480 frame of a
    webcam with Obama's face 160 px wide)."""
    video = write_y4m(tmp_path / "face.y4m", [(frame("obama_1", 160), 1.0)])
    instance = browser.browser_type.launch(
        executable_path=browser_executable(),
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    yield instance
    instance.close()


def browser_executable() -> str:
    from emtihan.conftest import chromium_path

    path = chromium_path()
    assert path
    return path


def test_face_worker_loads_local_models_and_counts_faces(camera_browser, live_server):
    context = camera_browser.new_context(base_url=live_server.url)
    context.set_default_timeout(120_000)
    outside: list[str] = []
    requested: list[str] = []
    pictures = {
        "empty": jpeg(empty(), 90),
        "two": jpeg(two_faces("obama_1", "biden_1"), 90),
        "one": jpeg(frame("astronaut", 160), 90),
    }

    def route(route):
        url = urlparse(route.request.url)
        requested.append(route.request.url)
        if url.hostname not in LOCAL_HOSTS:
            outside.append(route.request.url)
            route.abort()
        elif url.path.startswith("/__face_test__/"):
            name = url.path.rsplit("/", 1)[-1].removesuffix(".jpg")
            route.fulfill(body=pictures[name], content_type="image/jpeg")
        else:
            route.continue_()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/")
    base = f"/{settings.STATIC_URL.strip('/')}/attempts/"
    out = page.evaluate(
        SCRIPT,
        {"base": base, "images": {k: f"/__face_test__/{k}.jpg" for k in pictures}},
    )
    context.close()

    assert not outside, f"requests left 127.0.0.1: {outside}"
    assert not errors, errors
    assert out["ready"]["backend"] == "wasm"
    assert sorted(out["ready"]["models"]) == ["blazeface", "centernet", "facemesh"], out["ready"]
    # The worker's own requests went to the static files, .wasm and models alike.
    static = [u for u in requested if f"{base}face/" in u]
    assert any(u.endswith(".wasm") for u in static), requested
    assert any(u.endswith("facemesh.bin") for u in static), requested
    # Prefetch: the worker script, 3 models (json + bin) and the SIMD .wasm, 8.4 MB or so.
    assert out["prefetch"]["failed"] == [] and out["prefetch"]["files"] == 8, out["prefetch"]
    assert 6_000_000 < out["prefetch"]["bytes"] < 9_500_000, out["prefetch"]

    images = out["images"]
    assert images["empty"]["faces"] == 0, images["empty"]
    assert images["one"]["faces"] == 1, images["one"]
    assert images["two"]["faces"] == 2, images["two"]
    assert images["empty"]["phone"] is False  # the phone detector ran, and saw none
    assert out["camera"]["faces"] == 1, out["camera"]
    assert abs(out["camera"]["yaw"]) < 20, out["camera"]  # a frontal portrait
    assert 0.15 < out["camera"]["boxWidthRatio"] < 0.45, out["camera"]
    assert out["keyframe"]["type"] == "image/jpeg" and 5_000 < out["keyframe"]["size"] < 200_000

    assert out["watchedFrames"] >= 6
    (detection,) = out["detections"]
    assert detection["kind"] == "no_face", detection
    assert detection["durationMs"] >= 1500, detection
    assert detection["keyframeType"] == "image/jpeg" and detection["keyframeSize"] > 1000
    assert detection["atIsDate"] and detection["detail"]["readings"] >= 5
