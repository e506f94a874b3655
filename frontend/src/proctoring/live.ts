// Proctoring during the sitting (docs/PROCTORING.md, "In the browser during the sitting"),
// a chunk the exam page imports only when the exam's proctoring level is not "off". It
// asks the proctoring API whether this student agreed to be recorded; only then does it
// open the camera and the microphone, show the indicator (a camera dot and words, linking
// to the student's log in a new tab), take a snapshot every snapshot_interval_seconds,
// record browser events and voice clips, all through the upload queue (uploader.ts).
// Nothing here ever blocks answering: a camera that fails or stops shows a banner that
// says how to get it back, and records a camera_lost event.
import { h } from "../dom";
import { addI18n, t } from "../i18n";
import { EventRecorder } from "./events";
import { Uploader, queueSnapshot, setUploader } from "./uploader";
import { VoiceRecorder } from "./voice";

export interface LiveConfig {
  attemptId: number;
  examId: number;
  /** /api/v1/proctoring/ */
  apiBase: string;
  csrf: string;
  logUrl: string;
  /** the URL of the built proctoring-voice.js (the AudioWorklet module) */
  workletUrl: string;
}

interface State {
  level: "off" | "record" | "required";
  snapshot_interval_seconds: number;
  consent: { given_at: string | null };
}

const WIDTH = 640;
const HEIGHT = 480;
const TARGET_BYTES = 40 * 1024;
const QUALITIES = [0.65, 0.5, 0.4];

export class Live {
  readonly uploader: Uploader;
  readonly events: EventRecorder;
  private voice: VoiceRecorder;
  /** The camera's video (the face worker, frontend/src/proctoring/face/, watches it). */
  readonly video = h("video", { muted: true, playsInline: true, autoplay: true });
  private canvas = document.createElement("canvas");
  private stream: MediaStream | null = null;
  private interval = 20;
  private timer = 0;
  private lostAt: Date | null = null;
  private microphoneOn = false;
  private bar = h("div", { class: "proctoring-bar", "data-testid": "proctoring-bar" });
  private indicator: HTMLAnchorElement;
  private words = h("span", { class: "proctoring-words" });
  private banner = h("div", { class: "banner banner-warn proctoring-banner", role: "status", hidden: true });
  snapshotsTaken = 0;

  constructor(private readonly cfg: LiveConfig) {
    this.uploader = new Uploader(cfg.apiBase, cfg.csrf, cfg.attemptId);
    this.voice = new VoiceRecorder(cfg.workletUrl, cfg.attemptId);
    this.events = new EventRecorder(cfg.attemptId);
    this.indicator = h(
      "a",
      {
        class: "proctoring-indicator",
        href: cfg.logUrl,
        target: "_blank",
        rel: "noopener",
        title: t("proctoring_log_hint"),
        "data-testid": "proctoring-indicator",
      },
      h("span", { class: "proctoring-dot", "aria-hidden": "true" }),
      this.words,
      h("span", { class: "proctoring-log", text: t("proctoring_log") }),
    );
  }

