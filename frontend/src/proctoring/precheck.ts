// Before the exam (proctoring/precheck.html): the camera and microphone check and the
// identity check, on top of the server-rendered page (consent and Start are plain
// forms). It talks to the JSON API of docs/PROCTORING.md ("Before the sitting"); the
// SERVER decides whether the identity is confirmed, the browser only guides the student.
import { call, configure, errorText, NetworkError } from "../api";
import { loadI18n, t } from "../i18n";
import {
  LevelMeter,
  SILENT,
  TOO_DARK,
  brightness,
  capture,
  openDevices,
  sleep,
  supported,
  type CameraStatus,
  type MicrophoneStatus,
} from "./media";
import {
  captureFrame,
  guidance as faceGuidance,
  prefetchFaceModels,
  startFaceWorker,
  type FaceReading,
  type FaceWorker,
} from "./face/client";
import "./precheck.css";

type Step = "straight" | "closer" | "left" | "right";

interface Check {
  id: number;
  number: number;
  status: "collecting" | "analysing" | "passed" | "failed";
  steps: Step[];
  frames_per_step: number[];
  reason: string;
  message: string;
}

interface State {
  exam_id: number;
  level: "record" | "required";
  consent: { given_at: string | null; version: string; language: string };
  device: { checked_at: string | null; ok: boolean };
  identity: {
    status: string;
    checks_used: number;
    checks_allowed: number;
    photo_on_file: boolean;
    message: string;
    current_check: Check | null;
  };
  may_start: boolean;
  blocker: string | null;
  attempt_id: number | null;
}

// The device check listens this long at most for a voice, and looks at the picture at
// least this long (several frames: a camera's first frames are often dark).
const LISTEN_MS = 6000;
const LOOK_MS = 1500;
// The identity check: a countdown before each step's pictures, then FRAMES pictures
// FRAME_GAP_MS apart (the server wants 2-6 a step, docs/PROCTORING.md).
const COUNTDOWN_S = 3;
const FRAMES = 3;
const FRAME_GAP_MS = 300;
const POLL_MS = 2000;
// Guidance only (the server judges the turns with its own figures, docs/VISION.md): a
// turn of this many degrees from the straight pose is "good", a face this much wider
// than when looking straight is "closer".
const TURN_DEGREES = 20;
const CLOSER_GROWTH = 1.2;
const STRAIGHT_MAX_YAW = 20;
const GUIDE_MS = 500;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

let state: State;
let examId = 0;
let stream: MediaStream | null = null;
let meter: LevelMeter | null = null;
let meterTimer = 0;
let guideTimer = 0;
let staticBase = "/static/attempts/";
const work = document.createElement("canvas");
// The browser's face model (@vladmandic/human in a Web Worker, ./face/client.ts) for the
// guidance; without it (no WASM, models missing) the guidance is the light alone.
let face: FaceWorker | null = null;
let faceReady = false;
let asked: Step | null = null;
// The student's own straight pose (yaw, face width as a share of the frame), from the
// readings while no movement is asked or "look straight" is.
let straight: { yaw: number; width: number } | null = null;

function problem(data: unknown, status: number): string {
  return t("err_server", { detail: errorText(data as never, `HTTP ${status}`) });
}

async function api<T>(method: string, path: string, body?: unknown): Promise<{ ok: boolean; data: T; text: string }> {
  try {
    const answer = await call<T>(method, path, body);
    const ok = answer.status >= 200 && answer.status < 300;
    return { ok, data: answer.data, text: ok ? "" : problem(answer.data, answer.status) };
  } catch (error) {
    if (error instanceof NetworkError) return { ok: false, data: {} as T, text: t("err_network") };
    throw error;
  }
}

// --- what the page shows from the state ---------------------------------------------------

const CLEARED = new Set(["passed", "approved"]);

function render(): void {
  $("progress-consent").dataset.done = String(!!state.consent.given_at);
  $("progress-device").dataset.done = String(state.device.ok);
  $("progress-identity").dataset.done = String(CLEARED.has(state.identity.status));
  $("identity-tries").textContent = t("tries", {
    used: state.identity.checks_used,
    allowed: state.identity.checks_allowed,
  });
  const start = document.getElementById("start") as HTMLButtonElement | null;
  const blocker = document.getElementById("start-blocker");
  if (start) start.disabled = !state.may_start;
  if (blocker) {
    blocker.textContent = state.blocker ?? (state.level === "required" ? t("ready_to_start") : "");
    blocker.hidden = !blocker.textContent;
    blocker.dataset.ready = String(state.may_start);
  }
  const identityStart = $<HTMLButtonElement>("identity-start");
  const status = state.identity.status;
  const current = state.identity.current_check;
  identityStart.hidden = CLEARED.has(status) || status === "manual" || status === "rejected" || status === "checking";
  identityStart.textContent =
    current && current.status === "failed" ? t("try_again") : identityStart.dataset.label ?? identityStart.textContent ?? "";
  const message = $("identity-status");
  if (status === "manual") message.textContent = [state.identity.message, t("id_manual")].filter(Boolean).join(" ");
  else if (status === "approved") message.textContent = t("id_approved");
  else if (status === "rejected") message.textContent = t("id_rejected");
  else message.textContent = state.identity.message;
  message.dataset.status = status;
}

