// The proctoring upload queue (docs/PROCTORING.md, "In the browser during the sitting").
//
// Snapshots, browser events, voice clips and face detections are written to IndexedDB
// first and removed only when the server has answered, so a reload or an offline spell
// loses nothing. One item is sent at a time, oldest first, at the server's pace: 2.2 s
// between pictures (the server accepts one every 2 s), 5.5 s between clips (5 s), the
// wait of a 429's retry_after_seconds. A network error or a 5xx keeps the item and tries
// again later (backing off up to a minute, and at once when the browser is back online);
// 400/404/410/413/422 drop it with a console note (the server will never take it); a 409
// (no consent, proctoring off, the sitting's limit of that kind reached) stops that kind
// for this page and drops what of it is queued; a 409 on a snapshot stops proctoring
// (onStop: the camera and the microphone are closed). Pictures and clips are bounded (MAX_MEDIA_BYTES): beyond it the oldest
// snapshots go first, then the oldest clips; events are never dropped.

import { currentAttemptToken } from "../api";

export type ItemKind = "snapshot" | "events" | "clip" | "detection";

export interface BrowserEvent {
  kind: string;
  at: string;
  duration_ms?: number | null;
  detail?: Record<string, unknown>;
}

interface Item {
  id?: number;
  attempt: number;
  kind: ItemKind;
  bytes: number;
  blob?: Blob;
  fields?: Record<string, string>;
  events?: BrowserEvent[];
}

export interface Detection {
  kind: "no_face" | "multiple_faces" | "looking_away" | "phone";
  at: Date;
  durationMs: number;
  detail?: Record<string, unknown>;
  keyframe: Blob;
}

const DB_NAME = "emtihan-proctoring";
const STORE = "queue";
export const MAX_MEDIA_BYTES = 12 * 1024 * 1024;
const PICTURE_GAP_MS = 2200;
const CLIP_GAP_MS = 5500;
const MAX_BACKOFF_MS = 60_000;
const DROP_STATUSES = new Set([400, 404, 410, 413, 422]);

function openDb(): Promise<IDBDatabase | null> {
  return new Promise((resolve) => {
    let request: IDBOpenDBRequest;
    try {
      request = indexedDB.open(DB_NAME, 1);
    } catch {
      resolve(null);
      return;
    }
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      store.createIndex("attempt", "attempt");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(null);
    request.onblocked = () => resolve(null);
  });
}

function wrap<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => window.setTimeout(resolve, ms));

export class Uploader {
  private db: IDBDatabase | null = null;
  /** Without IndexedDB (private windows of some browsers) the queue lives in memory. */
  private memory: Item[] = [];
  private nextMemoryId = 1;
  private running = false;
  private stopped = new Set<ItemKind>();
  private wake: (() => void) | null = null;
  private lastPicture = 0;
  private lastClip = 0;
  /** Called once when the server refuses with 409: nothing more is recorded. */
  onStop: (message: string) => void = () => undefined;

  constructor(
    private readonly base: string,
    private readonly csrf: string,
    readonly attempt: number,
  ) {}

  async open(): Promise<void> {
    this.db = await openDb();
    window.addEventListener("online", () => this.kick());
    this.kick();
  }

  get isStopped(): boolean {
    return this.stopped.has("snapshot");
  }

  async add(item: Omit<Item, "attempt" | "id">): Promise<void> {
    if (this.stopped.has(item.kind)) return;
    const full: Item = { ...item, attempt: this.attempt };
    if (this.db) {
      try {
        const tx = this.db.transaction(STORE, "readwrite");
        await wrap(tx.objectStore(STORE).add(full));
      } catch {
        this.memory.push({ ...full, id: -this.nextMemoryId++ });
      }
    } else {
      this.memory.push({ ...full, id: this.nextMemoryId++ });
    }
    if (item.kind !== "events") await this.bound();
    this.kick();
  }

  /** How many items wait (for tests and the indicator). */
  async pending(): Promise<number> {
    return (await this.items()).length;
  }

  private async items(): Promise<Item[]> {
    const stored = this.db
      ? await wrap(
          this.db.transaction(STORE).objectStore(STORE).index("attempt").getAll(IDBKeyRange.only(this.attempt)),
        ).catch(() => [] as Item[])
      : [];
    const all = [...(stored as Item[]), ...this.memory];
    // Memory items (negative ids when IndexedDB failed mid-way) go after the stored ones.
    return all.sort((a, b) => (a.id! < 0 ? 1e15 - a.id! : a.id!) - (b.id! < 0 ? 1e15 - b.id! : b.id!));
  }

  private async remove(item: Item): Promise<void> {
    const index = this.memory.findIndex((m) => m.id === item.id);
    if (index >= 0) {
      this.memory.splice(index, 1);
      return;
    }
    if (this.db) {
      await wrap(this.db.transaction(STORE, "readwrite").objectStore(STORE).delete(item.id!)).catch(() => undefined);
    }
  }

