// The page's side of the face worker (docs/PROCTORING.md, "Browser-side face analysis").
// Nothing heavy runs here. Where the browser has MediaStreamTrackProcessor (Chromium), the
// camera's frame stream is handed to the worker once and the worker reads the frames
// itself; elsewhere a frame is taken from the video with createImageBitmap (downscaled by
// the browser) when the page is idle, at most MAX_FRAMES_PER_SECOND and never while the
// worker is still on the previous one, and transferred to the worker. The models, the .wasm and the worker script are this
// project's static files, found from the static folder's URL the page passes in.
import { WORKER_FILE, MODELS_DIR, WASM_DIR, faceAssetUrls } from "./assets";
import type { FaceReading, FromWorker, ToWorker } from "./protocol";
import { FaceTracker, type DetectionKind, type Stretch, type TrackerOptions } from "./tracker";
import {
  MAX_FRAMES_PER_SECOND,
  PHONE_EVERY_N_FRAMES,
  TOO_DARK_BRIGHTNESS,
  TOO_FAR_BOX_WIDTH_RATIO,
  TYPING_INTERVAL_MS,
  TYPING_QUIET_MS,
} from "./thresholds";

export type { FaceReading } from "./protocol";
export type { DetectionKind, TrackerOptions } from "./tracker";
// The stretch logic on its own (the tests feed it readings; a caller with frames of its own may too).
export { FaceTracker } from "./tracker";

export interface FaceWorkerOptions {
  /** URL of the exam page's static folder, e.g. "/static/attempts/" ({% static 'attempts/' %}). */
  staticBase: string;
  /** Load the phone detector (CenterNet, 4.2 MB) too. Default true. */
  phone?: boolean;
}

export interface ReadyInfo {
  backend: string;
  loadMs: number;
  models: string[];
}

