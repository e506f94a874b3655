// Turns the worker's readings into detections: one per stretch of a condition (no face,
// several faces, looking away, a phone in view) that lasted long enough. Pure: no DOM,
// no timers; the caller passes each reading with its time (docs/PROCTORING.md).
import type { FaceReading } from "./protocol";
import {
  ABSENT_MIN_SECONDS,
  LOOKING_AWAY_MIN_SECONDS,
  LOOKING_AWAY_PITCH_DEGREES,
  LOOKING_AWAY_YAW_DEGREES,
  MAX_STRETCH_MS,
  MIN_CONSECUTIVE_READINGS,
  MULTIPLE_FACES_MIN,
} from "./thresholds";

export type DetectionKind = "no_face" | "multiple_faces" | "looking_away" | "phone";
export const DETECTION_KINDS: readonly DetectionKind[] = ["no_face", "multiple_faces", "looking_away", "phone"];

export interface TrackerOptions {
  /** No face for at least this long (ms). */
  absentMs: number;
  /** Looking away for at least this long (ms). */
  lookingAwayMs: number;
  /** Several faces / a phone: for at least this long (ms); and on MIN_CONSECUTIVE_READINGS readings. */
  multipleFacesMs: number;
  phoneMs: number;
  yawDegrees: number;
  pitchDegrees: number;
  /** The student's own straight pose (from the identity check); 0/0 without one. */
  baseline: { yaw: number; pitch: number };
  minConsecutive: number;
  /** A stretch longer than this is sent and a new one begins. */
  maxStretchMs: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  absentMs: ABSENT_MIN_SECONDS * 1000,
  lookingAwayMs: LOOKING_AWAY_MIN_SECONDS * 1000,
  multipleFacesMs: 0,
  phoneMs: 0,
  yawDegrees: LOOKING_AWAY_YAW_DEGREES,
  pitchDegrees: LOOKING_AWAY_PITCH_DEGREES,
  baseline: { yaw: 0, pitch: 0 },
  minConsecutive: MIN_CONSECUTIVE_READINGS,
  maxStretchMs: MAX_STRETCH_MS,
};

/** A stretch that has become a detection (the client adds the keyframe). */
export interface Stretch {
  kind: DetectionKind;
  /** When it began, ms on the caller's clock. */
  start: number;
  durationMs: number;
  /** Readings that showed it. */
  readings: number;
  /** The most faces seen, the largest head turn seen (degrees), ... */
  detail: Record<string, number>;
}

interface Open {
  start: number;
  last: number;
  readings: number;
  detail: Record<string, number>;
  /** The keyframe has been asked for (once the stretch qualified on readings). */
  keyframeAsked: boolean;
}

/** What one reading changed: stretches to send now, and kinds whose keyframe to take now. */
export interface Step {
  done: Stretch[];
  keyframe: DetectionKind[];
}

export class FaceTracker {
  readonly options: TrackerOptions;
  private open = new Map<DetectionKind, Open>();

  constructor(options: Partial<TrackerOptions> = {}) {
    this.options = { ...DEFAULT_TRACKER_OPTIONS, ...options };
  }

  /** Which conditions a reading shows (null: unknown, e.g. the phone detector did not run). */
  conditions(r: FaceReading): Record<DetectionKind, boolean | null> {
    const o = this.options;
    const turned =
      r.faces >= 1 &&
      ((r.yaw !== null && Math.abs(r.yaw - o.baseline.yaw) > o.yawDegrees) ||
        (r.pitch !== null && Math.abs(r.pitch - o.baseline.pitch) > o.pitchDegrees));
    return {
      no_face: r.faces === 0,
      multiple_faces: r.faces >= MULTIPLE_FACES_MIN,
      // Several faces: whose head is turned is not clear; that stretch is multiple_faces.
      looking_away: r.faces >= MULTIPLE_FACES_MIN ? null : turned,
      phone: r.phone,
    };
  }

  private minMs(kind: DetectionKind): number {
    const o = this.options;
    return { no_face: o.absentMs, multiple_faces: o.multipleFacesMs, looking_away: o.lookingAwayMs, phone: o.phoneMs }[kind];
  }

  private qualifies(kind: DetectionKind, s: Open, end: number): boolean {
    return s.readings >= this.options.minConsecutive && end - s.start >= this.minMs(kind);
  }

  private close(kind: DetectionKind, s: Open, end: number): Stretch {
    return { kind, start: s.start, durationMs: Math.max(0, Math.round(end - s.start)), readings: s.readings, detail: s.detail };
  }

  /** Feed one reading taken at time `t` (ms). */
  push(r: FaceReading, t: number): Step {
    const step: Step = { done: [], keyframe: [] };
    const seen = this.conditions(r);
    for (const kind of DETECTION_KINDS) {
      const on = seen[kind];
      if (on === null) continue;
      const s = this.open.get(kind);
      if (!on) {
        if (s) {
          this.open.delete(kind);
          if (this.qualifies(kind, s, t)) step.done.push(this.close(kind, s, t));
        }
        continue;
      }
      const cur = s ?? { start: t, last: t, readings: 0, detail: {}, keyframeAsked: false };
      cur.readings += 1;
      cur.last = t;
      note(cur.detail, kind, r, this.options);
      if (!s) this.open.set(kind, cur);
      if (!cur.keyframeAsked && cur.readings >= this.options.minConsecutive) {
        cur.keyframeAsked = true;
        step.keyframe.push(kind);
      }
      if (t - cur.start >= this.options.maxStretchMs && this.qualifies(kind, cur, t)) {
        step.done.push(this.close(kind, cur, t));
        this.open.set(kind, { start: t, last: t, readings: 0, detail: {}, keyframeAsked: false });
      }
    }
    return step;
  }

  /** End every open stretch at time `t` (the watcher stops, the page is left). */
  flush(t: number): Stretch[] {
    const done: Stretch[] = [];
    for (const [kind, s] of this.open) if (this.qualifies(kind, s, t)) done.push(this.close(kind, s, t));
    this.open.clear();
    return done;
  }
}

function note(detail: Record<string, number>, kind: DetectionKind, r: FaceReading, o: TrackerOptions): void {
  if (kind === "multiple_faces") detail.max_faces = Math.max(detail.max_faces ?? 0, r.faces);
  if (kind === "looking_away") {
    if (r.yaw !== null) {
      const yaw = Math.round((r.yaw - o.baseline.yaw) * 10) / 10;
      if (Math.abs(yaw) > Math.abs(detail.max_yaw ?? 0)) detail.max_yaw = yaw;
    }
    if (r.pitch !== null) {
      const pitch = Math.round((r.pitch - o.baseline.pitch) * 10) / 10;
      if (Math.abs(pitch) > Math.abs(detail.max_pitch ?? 0)) detail.max_pitch = pitch;
    }
    detail.yaw_threshold = o.yawDegrees;
    detail.pitch_threshold = o.pitchDegrees;
  }
}
