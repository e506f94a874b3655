// The voice detector, in the audio thread (an AudioWorklet: nothing here runs on the page's
// main thread, so it cannot slow typing). It resamples the microphone to 16 kHz mono
// (averaging the input samples that fall into each output sample: a box filter, enough
// for speech), measures the energy of every 20-ms frame against a running noise floor,
// and when 200 ms of voiced frames come within a short run it records a clip: the second
// before, then until 1 s of quiet or 10 s in all. The finished clip (16-bit PCM) goes to
// the page, which wraps it in a WAV header and queues it (voice.ts). Loaded by
// audioWorklet.addModule from the static files (entry proctoring-voice.js, build.mjs).

declare const sampleRate: number;
declare function registerProcessor(name: string, processor: unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}

const RATE = 16000;
const FRAME = 320; // 20 ms
const PRE_FRAMES = 50; // 1 s kept before speech starts
const START_FRAMES = 10; // 200 ms of voiced frames start a clip
const QUIET_FRAMES = 50; // 1 s of quiet ends it
const MAX_FRAMES = 500; // 10 s at most
const MIN_RMS = 0.015; // about -36 dBFS: below it nothing counts as voice
const NOISE_FACTOR = 3.5; // voiced: this many times the noise floor

class VoiceProcessor extends AudioWorkletProcessor {
  private step = sampleRate / RATE;
  private phase = 0;
  private sum = 0;
  private count = 0;
  private frame = new Float32Array(FRAME);
  private filled = 0;
  private before: Int16Array[] = [];
  private clip: Int16Array[] | null = null;
  private voiced = 0;
  private quiet = 0;
  private noise = 0.004;
  private enabled = true;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent) => {
      if (event.data === "pause") {
        this.enabled = false;
        this.clip = null;
      } else if (event.data === "resume") {
        this.enabled = true;
      }
    };
  }

  process(inputs: Float32Array[][]): boolean {
    const input = inputs[0];
    const channel = input && input[0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) {
      this.sum += channel[i];
      this.count++;
      this.phase += 1;
      if (this.phase >= this.step) {
        this.phase -= this.step;
        this.frame[this.filled++] = this.sum / this.count;
        this.sum = 0;
        this.count = 0;
        if (this.filled === FRAME) {
          this.filled = 0;
          this.onFrame();
        }
      }
    }
    return true;
  }

  private onFrame(): void {
    let energy = 0;
    const pcm = new Int16Array(FRAME);
    for (let i = 0; i < FRAME; i++) {
      const s = this.frame[i];
      energy += s * s;
      pcm[i] = Math.max(-32768, Math.min(32767, Math.round(s * 32767)));
    }
    const rms = Math.sqrt(energy / FRAME);
    const voiced = rms > MIN_RMS && rms > this.noise * NOISE_FACTOR;
    if (!voiced) this.noise = Math.max(0.001, this.noise * 0.97 + rms * 0.03);
    if (this.clip) {
      this.clip.push(pcm);
      this.quiet = voiced ? 0 : this.quiet + 1;
      if (this.quiet >= QUIET_FRAMES || this.clip.length >= MAX_FRAMES) this.finish();
      return;
    }
    this.before.push(pcm);
    if (this.before.length > PRE_FRAMES) this.before.shift();
    this.voiced = voiced ? this.voiced + 1 : Math.max(0, this.voiced - 1);
    if (this.enabled && this.voiced >= START_FRAMES) {
      this.clip = this.before;
      this.before = [];
      this.voiced = 0;
      this.quiet = 0;
    }
  }

  private finish(): void {
    const frames = this.clip!;
    this.clip = null;
    const out = new Int16Array(frames.length * FRAME);
    frames.forEach((f, i) => out.set(f, i * FRAME));
    this.port.postMessage({ pcm: out, rate: RATE }, [out.buffer]);
  }
}

registerProcessor("emtihan-voice", VoiceProcessor);