export interface FaceWorker {
  /** Resolves when the models are loaded (rejects if they cannot be). */
  ready: Promise<ReadyInfo>;
  /** True while a frame is being analysed (a caller should not send another). */
  readonly busy: boolean;
  /** Analyse one frame (the bitmap is transferred: do not use it afterwards). */
  analyse(frame: ImageBitmap, opts?: { phone?: boolean }): Promise<FaceReading>;
  /** A JPEG of the last analysed frame (null before the first). */
  keyframe(): Promise<Blob | null>;
  /** The student is typing: analyse one frame every `intervalMs` at most for `forMs`. */
  typing(forMs: number, intervalMs: number): void;
  /**
   * Hand a camera frame stream (MediaStreamTrackProcessor's readable) to the worker, which
   * reads it and analyses one frame every `intervalMs`: nothing per frame on this thread.
   * `onFrame` gets each reading with the time (performance.now() of this page) the frame
   * was taken; `onEnd` when the stream ends (the track stopped).
   */
  watch(
    frames: ReadableStream<VideoFrame>,
    opts: { intervalMs: number; phoneEvery: number; maxWidth?: number },
    onFrame: (reading: FaceReading, t: number) => void,
    onEnd: () => void,
  ): void;
  stop(): void;
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

export function startFaceWorker(opts: FaceWorkerOptions): FaceWorker {
  const base = new URL(withSlash(opts.staticBase), location.href).href;
  const phone = opts.phone ?? true;
  const worker = new Worker(`${base}${WORKER_FILE}`, { type: "module", name: "face" });
  const pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let watcher: { onFrame: (r: FaceReading, t: number) => void; onEnd: () => void } | null = null;
  let busy = false;
  let stopped = false;
  let readyResolve: (v: ReadyInfo) => void = () => {};
  let readyReject: (e: Error) => void = () => {};
  const ready = new Promise<ReadyInfo>((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });
  // A caller that never awaits `ready` must not see an unhandled rejection.
  ready.catch(() => {});

  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    busy = false;
  };
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const msg = event.data;
    if (msg.type === "ready") {
      readyResolve({ backend: msg.backend, loadMs: msg.loadMs, models: msg.models });
      return;
    }
    if (msg.type === "frame") {
      watcher?.onFrame(msg.reading, msg.capturedAt - performance.timeOrigin);
      return;
    }
    if (msg.type === "unwatched") {
      const w = watcher;
      watcher = null;
      w?.onEnd();
      return;
    }
    if (msg.type === "error" && msg.id === 0) {
      readyReject(new Error(msg.message));
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.type === "reading") {
      busy = false;
      (p.resolve as (v: FaceReading) => void)(msg.reading);
    } else if (msg.type === "keyframe") {
      (p.resolve as (v: Blob | null) => void)(msg.blob);
    } else {
      if (msg.type === "error") busy = false;
      p.reject(new Error(msg.type === "error" ? msg.message : "unexpected reply"));
    }
  };
  worker.onerror = (event) => {
    const err = new Error(event.message || "face worker failed");
    readyReject(err);
    failAll(err);
  };
  const post = (msg: ToWorker, transfer: Transferable[] = []) => worker.postMessage(msg, transfer);
  post({ type: "init", modelBase: `${base}${MODELS_DIR}`, wasmBase: `${base}${WASM_DIR}`, phone });

  return {
    ready,
    get busy() {
      return busy;
    },
    analyse(frame, o = {}) {
      if (stopped) {
        frame.close();
        return Promise.reject(new Error("face worker stopped"));
      }
      const id = nextId++;
      busy = true;
      return new Promise<FaceReading>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: never) => void, reject });
        post({ type: "analyse", id, frame, phone: o.phone ?? phone }, [frame]);
      });
    },
    keyframe() {
      if (stopped) return Promise.resolve(null);
      const id = nextId++;
      return new Promise<Blob | null>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: never) => void, reject });
        post({ type: "keyframe", id });
      });
    },
    typing(forMs, intervalMs) {
      if (!stopped) post({ type: "typing", forMs, intervalMs });
    },
    watch(frames, o, onFrame, onEnd) {
      if (stopped) return;
      watcher = { onFrame, onEnd };
      post(
        { type: "watch", frames, intervalMs: o.intervalMs, phoneEvery: o.phoneEvery, maxWidth: o.maxWidth ?? 640 },
        [frames as unknown as Transferable],
      );
    },
    stop() {
      if (stopped) return;
      stopped = true;
      watcher = null;
      worker.terminate();
      failAll(new Error("face worker stopped"));
      readyReject(new Error("face worker stopped"));
    },
  };
}

/** A frame of the video as an ImageBitmap at most 640 pixels wide (null if none yet). */
export async function captureFrame(video: HTMLVideoElement, maxWidth = 640): Promise<ImageBitmap | null> {
  const w = video.videoWidth;
  const h = video.videoHeight;
  if (!w || !h || video.readyState < 2) return null;
  const scale = Math.min(1, maxWidth / w);
  return createImageBitmap(video, {
    resizeWidth: Math.round(w * scale),
    resizeHeight: Math.round(h * scale),
    resizeQuality: "low",
  });
}

interface TrackProcessorWindow {
  MediaStreamTrackProcessor: new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => {
    readable: ReadableStream<VideoFrame>;
  };
}

function hasTrackProcessor(): boolean {
  return typeof (window as unknown as Partial<TrackProcessorWindow>).MediaStreamTrackProcessor === "function";
}

/** The live video track of a video element showing a camera (or any MediaStream). */
function cameraTrack(video: HTMLVideoElement): MediaStreamTrack | null {
  const stream = video.srcObject;
  if (!(stream instanceof MediaStream)) return null;
  return stream.getVideoTracks().find((t) => t.readyState === "live") ?? null;
}