async function refresh(): Promise<void> {
  const answer = await api<State>("GET", `exams/${examId}`);
  if (answer.ok) {
    state = answer.data;
    render();
  }
}

// --- the device check --------------------------------------------------------------------

function guidance(camera: CameraStatus, microphone: MicrophoneStatus, errorName: string): string[] {
  if (camera === "denied" || microphone === "denied") return [t("err_denied")];
  const lines: string[] = [];
  const cameraText: Partial<Record<CameraStatus, string>> = {
    not_found: t("err_cam_not_found"),
    in_use: t("err_cam_in_use"),
    too_dark: t("err_too_dark"),
  };
  const microphoneText: Partial<Record<MicrophoneStatus, string>> = {
    not_found: t("err_mic_not_found"),
    in_use: t("err_mic_in_use"),
    silent: t("err_silent"),
  };
  if (camera !== "ok") lines.push(cameraText[camera] ?? t("err_generic", { name: errorName || camera }));
  if (microphone !== "ok") {
    const text = microphoneText[microphone] ?? t("err_generic", { name: errorName || microphone });
    if (!lines.includes(text)) lines.push(text);
  }
  return lines;
}

function showGuidance(lines: string[]): void {
  const box = $("device-guidance");
  box.replaceChildren(...lines.map((line) => Object.assign(document.createElement("p"), { textContent: line })));
  box.hidden = lines.length === 0;
}

function stopDevices(): void {
  clearInterval(meterTimer);
  clearInterval(guideTimer);
  meter?.close();
  meter = null;
  for (const track of stream?.getTracks() ?? []) track.stop();
  stream = null;
}

function startMeter(): void {
  const bar = $<HTMLMeterElement>("mic-level");
  clearInterval(meterTimer);
  meterTimer = window.setInterval(() => {
    if (meter) bar.value = Math.min(1, meter.level() * 5);
  }, 100);
}

function startFace(): void {
  if (face) return;
  try {
    face = startFaceWorker({ staticBase, phone: false });
  } catch {
    face = null;
    return;
  }
  face.ready.then(
    () => {
      faceReady = true;
    },
    () => {
      face?.stop();
      face = null;
    },
  );
  // The sitting's models (the phone detector too) into the browser's cache before Start.
  void prefetchFaceModels(staticBase);
}

function remember(reading: FaceReading): void {
  if (reading.faces !== 1 || reading.yaw === null || reading.boxWidthRatio === null) return;
  if (Math.abs(reading.yaw) > STRAIGHT_MAX_YAW || (asked !== null && asked !== "straight")) return;
  // A running mean, so one odd frame does not move it far.
  straight = straight
    ? { yaw: 0.8 * straight.yaw + 0.2 * reading.yaw, width: 0.8 * straight.width + 0.2 * reading.boxWidthRatio }
    : { yaw: reading.yaw, width: reading.boxWidthRatio };
}

/** What to tell the student about one reading of the face model: [text, is it a problem]. */
function describe(reading: FaceReading): [string, boolean] {
  const general = faceGuidance(reading);
  if (general === "too_dark") return [t("guide_too_dark"), true];
  if (general === "no_face") return [t("guide_no_face"), true];
  if (general === "several_faces") return [t("guide_many_faces"), true];
  remember(reading);
  if (asked === "closer") {
    const reference = straight?.width ?? 0;
    const closer = reading.boxWidthRatio !== null && reading.boxWidthRatio >= reference * CLOSER_GROWTH;
    return closer && reference ? [t("guide_good"), false] : [t("guide_too_far"), true];
  }
  if (general === "too_far") return [t("guide_too_far"), true];
  if (asked === "left" || asked === "right") {
    // The face model's yaw is negative when the student turns to their left (Human's sign,
    // face/protocol.ts), the opposite of the server's (docs/VISION.md).
    const direction = asked === "left" ? -1 : 1;
    const change = direction * ((reading.yaw ?? 0) - (straight?.yaw ?? 0));
    return change >= TURN_DEGREES ? [t("guide_good"), false] : [t("guide_turn_more"), true];
  }
  return [asked === "straight" ? t("guide_good") : t("guide_face_ok"), false];
}