  async start(): Promise<boolean> {
    let state: State;
    try {
      const response = await fetch(`${this.cfg.apiBase}exams/${this.cfg.examId}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) return false;
      state = (await response.json()) as State;
    } catch {
      return false; // offline at load: the page works; proctoring starts with the next load
    }
    // Without consent nothing is recorded (the server refuses uploads with 409 anyway).
    if (state.level === "off" || !state.consent.given_at) return false;
    this.interval = Math.max(1, state.snapshot_interval_seconds);
    this.uploader.onStop = () => this.stop();
    setUploader(this.uploader);
    await this.uploader.open();
    this.mount();
    this.events.start();
    await this.openCamera();
    void this.openMicrophone();
    return true;
  }

  private mount(): void {
    this.bar.append(this.indicator, this.banner);
    const top = document.querySelector(".sitting-top");
    if (top) top.after(this.bar);
    else document.body.prepend(this.bar);
    this.show(false);
  }

  private show(cameraOn: boolean): void {
    this.indicator.classList.toggle("is-off", !cameraOn);
    this.words.textContent = cameraOn ? t("proctoring_on") : t("proctoring_camera_off");
  }

  async openCamera(): Promise<void> {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: WIDTH }, height: { ideal: HEIGHT }, frameRate: { ideal: 15 } },
        audio: false,
      });
      this.stream = stream;
      this.video.srcObject = stream;
      await this.video.play().catch(() => undefined);
      const [track] = stream.getVideoTracks();
      track.addEventListener("ended", () => this.cameraLost("track_ended"));
      track.addEventListener("mute", () => {
        // A muted track sends black frames (the camera taken by another program, a
        // privacy switch): lost while it lasts.
        window.setTimeout(() => {
          if (track.muted && track.readyState === "live") this.cameraLost("track_muted");
        }, 3000);
      });
      track.addEventListener("unmute", () => this.cameraBack());
      this.cameraBack();
      window.clearInterval(this.timer);
      window.setTimeout(() => void this.snapshot(), 1000);
      this.timer = window.setInterval(() => void this.snapshot(), this.interval * 1000);
    } catch (error) {
      this.cameraLost(error instanceof DOMException ? error.name : "error");
    }
  }

  private async openMicrophone(): Promise<void> {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: false, autoGainControl: false },
        video: false,
      });
      await this.voice.start(stream);
      this.microphoneOn = true;
    } catch (error) {
      console.warn("proctoring: no microphone", error);
    }
  }

  private cameraLost(reason: string): void {
    window.clearInterval(this.timer);
    if (!this.lostAt) {
      this.lostAt = new Date();
      this.events.record("camera_lost", this.lostAt, undefined, { reason });
      this.events.flush();
    }
    this.show(false);
    const retry = h("button", {
      type: "button",
      text: t("proctoring_camera_retry"),
      onclick: () => {
        retry.disabled = true;
        this.stream?.getTracks().forEach((tr) => tr.stop());
        void this.openCamera();
        if (!this.microphoneOn) void this.openMicrophone();
      },
    });
    const denied = reason === "NotAllowedError" || reason === "SecurityError";
    this.banner.replaceChildren(
      h("span", { text: t(denied ? "proctoring_camera_denied" : "proctoring_camera_lost") }),
      retry,
    );
    this.banner.hidden = false;
  }

  private cameraBack(): void {
    if (this.lostAt) {
      // The camera_lost event says when; how long it lasted is in the snapshots' gap.
      this.lostAt = null;
    }
    this.banner.hidden = true;
    this.show(true);
  }

  async snapshot(): Promise<void> {
    const video = this.video;
    if (this.uploader.isStopped || !video.videoWidth || this.lostAt) return;
    const scale = Math.min(1, WIDTH / video.videoWidth, HEIGHT / video.videoHeight);
    const width = Math.round(video.videoWidth * scale);
    const height = Math.round(video.videoHeight * scale);
    this.canvas.width = width;
    this.canvas.height = height;
    const ctx = this.canvas.getContext("2d", { alpha: false });
    if (!ctx) return;
    const takenAt = new Date();
    ctx.drawImage(video, 0, 0, width, height);
    let blob: Blob | null = null;
    for (const quality of QUALITIES) {
      blob = await new Promise<Blob | null>((resolve) => this.canvas.toBlob(resolve, "image/jpeg", quality));
      if (!blob || blob.size <= TARGET_BYTES) break;
    }
    if (!blob) return;
    this.snapshotsTaken++;
    await queueSnapshot(blob, takenAt);
  }

  stop(): void {
    window.clearInterval(this.timer);
    this.stream?.getTracks().forEach((tr) => tr.stop());
    this.voice.stop();
    this.events.stop();
    setUploader(null);
    this.indicator.classList.add("is-off");
    this.words.textContent = t("proctoring_stopped");
  }
}

export async function start(cfg: LiveConfig): Promise<Live | null> {
  addI18n("proctoring-i18n");
  const live = new Live(cfg);
  return (await live.start()) ? live : null;
}