/** Run `fn` when the page is idle (after typing and painting), within `timeout` ms. */
function whenIdle(fn: () => void, timeout: number): void {
  const ric = (window as { requestIdleCallback?: (cb: () => void, o: { timeout: number }) => number })
    .requestIdleCallback;
  if (ric) ric(fn, { timeout });
  else setTimeout(fn, 0);
}

export interface Detection {
  kind: DetectionKind;
  at: Date;
  durationMs: number;
  detail: Record<string, unknown>;
  /** JPEG, at most 640 × 480. */
  keyframe: Blob;
}

export interface WatchOptions extends FaceWorkerOptions, Partial<TrackerOptions> {
  /** Milliseconds between two analysed frames at least (default 1000 / MAX_FRAMES_PER_SECOND). */
  intervalMs?: number;
  /** Every reading, e.g. for a debug view or guidance. */
  onReading?: (reading: FaceReading, at: Date) => void;
  /** The worker could not start (no WASM, the models missing ...). */
  onError?: (err: Error) => void;
  /** An already started worker to use (e.g. the device check's); stop() stops it too. */
  worker?: FaceWorker;
  /** "bitmaps": the page sends frames even where the worker could read the camera itself (tests). */
  frameSource?: "auto" | "bitmaps";
}

export interface Watcher {
  worker: FaceWorker;
  /** How frames reach the worker: "stream" (the worker reads the camera itself), "bitmaps" (the page sends them), or "" before the first. */
  readonly mode: "stream" | "bitmaps" | "";
  /** Frames analysed so far. */
  readonly frames: number;
  /** Stop sampling; stretches still open that qualify are sent (resolves when they are). */
  stop(): Promise<void>;
}

/**
 * Sample `video` at a bounded rate, analyse each frame in the worker and call
 * `onDetection` once per stretch of no face, several faces, looking away or a phone.
 */
