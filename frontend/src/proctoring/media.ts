// The camera and the microphone for the device check: open them, tell apart why they
// failed, and measure what the check needs (the picture's brightness, the sound level).
// The server only keeps the report (docs/PROCTORING.md, device-check); the guidance for
// each failure is the page's.

export type CameraStatus = "ok" | "denied" | "not_found" | "in_use" | "too_dark" | "error";
export type MicrophoneStatus = "ok" | "denied" | "not_found" | "in_use" | "silent" | "error";
type OpenFailure = "denied" | "not_found" | "in_use" | "error";

export const VIDEO: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 480 } };
const AUDIO: MediaTrackConstraints = { echoCancellation: false, noiseSuppression: false };

// Mean grey (0-255) of the whole picture under which the face cannot be seen well: the
// server's own threshold is 50 on the face (docs/VISION.md); a frame is darker than its
// face in a lit room, so the browser's bound is lower.
export const TOO_DARK = 40;
// RMS of the microphone's samples (-1..1): a quiet room's noise floor is about 0.001-0.005,
// a voice at a laptop 0.03-0.3. A muted microphone gives 0.
export const SILENT = 0.01;

export interface Opened {
  stream: MediaStream | null;
  camera: CameraStatus;
  microphone: MicrophoneStatus;
  errorName: string;
}

export function supported(): boolean {
  return !!(navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === "function");
}

export function classify(error: unknown): OpenFailure {
  const name = (error as { name?: string } | null)?.name ?? "";
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
    return "denied";
  }
  if (name === "NotFoundError" || name === "DevicesNotFoundError" || name === "OverconstrainedError") {
    return "not_found";
  }
  if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError") {
    return "in_use";
  }
  return "error";
}

function stop(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/** Both devices in one stream; when that fails, each alone, to say which one failed. */
export async function openDevices(): Promise<Opened> {
  const media = navigator.mediaDevices;
  try {
    const stream = await media.getUserMedia({ video: VIDEO, audio: AUDIO });
    return { stream, camera: "ok", microphone: "ok", errorName: "" };
  } catch (error) {
    const errorName = (error as { name?: string } | null)?.name ?? String(error);
    let camera: CameraStatus;
    let microphone: MicrophoneStatus;
    let video: MediaStream | null = null;
    try {
      video = await media.getUserMedia({ video: VIDEO });
      camera = "ok";
    } catch (videoError) {
      camera = classify(videoError);
    }
    try {
      stop(await media.getUserMedia({ audio: AUDIO }));
      microphone = "ok";
    } catch (audioError) {
      microphone = classify(audioError);
    }
    stop(video);
    // Both worked alone but not together: report what the first try said.
    if (camera === "ok" && microphone === "ok") {
      camera = classify(error);
      microphone = camera;
    }
    return { stream: null, camera, microphone, errorName };
  }
}

/** Mean grey (0-255) of the picture, from a small copy (cheap: 64 x 48 pixels). */
export function brightness(video: HTMLVideoElement, canvas: HTMLCanvasElement): number | null {
  if (!video.videoWidth) return null;
  canvas.width = 64;
  canvas.height = 48;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (!context) return null;
  context.drawImage(video, 0, 0, 64, 48);
  const { data } = context.getImageData(0, 0, 64, 48);
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) {
    sum += 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
  }
  return sum / (data.length / 4);
}

/** The microphone's level (RMS of the latest 2048 samples, 0..1), read on demand. */
export class LevelMeter {
  private readonly context: AudioContext;
  private readonly analyser: AnalyserNode;
  private readonly samples: Float32Array<ArrayBuffer>;

  constructor(stream: MediaStream) {
    this.context = new AudioContext();
    const source = this.context.createMediaStreamSource(stream);
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 2048;
    source.connect(this.analyser);
    this.samples = new Float32Array(this.analyser.fftSize);
    void this.context.resume();
  }

  level(): number {
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const s of this.samples) sum += s * s;
    return Math.min(1, Math.sqrt(sum / this.samples.length));
  }

  close(): void {
    void this.context.close();
  }
}

/** One picture of the camera, 640 pixels wide, as a JPEG (quality 0.7). */
export function capture(video: HTMLVideoElement, canvas: HTMLCanvasElement): Promise<Blob | null> {
  const width = 640;
  const height = Math.min(960, Math.round((width * video.videoHeight) / (video.videoWidth || width)) || 480);
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  if (!context) return Promise.resolve(null);
  context.drawImage(video, 0, 0, width, height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.7));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
