// Voice clips during a proctored sitting: the microphone goes to an AudioWorklet
// (voice-worklet.ts) that detects voice by energy and sends back short clips as 16-kHz
// 16-bit PCM; here they become WAV files (44-byte header) and join the upload queue. The
// browser's detector is only the trigger: the server's VAD (Silero) decides whether a clip
// holds speech (docs/PROCTORING.md). At most CLIPS_PER_SITTING clips a sitting (counted in
// localStorage across reloads); the queue sends them at least 5.5 s apart. Upstream
// budget: after a clip the detector rests for the time the clip takes to send at
// CLIP_BYTES_PER_SECOND (at least 5 s), so someone talking all the time gives a 10-s clip
// about every 50 s (about 51 kbit/s on average) and the proctoring upstream stays under
// 128 kbit/s with the snapshots (docs/BENCHMARKS.md).
import { queueClip } from "./uploader";

export const CLIPS_PER_SITTING = 120;
/** Clips' share of the upstream on average: 8 KB/s = 64 kbit/s. */
export const CLIP_BYTES_PER_SECOND = 8 * 1024;
const MIN_REST_MS = 5000;

export function wav(pcm: Int16Array, rate: number): Blob {
  const header = new DataView(new ArrayBuffer(44));
  const text = (offset: number, s: string) => {
    for (let i = 0; i < s.length; i++) header.setUint8(offset + i, s.charCodeAt(i));
  };
  const bytes = pcm.length * 2;
  text(0, "RIFF");
  header.setUint32(4, 36 + bytes, true);
  text(8, "WAVE");
  text(12, "fmt ");
  header.setUint32(16, 16, true); // PCM chunk size
  header.setUint16(20, 1, true); // PCM
  header.setUint16(22, 1, true); // mono
  header.setUint32(24, rate, true);
  header.setUint32(28, rate * 2, true); // bytes a second
  header.setUint16(32, 2, true); // block align
  header.setUint16(34, 16, true); // bits a sample
  text(36, "data");
  header.setUint32(40, bytes, true);
  // Int16Array is little-endian on every platform browsers run on.
  return new Blob([header.buffer, pcm.buffer as ArrayBuffer], { type: "audio/wav" });
}

export class VoiceRecorder {
  private context: AudioContext | null = null;
  private node: AudioWorkletNode | null = null;
  private readonly countKey: string;

  constructor(
    private readonly workletUrl: string,
    attempt: number,
  ) {
    this.countKey = `emtihan-proctoring-clips:${attempt}`;
  }

  private get count(): number {
    return Number(localStorage.getItem(this.countKey) || "0") || 0;
  }

  async start(stream: MediaStream): Promise<void> {
    if (this.count >= CLIPS_PER_SITTING) return;
    const context = new AudioContext();
    this.context = context;
    await context.audioWorklet.addModule(this.workletUrl);
    const source = context.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(context, "emtihan-voice", { numberOfInputs: 1, numberOfOutputs: 0 });
    this.node = node;
    node.port.onmessage = (event: MessageEvent<{ pcm: Int16Array; rate: number }>) => {
      const { pcm, rate } = event.data;
      const startedAt = new Date(Date.now() - (pcm.length / rate) * 1000);
      const n = this.count + 1;
      try {
        localStorage.setItem(this.countKey, String(n));
      } catch {
        /* storage full: the server's cap still holds */
      }
      const clip = wav(pcm, rate);
      void queueClip(clip, startedAt);
      if (n >= CLIPS_PER_SITTING) {
        this.stop();
        return;
      }
      node.port.postMessage("pause");
      const rest = Math.max(MIN_REST_MS, (clip.size / CLIP_BYTES_PER_SECOND) * 1000);
      window.setTimeout(() => this.node?.port.postMessage("resume"), rest);
    };
    source.connect(node);
    if (context.state === "suspended") {
      // Autoplay rules: an AudioContext made without a click may start suspended; the
      // first key press or click in the page resumes it.
      const resume = () => void context.resume();
      document.addEventListener("keydown", resume, { once: true, capture: true });
      document.addEventListener("pointerdown", resume, { once: true, capture: true });
      void context.resume().catch(() => undefined);
    }
  }

  stop(): void {
    this.node?.port.postMessage("pause");
    void this.context?.close().catch(() => undefined);
    this.context = null;
    this.node = null;
  }
}