export function watchFaces(
  video: HTMLVideoElement,
  onDetection: (d: Detection) => void,
  opts: WatchOptions,
): Watcher {
  const worker = opts.worker ?? startFaceWorker(opts);
  const tracker = new FaceTracker(opts);
  const interval = Math.max(opts.intervalMs ?? 1000 / MAX_FRAMES_PER_SECOND, 100);
  const keyframes = new Map<DetectionKind, Promise<Blob | null>>();
  const clockStart = performance.now();
  const wallStart = Date.now();
  const wall = (t: number) => new Date(wallStart + (t - clockStart));
  let frames = 0;
  let timer = 0;
  let mode: "stream" | "bitmaps" | "" = "";
  let stopped = false;

  const emit = async (s: Stretch) => {
    let blob = await (keyframes.get(s.kind) ?? Promise.resolve(null)).catch(() => null);
    keyframes.delete(s.kind);
    if (!blob && !stopped) blob = await worker.keyframe().catch(() => null);
    if (!blob) return; // no frame was ever analysed: nothing to show
    onDetection({
      kind: s.kind,
      at: wall(s.start),
      durationMs: s.durationMs,
      detail: { ...s.detail, readings: s.readings },
      keyframe: blob,
    });
  };

  // Typing comes first: while keys are pressed the worker analyses one frame every
  // TYPING_INTERVAL_MS (told at most once a second; a passive listener, nothing else).
  let typingUntil = 0;
  let told = -Infinity;
  const onKey = () => {
    const now = performance.now();
    typingUntil = now + TYPING_QUIET_MS;
    if (now - told < 1000) return;
    told = now;
    worker.typing(TYPING_QUIET_MS, TYPING_INTERVAL_MS);
  };
  document.addEventListener("keydown", onKey, { capture: true, passive: true });

  const onReading = (reading: FaceReading, t: number) => {
    if (stopped) return;
    frames += 1;
    opts.onReading?.(reading, wall(t));
    const step = tracker.push(reading, t);
    for (const kind of step.keyframe) keyframes.set(kind, worker.keyframe());
    for (const s of step.done) void emit(s);
  };

  // Where the browser can, the worker reads the camera's frames itself: nothing per frame
  // on this thread. The track is the page's own (never cloned: the camera is never held
  // open by this); when it stops (the camera is lost or reopened), look again later.
  const watchTrack = (): boolean => {
    const track = cameraTrack(video);
    if (!track || !hasTrackProcessor() || opts.frameSource === "bitmaps") return false;
    mode = "stream";
    const processor = new (window as unknown as TrackProcessorWindow).MediaStreamTrackProcessor({
      track,
      maxBufferSize: 1,
    });
    worker.watch(processor.readable, { intervalMs: interval, phoneEvery: PHONE_EVERY_N_FRAMES }, onReading, () => {
      if (!stopped) timer = window.setTimeout(start, 2000);
    });
    return true;
  };

  // Elsewhere: this thread takes a frame when idle and transfers it.
  const tick = () => {
    if (stopped) return;
    if (worker.busy) {
      schedule();
      return;
    }
    whenIdle(() => {
      if (stopped || worker.busy) {
        schedule();
        return;
      }
      const t = performance.now();
      captureFrame(video)
        .then((frame) => {
          if (!frame || stopped) {
            frame?.close();
            return;
          }
          const phone = frames % PHONE_EVERY_N_FRAMES === 0;
          return worker.analyse(frame, { phone }).then((reading) => onReading(reading, t));
        })
        .catch(() => {})
        .finally(schedule);
    }, interval);
  };
  const schedule = () => {
    if (stopped) return;
    mode = "bitmaps";
    const typing = performance.now() < typingUntil;
    timer = window.setTimeout(tick, typing ? Math.max(interval, TYPING_INTERVAL_MS) : interval);
  };
  const start = () => {
    if (stopped) return;
    if (!watchTrack()) schedule();
  };

  worker.ready.then(
    () => start(),
    (err: Error) => opts.onError?.(err),
  );

  return {
    worker,
    get frames() {
      return frames;
    },
    get mode() {
      return mode;
    },
    async stop() {
      if (stopped) return;
      const done = tracker.flush(performance.now());
      await Promise.all(done.map((s) => emit(s)));
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("keydown", onKey, { capture: true });
      worker.stop();
    },
  };
}

/**
 * Fetch the worker's files so that the browser's HTTP cache holds them before Start
 * (the device check calls this). Resolves to the bytes received; files that fail are
 * counted in `failed`, never thrown.
 */
export async function prefetchFaceModels(
  staticBase: string,
  opts: { phone?: boolean } = {},
): Promise<{ bytes: number; files: number; failed: string[] }> {
  const base = new URL(withSlash(staticBase), location.href).href;
  const urls = faceAssetUrls(base, opts.phone ?? true);
  let bytes = 0;
  const failed: string[] = [];
  await Promise.all(
    urls.map(async (url) => {
      try {
        const r = await fetch(url, { credentials: "same-origin" });
        if (!r.ok) throw new Error(String(r.status));
        const size = (await r.arrayBuffer()).byteLength;
        bytes += size; // after the await: `bytes += await ...` would lose concurrent sums
      } catch {
        failed.push(url);
      }
    }),
  );
  return { bytes, files: urls.length - failed.length, failed };
}

export type Guidance = "no_face" | "several_faces" | "too_dark" | "too_far" | "ok";

/** What the device check tells the student about one reading (turns are judged by the caller from `yaw`). */
export function guidance(r: FaceReading): Guidance {
  if (r.brightness < TOO_DARK_BRIGHTNESS && r.faces === 0) return "too_dark";
  if (r.faces === 0) return "no_face";
  if (r.faces >= 2) return "several_faces";
  if (r.brightness < TOO_DARK_BRIGHTNESS) return "too_dark";
  if (r.boxWidthRatio !== null && r.boxWidthRatio < TOO_FAR_BOX_WIDTH_RATIO) return "too_far";
  return "ok";
}
