// The face worker: @vladmandic/human (BlazeFace + face mesh, and CenterNet for a phone)
// on tfjs's WASM backend, in a dedicated Web Worker so that nothing of it runs on the
// page's thread (docs/PROCTORING.md, "Browser-side face analysis"). Where the browser has
// MediaStreamTrackProcessor the page hands over the camera's frame stream once ("watch")
// and this reads the frames itself; elsewhere the page sends ImageBitmaps (transferred,
// not copied) at a bounded rate. Each analysed frame gives a FaceReading. Models and .wasm files come from the project's static files only: the
// page passes their URLs in the "init" message.
import { Human } from "@vladmandic/human";
import type { Config, Result } from "@vladmandic/human";
import type { FaceReading, FromWorker, ToWorker, WatchMessage } from "./protocol";
import {
  FACE_MIN_CONFIDENCE,
  KEYFRAME_MAX_HEIGHT,
  KEYFRAME_MAX_WIDTH,
  KEYFRAME_QUALITY,
  PHONE_MIN_CONFIDENCE,
} from "./thresholds";

// The DOM library's types are in use (tsconfig); a worker's global needs only these.
interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

const RAD_TO_DEG = 180 / Math.PI;
let human: Human | null = null;
let loading: Promise<void> | null = null;
let busy = false;
/** Whether the phone (object) detector was loaded (detect() merges its options into the instance's config, so this is kept apart). */
let phoneLoaded = false;
/** While the student types (until this performance.now()), frames are this far apart. */
let typingUntil = 0;
let typingInterval = 0;
/** The last analysed frame, kept (until the next one) for a keyframe. */
let last: ImageBitmap | null = null;

function config(msg: { modelBase: string; wasmBase: string; phone: boolean }): Partial<Config> {
  return {
    backend: "wasm",
    modelBasePath: msg.modelBase,
    wasmPath: msg.wasmBase,
    // The browser's HTTP cache keeps the files (long cache headers); no IndexedDB copy.
    cacheModels: false,
    debug: false,
    async: false,
    warmup: "none",
    // Every frame analysed afresh: at 2 frames/s nothing is gained by reusing boxes.
    cacheSensitivity: 0,
    filter: { enabled: false },
    gesture: { enabled: false },
    face: {
      enabled: true,
      detector: {
        modelPath: "blazeface.json",
        rotation: false,
        maxDetected: 5,
        minConfidence: FACE_MIN_CONFIDENCE,
        skipFrames: 0,
        skipTime: 0,
        return: false,
      },
      mesh: { enabled: true, modelPath: "facemesh.json" },
      iris: { enabled: false },
      emotion: { enabled: false },
      description: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      attention: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    segmentation: { enabled: false },
    object: {
      enabled: msg.phone,
      modelPath: "centernet.json",
      minConfidence: PHONE_MIN_CONFIDENCE,
      maxDetected: 10,
      skipFrames: 0,
      skipTime: 0,
    },
  } as Partial<Config>;
}

function brightness(frame: ImageBitmap): number {
  const canvas = new OffscreenCanvas(32, 24);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) return 0;
  ctx.drawImage(frame, 0, 0, 32, 24);
  const px = ctx.getImageData(0, 0, 32, 24).data;
  let sum = 0;
  for (let i = 0; i < px.length; i += 4) sum += 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
  return Math.round((sum / (px.length / 4)) * 10) / 10;
}

function reading(
  result: Result,
  frame: ImageBitmap,
  phoneRan: boolean,
  ms: number,
  light: number,
  tensors: number,
): FaceReading {
  const faces = result.face.filter((f) => (f.boxScore ?? f.score) >= FACE_MIN_CONFIDENCE);
  let largest = null;
  for (const f of faces) if (!largest || f.boxRaw[2] > largest.boxRaw[2]) largest = f;
  const angle = largest?.rotation?.angle;
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    faces: faces.length,
    yaw: angle ? round(angle.yaw * RAD_TO_DEG) : null,
    pitch: angle ? round(angle.pitch * RAD_TO_DEG) : null,
    boxWidthRatio: largest ? Math.round((faceWidth(largest) / frame.width) * 1000) / 1000 : null,
    brightness: light,
    phone: phoneRan
      ? result.object.some((o) => o.label === "cell phone" && o.score >= PHONE_MIN_CONFIDENCE)
      : null,
    ms: Math.round(ms),
    tensors,
  };
}

/** The face's width in pixels: the mesh's extent (Human's box is padded around it). */
function faceWidth(face: Result["face"][number]): number {
  if (face.mesh && face.mesh.length > 0) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of face.mesh) {
      lo = Math.min(lo, p[0]);
      hi = Math.max(hi, p[0]);
    }
    if (hi > lo) return hi - lo;
  }
  return face.box[2];
}

