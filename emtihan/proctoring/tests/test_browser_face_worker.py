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
from emtihan.proctoring.tests.media import empty, frame, turned, two_faces
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
  // A long sitting analyses thousands of frames: no tensor may be left behind.
  out.tensors = [];
  for (let i = 0; i < 8; i++) {
    out.tensors.push((await worker.analyse(await face.captureFrame(video), { phone: i % 4 === 0 })).tensors);
  }
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
  const watchRoom = async (frameSource) => {
    const detections = [];
    const watcher = face.watchFaces(room, (d) => detections.push(d), {
      staticBase: base, phone: false, absentMs: 1500, intervalMs: 300, frameSource,
    });
    await watcher.worker.ready;
    const started = performance.now();
    while (watcher.frames < 6 && performance.now() - started < 30000) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const frames = watcher.frames;
    const mode = watcher.mode;
    // Typing: keys every 200 ms for 4 s; the worker slows to one frame in 5 s meanwhile.
    const before = watcher.frames;
    for (let i = 0; i < 20; i++) {
      document.dispatchEvent(new KeyboardEvent("keydown", { key: "a" }));
      await new Promise((r) => setTimeout(r, 200));
    }
    const framesWhileTyping = watcher.frames - before;
    await watcher.stop();
    return {
      frames, mode, framesWhileTyping,
      detections: detections.map((d) => ({
        kind: d.kind, durationMs: d.durationMs, detail: d.detail,
        keyframeType: d.keyframe.type, keyframeSize: d.keyframe.size,
        atIsDate: d.at instanceof Date,
      })),
    };
  };
  out.watched = { auto: await watchRoom("auto"), bitmaps: await watchRoom("bitmaps") };
  clearInterval(painter);
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
        # The picture turned in perspective (media.py): positive = toward the student's left.
        "left": jpeg(turned("obama_1", 55), 90),
        "right": jpeg(turned("obama_1", -55), 90),
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
    # Prefetch: the worker script, 3 models (json + bin) and the SIMD .wasm: everything a
    # student downloads for the face analysis, within the 8 MB.
    assert out["prefetch"]["failed"] == [] and out["prefetch"]["files"] == 8, out["prefetch"]
    assert 6_500_000 < out["prefetch"]["bytes"] <= 8_000_000, out["prefetch"]

    images = out["images"]
    assert images["empty"]["faces"] == 0, images["empty"]
    assert images["one"]["faces"] == 1, images["one"]
    assert images["two"]["faces"] == 2, images["two"]
    # Yaw's sign: negative toward the student's left, positive toward the right (a flat
    # picture turned by 55 degrees reads only 4-9 degrees: the mesh sees a flat face; a
    # real head turn reads more). The device check's "turn more" relies on this sign.
    assert images["left"]["yaw"] < -2 < 2 < images["right"]["yaw"], (
        images["left"],
        images["right"],
    )
    assert images["empty"]["phone"] is False  # the phone detector ran, and saw none
    assert out["camera"]["faces"] == 1, out["camera"]
    assert abs(out["camera"]["yaw"]) < 20, out["camera"]  # a frontal portrait
    assert 0.15 < out["camera"]["boxWidthRatio"] < 0.45, out["camera"]
    assert len(set(out["tensors"])) == 1, (
        f"tensors left behind from frame to frame: {out['tensors']}"
    )
    assert out["keyframe"]["type"] == "image/jpeg" and 5_000 < out["keyframe"]["size"] < 200_000

    # Chromium: the worker reads the camera's frames itself (nothing per frame on the
    # page); the other way (the page sends bitmaps) is what other browsers get.
    assert out["watched"]["auto"]["mode"] == "stream"
    assert out["watched"]["bitmaps"]["mode"] == "bitmaps"
    for way in ("auto", "bitmaps"):
        watched = out["watched"][way]
        assert watched["frames"] >= 6, (way, watched)
        # 4 s of typing: at most the frame already under way and one at the slower rate
        # (13 at the test's 300 ms otherwise).
        assert watched["framesWhileTyping"] <= 2, (way, watched["framesWhileTyping"])
        (detection,) = watched["detections"]
        assert detection["kind"] == "no_face", (way, detection)
        assert detection["durationMs"] >= 1500, (way, detection)
        assert detection["keyframeType"] == "image/jpeg" and detection["keyframeSize"] > 1000
        assert detection["atIsDate"] and detection["detail"]["readings"] >= 5