  private async bound(): Promise<void> {
    const items = await this.items();
    let total = items.reduce((sum, i) => sum + (i.kind === "events" ? 0 : i.bytes), 0);
    for (const kind of ["snapshot", "detection", "clip"] as ItemKind[]) {
      for (const item of items) {
        if (total <= MAX_MEDIA_BYTES) return;
        if (item.kind !== kind) continue;
        await this.remove(item);
        total -= item.bytes;
        console.info(`proctoring: queue over ${MAX_MEDIA_BYTES} bytes, dropped the oldest ${kind}`);
      }
    }
  }

  kick(): void {
    if (this.wake) {
      const wake = this.wake;
      this.wake = null;
      wake();
    }
    if (!this.running) void this.run();
  }

  private waitOrWake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = window.setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        window.clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    let backoff = 2000;
    try {
      for (;;) {
        const [item] = await this.items();
        if (!item) break;
        if (!navigator.onLine) {
          await this.waitOrWake(15_000);
          continue;
        }
        const picture = item.kind === "snapshot" || item.kind === "detection";
        const since = Date.now() - (picture ? this.lastPicture : item.kind === "clip" ? this.lastClip : 0);
        const gap = picture ? PICTURE_GAP_MS : item.kind === "clip" ? CLIP_GAP_MS : 0;
        if (since < gap) await sleep(gap - since);
        let status: number;
        let body: Record<string, unknown> = {};
        try {
          const response = await this.post(item);
          status = response.status;
          body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
        } catch {
          status = 0;
        }
        if (picture) this.lastPicture = Date.now();
        if (item.kind === "clip") this.lastClip = Date.now();
        if (status >= 200 && status < 300) {
          backoff = 2000;
          await this.remove(item);
        } else if (status === 429) {
          const after = Number(body.retry_after_seconds);
          await sleep((Number.isFinite(after) && after > 0 ? after : 2) * 1000 + 100);
        } else if (status === 409) {
          this.stopped.add(item.kind);
          console.warn(`proctoring: the server refused (409) ${item.kind}: ${String(body.detail ?? "")}; no more of them`);
          await this.clear(item.kind);
          if (item.kind === "snapshot") this.onStop(String(body.detail ?? ""));
        } else if (DROP_STATUSES.has(status)) {
          console.warn(`proctoring: dropped a ${item.kind} the server refused (${status}): ${String(body.detail ?? "")}`);
          await this.remove(item);
        } else {
          // Offline, a timeout, a 5xx or a 403 (logged out): keep it, try again later.
          await this.waitOrWake(backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async clear(kind: ItemKind): Promise<void> {
    for (const item of await this.items()) if (item.kind === kind) await this.remove(item);
  }

  private post(item: Item): Promise<Response> {
    const url = `${this.base}attempts/${this.attempt}/${item.kind === "detection" ? "detections" : item.kind === "events" ? "events" : item.kind === "clip" ? "clips" : "snapshots"}`;
    const headers: Record<string, string> = { Accept: "application/json", "X-CSRFToken": this.csrf };
    // the sitting token the exam page holds (frontend/src/api.ts): no session read
    const token = currentAttemptToken();
    if (token) headers["X-Attempt-Token"] = token;
    let body: BodyInit;
    if (item.kind === "events") {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify({ events: item.events });
    } else {
      const form = new FormData();
      for (const [name, value] of Object.entries(item.fields ?? {})) form.append(name, value);
      const name = item.kind === "clip" ? "clip.wav" : "frame.jpg";
      form.append("file", item.blob!, name);
      body = form;
    }
    const abort = new AbortController();
    const timer = window.setTimeout(() => abort.abort(), 30_000);
    return fetch(url, {
      method: "POST",
      headers,
      body,
      credentials: "same-origin",
      cache: "no-store",
      signal: abort.signal,
    }).finally(() => window.clearTimeout(timer));
  }
}

let current: Uploader | null = null;

/** The sitting's uploader (set by live.ts once proctoring runs). */
export function setUploader(uploader: Uploader | null): void {
  current = uploader;
}

export function queueSnapshot(jpeg: Blob, takenAt: Date): Promise<void> {
  if (!current) return Promise.resolve();
  return current.add({ kind: "snapshot", bytes: jpeg.size, blob: jpeg, fields: { taken_at: takenAt.toISOString() } });
}

export function queueClip(wav: Blob, startedAt: Date): Promise<void> {
  if (!current) return Promise.resolve();
  return current.add({ kind: "clip", bytes: wav.size, blob: wav, fields: { started_at: startedAt.toISOString() } });
}

export function queueEvents(events: BrowserEvent[]): Promise<void> {
  if (!current || events.length === 0) return Promise.resolve();
  return current.add({ kind: "events", bytes: 0, events });
}

/** A browser face detection with its keyframe (the face worker's output), posted as
 * multipart to /detections: kind, at, duration_ms, detail (JSON text), file (JPEG). */
export function queueDetection(detection: Detection): Promise<void> {
  if (!current) return Promise.resolve();
  return current.add({
    kind: "detection",
    bytes: detection.keyframe.size,
    blob: detection.keyframe,
    fields: {
      kind: detection.kind,
      at: detection.at.toISOString(),
      duration_ms: String(Math.max(0, Math.round(detection.durationMs))),
      detail: JSON.stringify(detection.detail ?? {}),
    },
  });
}