function showGuide(text: string, bad: boolean): void {
  for (const id of ["guide", "step-guide"]) {
    const guide = document.getElementById(id);
    if (!guide || guide.textContent === text) continue;
    guide.textContent = text;
    guide.dataset.level = bad ? "bad" : "good";
  }
}

let guiding = false;

async function guideOnce(video: HTMLVideoElement): Promise<void> {
  if (guiding) return;
  guiding = true;
  try {
    if (face && faceReady && !face.busy) {
      const frame = await captureFrame(video);
      if (frame) {
        const reading = await face.analyse(frame, { phone: false });
        showGuide(...describe(reading));
        return;
      }
    }
    const grey = brightness(video, work);
    if (grey !== null) showGuide(grey < TOO_DARK ? t("guide_too_dark") : t("guide_light_ok"), grey < TOO_DARK);
  } catch {
    // a frame the model could not read: the next one will do
  } finally {
    guiding = false;
  }
}

/** The guidance over the preview, all the time the camera is on: the face model's
 * reading when it is loaded, else the light. */
function startGuide(): void {
  const video = $<HTMLVideoElement>("preview");
  clearInterval(guideTimer);
  guideTimer = window.setInterval(() => void guideOnce(video), GUIDE_MS);
}

async function playing(video: HTMLVideoElement): Promise<void> {
  video.srcObject = stream;
  try {
    await video.play();
  } catch {
    // autoplay of a muted video is allowed; the frames come anyway
  }
  for (let i = 0; i < 50 && !video.videoWidth; i++) await sleep(100);
}

let deviceBusy = false;

async function deviceCheck(): Promise<boolean> {
  if (deviceBusy) return false;
  deviceBusy = true;
  const button = $<HTMLButtonElement>("device-start");
  const status = $("device-status");
  button.disabled = true;
  showGuidance([]);
  try {
    if (!supported()) {
      status.textContent = "";
      showGuidance([t("err_unsupported")]);
      await report({ camera: "error", microphone: "error" });
      return false;
    }
    stopDevices();
    status.textContent = t("dev_asking");
    const opened = await openDevices();
    let camera = opened.camera;
    let microphone = opened.microphone;
    const video = $<HTMLVideoElement>("preview");
    let level = 0;
    let width: number | undefined;
    let height: number | undefined;
    let label = "";
    if (opened.stream) {
      stream = opened.stream;
      await playing(video);
      meter = new LevelMeter(stream);
      startMeter();
      startFace();
      startGuide();
      status.textContent = t("dev_measuring");
      const greys: number[] = [];
      const began = performance.now();
      while (performance.now() - began < LISTEN_MS) {
        await sleep(100);
        level = Math.max(level, meter.level());
        const grey = brightness(video, work);
        if (grey !== null) greys.push(grey);
        if (level >= SILENT && performance.now() - began >= LOOK_MS && greys.length >= 5) break;
      }
      greys.sort((a, b) => a - b);
      const grey = greys.length ? greys[Math.floor(greys.length / 2)] : 0;
      if (!video.videoWidth) camera = "error";
      else if (grey < TOO_DARK) camera = "too_dark";
      if (level < SILENT) microphone = "silent";
      width = video.videoWidth || undefined;
      height = video.videoHeight || undefined;
      label = stream.getVideoTracks()[0]?.label.slice(0, 200) ?? "";
    }
    if (camera !== "ok" || microphone !== "ok") {
      showGuidance(guidance(camera, microphone, opened.errorName));
      status.textContent = "";
    }
    const saved = await report({
      camera,
      microphone,
      camera_label: label,
      width,
      height,
      microphone_level: Math.round(level * 1000) / 1000,
    });
    if (saved && camera === "ok" && microphone === "ok") status.textContent = t("dev_ok");
    return saved && camera === "ok" && microphone === "ok";
  } finally {
    button.disabled = false;
    button.textContent = t("try_again");
    deviceBusy = false;
  }
}

async function report(body: Record<string, unknown>): Promise<boolean> {
  const status = $("device-status");
  const before = status.textContent;
  status.textContent = t("dev_saving");
  const answer = await api<State>("POST", `exams/${examId}/device-check`, body);
  status.textContent = before;
  if (!answer.ok) {
    showGuidance([answer.text]);
    return false;
  }
  state = answer.data;
  render();
  return true;
}

// --- the identity check --------------------------------------------------------------------

let identityBusy = false;

function stepPanel(show: boolean): void {
  $("identity-step").hidden = !show;
}