async function keyframe(): Promise<Blob | null> {
  if (!last) return null;
  const scale = Math.min(1, KEYFRAME_MAX_WIDTH / last.width, KEYFRAME_MAX_HEIGHT / last.height);
  const w = Math.round(last.width * scale);
  const h = Math.round(last.height * scale);
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext("2d");
  if (!ctx) return null;
  ctx.drawImage(last, 0, 0, w, h);
  return canvas.convertToBlob({ type: "image/jpeg", quality: KEYFRAME_QUALITY });
}

/** Analyse one frame (kept afterwards for a keyframe; closed if the analysis fails). */
async function analyse(frame: ImageBitmap, wantPhone: boolean): Promise<FaceReading> {
  const h = human;
  if (!h) throw new Error("not ready");
  busy = true;
  const started = performance.now();
  const phone = wantPhone && phoneLoaded;
  try {
    const result = await h.detect(frame, { object: { enabled: phone } } as Partial<Config>);
    const light = brightness(frame);
    const r = reading(result, frame, phone, performance.now() - started, light, h.tf.memory().numTensors);
    last?.close();
    last = frame;
    return r;
  } catch (err) {
    frame.close();
    throw err;
  } finally {
    busy = false;
  }
}

/** Read the camera's frames here; analyse one every intervalMs, close the rest unread. */
async function watch(msg: WatchMessage): Promise<void> {
  const reader = msg.frames.getReader();
  let next = 0;
  let analysed = 0;
  for (;;) {
    let vf: VideoFrame | undefined;
    try {
      const step = await reader.read();
      if (step.done) break;
      vf = step.value;
    } catch {
      break;
    }
    const now = performance.now();
    if (!human || busy || now < next) {
      vf.close();
      continue;
    }
    next = now + (now < typingUntil ? Math.max(msg.intervalMs, typingInterval) : msg.intervalMs);
    const capturedAt = performance.timeOrigin + now;
    let bitmap: ImageBitmap;
    try {
      const scale = Math.min(1, msg.maxWidth / vf.displayWidth);
      bitmap = await createImageBitmap(vf, {
        resizeWidth: Math.round(vf.displayWidth * scale),
        resizeHeight: Math.round(vf.displayHeight * scale),
        resizeQuality: "low",
      });
    } catch {
      continue;
    } finally {
      vf.close();
    }
    analysed += 1;
    const phone = msg.phoneEvery > 0 && analysed % msg.phoneEvery === 1 % msg.phoneEvery;
    try {
      scope.postMessage({ type: "frame", reading: await analyse(bitmap, phone), capturedAt });
    } catch {
      // a frame that could not be analysed is skipped
    }
  }
  scope.postMessage({ type: "unwatched" });
}

scope.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === "init") {
    if (loading) return;
    const started = performance.now();
    const h = new Human(config(msg));
    loading = h
      .load()
      .then(() => {
        human = h;
        phoneLoaded = msg.phone;
        const models = Object.entries(h.models.models)
          .filter(([, m]) => m !== null)
          .map(([name]) => name);
        scope.postMessage({
          type: "ready",
          backend: h.tf.getBackend() as string,
          loadMs: Math.round(performance.now() - started),
          models,
        });
      })
      .catch((err: unknown) => {
        scope.postMessage({ type: "error", id: 0, message: String(err) });
      });
    return;
  }
  if (msg.type === "keyframe") {
    keyframe().then(
      (blob) => scope.postMessage({ type: "keyframe", id: msg.id, blob }),
      (err: unknown) => scope.postMessage({ type: "error", id: msg.id, message: String(err) }),
    );
    return;
  }
  if (msg.type === "watch") {
    void watch(msg);
    return;
  }
  if (msg.type === "typing") {
    typingUntil = performance.now() + msg.forMs;
    typingInterval = msg.intervalMs;
    return;
  }
  // "analyse": one frame at a time; a frame that arrives while one is being analysed
  // is dropped (the page does not send one then, but a slow machine must not queue).
  const frame = msg.frame;
  if (!human || busy) {
    frame.close();
    scope.postMessage({ type: "error", id: msg.id, message: human ? "busy" : "not ready" });
    return;
  }
  analyse(frame, msg.phone).then(
    (r) => scope.postMessage({ type: "reading", id: msg.id, reading: r }),
    (err: unknown) => scope.postMessage({ type: "error", id: msg.id, message: String(err) }),
  );
};