TRACKER = """
async ({ base }) => {
  const face = await import(base + "face.js");
  const reading = (faces, yaw = 0, pitch = 0, phone = null) => ({
    faces, yaw: faces ? yaw : null, pitch: faces ? pitch : null,
    boxWidthRatio: null, brightness: 120, phone, ms: 1, tensors: 0,
  });
  const run = (options, script) => {
    const tracker = new face.FaceTracker(options);
    const done = [];
    const keyframes = [];
    let t = 0;
    for (const [r, n] of script) {
      for (let i = 0; i < n; i++) {
        const step = tracker.push(r, t);
        done.push(...step.done.map((s) => ({ ...s, at: t })));
        keyframes.push(...step.keyframe.map((kind) => ({ kind, t })));
        t += 500;
      }
    }
    done.push(...tracker.flush(t).map((s) => ({ ...s, at: t, flushed: true })));
    return { done, keyframes };
  };
  const main = run({ absentMs: 2000, lookingAwayMs: 2000, baseline: { yaw: 5, pitch: -10 } }, [
    [reading(1, 5, -10), 4],            // clean
    [reading(2), 1],                    // one reading of two faces: not a stretch
    [reading(1, 5, -10), 2],
    [reading(2), 3],                    // 1.5 s of two faces: multiple_faces
    [reading(1, 5, -10), 2],
    [reading(0), 3],                    // 1.5 s without a face: under 2 s, nothing
    [reading(1, 5, -10), 1],
    [reading(0), 6],                    // 3 s: no_face
    [reading(1, 38, -10), 6],           // 33 degrees from the straight pose: not away
    [reading(1, 45, -10), 6],           // 40 degrees for 3 s: looking_away
    [reading(1, 5, -10, false), 2],
    [reading(1, 5, -10, true), 1],      // a phone, then frames where the detector did not run
    [reading(1, 5, -10, null), 3],
    [reading(1, 5, -10, true), 1],      // seen again: 2 phone readings in a row
    [reading(1, 5, -10, false), 1],
    [reading(0), 2],                    // still open at the end: flushed (absentMs 2000: no)
  ]);
  const long = run({ absentMs: 1000, maxStretchMs: 2000 }, [[reading(0), 11], [reading(1), 1]]);
  return { main, long };
}
"""


def test_face_tracker_one_detection_per_stretch(new_page):
    """The stretch rules of docs/PROCTORING.md on scripted readings (no camera, no model):
    thresholds, the straight pose, two readings for several faces or a phone, a phone
    reading the detector skipped, a long stretch sent every maxStretchMs."""
    page = new_page()
    page.goto("/")
    out = page.evaluate(TRACKER, {"base": f"/{settings.STATIC_URL.strip('/')}/attempts/"})
    main = [(d["kind"], d["durationMs"], d["readings"]) for d in out["main"]["done"]]
    assert main == [
        ("multiple_faces", 1500, 3),
        ("no_face", 3000, 6),
        ("looking_away", 3000, 6),
        ("phone", 2500, 2),
    ], main
    looking = out["main"]["done"][2]
    assert looking["detail"]["max_yaw"] == 40 and looking["detail"]["yaw_threshold"] == 35
    # A keyframe is asked for on a stretch's second reading, once per stretch (the lone
    # two-face reading gets none; the short no-face stretches get one, then send nothing).
    kinds = [k["kind"] for k in out["main"]["keyframes"]]
    assert kinds == ["multiple_faces", "no_face", "no_face", "looking_away", "phone", "no_face"]
    long = [(d["kind"], d["durationMs"], d.get("flushed", False)) for d in out["long"]["done"]]
    assert long == [("no_face", 2000, False), ("no_face", 2000, False), ("no_face", 1500, False)], (
        long
    )