function waitForClick(button: HTMLButtonElement): Promise<void> {
  return new Promise((resolve) => {
    button.disabled = false;
    button.addEventListener(
      "click",
      () => {
        button.disabled = true;
        resolve();
      },
      { once: true },
    );
  });
}

async function runStep(check: Check, index: number): Promise<string> {
  const step = check.steps[index];
  const panel = $("identity-step");
  asked = step;
  panel.dataset.step = step;
  panel.dataset.phase = "waiting";
  $("step-count").textContent = t("step_n", { n: index + 1, total: check.steps.length });
  $("step-instruction").textContent = t(`step_${step}`);
  $("step-hint").textContent = `${t(`hint_${step}`)} ${t("hint_press")}`;
  const countdown = $("step-countdown");
  countdown.textContent = "";
  const ready = $<HTMLButtonElement>("step-ready");
  ready.hidden = false;
  ready.focus();
  await waitForClick(ready);
  ready.hidden = true;
  panel.dataset.phase = "countdown";
  for (let n = COUNTDOWN_S; n > 0; n--) {
    countdown.textContent = t("countdown", { n });
    await sleep(1000);
  }
  panel.dataset.phase = "capturing";
  countdown.textContent = t("capturing");
  const video = $<HTMLVideoElement>("preview");
  const pictures: Blob[] = [];
  for (let i = 0; i < FRAMES; i++) {
    if (i) await sleep(FRAME_GAP_MS);
    const picture = await capture(video, work);
    if (picture) pictures.push(picture);
  }
  for (const picture of pictures) {
    const form = new FormData();
    form.append("step", step);
    form.append("file", picture, `${step}.jpg`);
    const answer = await api<unknown>("POST", `identity-checks/${check.id}/frames`, form);
    if (!answer.ok) return answer.text;
  }
  countdown.textContent = t("step_sent");
  panel.dataset.phase = "sent";
  return "";
}

async function awaitResult(check: Check): Promise<void> {
  const message = $("identity-status");
  message.textContent = t("id_analysing");
  message.dataset.status = "checking";
  let current = check;
  while (current.status === "collecting" || current.status === "analysing") {
    await sleep(POLL_MS);
    const answer = await api<Check>("GET", `identity-checks/${check.id}`);
    if (answer.ok) current = answer.data;
  }
  await refresh();
}

async function identityCheck(): Promise<void> {
  if (identityBusy) return;
  const message = $("identity-status");
  if (!state.consent.given_at) {
    message.textContent = t("need_consent");
    return;
  }
  identityBusy = true;
  const button = $<HTMLButtonElement>("identity-start");
  button.disabled = true;
  try {
    if (!stream && !(await deviceCheck())) {
      message.textContent = t("need_device");
      return;
    }
    message.textContent = t("id_preparing");
    let check = state.identity.current_check;
    if (!check || check.status !== "collecting") {
      const started = await api<Check>("POST", `exams/${examId}/identity-checks`);
      if (!started.ok) {
        message.textContent = started.text;
        return;
      }
      check = started.data;
    }
    message.textContent = "";
    const mirror = $<HTMLVideoElement>("step-preview");
    mirror.srcObject = stream;
    void mirror.play().catch(() => {});
    stepPanel(true);
    $("identity-step").scrollIntoView({ block: "center" });
    for (let i = 0; i < check.steps.length; i++) {
      const failed = await runStep(check, i);
      if (failed) {
        message.textContent = failed;
        stepPanel(false);
        await refresh();
        return;
      }
    }
    stepPanel(false);
    const sent = await api<Check>("POST", `identity-checks/${check.id}/submit`);
    if (!sent.ok) {
      message.textContent = sent.text;
      await refresh();
      return;
    }
    await awaitResult(sent.data);
  } finally {
    asked = null;
    button.disabled = false;
    identityBusy = false;
  }
}

// --- the page ------------------------------------------------------------------------------

function main(): void {
  const root = document.getElementById("precheck");
  const data = document.getElementById("proctoring-state");
  if (!root || !data) return;
  loadI18n();
  configure(root.dataset.apiBase ?? "/api/v1/proctoring/", root.dataset.csrf ?? "");
  examId = Number(root.dataset.examId);
  staticBase = root.dataset.staticBase ?? staticBase;
  state = JSON.parse(data.textContent || "{}") as State;
  const identityStart = $<HTMLButtonElement>("identity-start");
  identityStart.dataset.label = identityStart.textContent ?? "";
  $("device-start").addEventListener("click", () => void deviceCheck());
  identityStart.addEventListener("click", () => void identityCheck());
  window.addEventListener("pagehide", stopDevices);
  render();
  const current = state.identity.current_check;
  if (current && current.status === "analysing") void awaitResult(current);
}

main();
