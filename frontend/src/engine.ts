// The autosave engine: one queue per question (at most one request on the wire), the
// IndexedDB journal in front of every request, retries with the same key, 409 and 410.
import * as api from "./api";
import * as journal from "./journal";
import { newKey, sameContent } from "./dom";
import type {
  AnswerState,
  AttemptState,
  Content,
  HeartbeatOut,
  JournalEntry,
  Kind,
  QuestionData,
  Receipt,
  SaveOut,
  SendOut,
} from "./types";

export type Display = "empty" | "draft" | "sent" | "edited";
export type LockReason = "time" | "finished";

const DEBOUNCE_MS = 2_000;
const DEBOUNCE_NEAR_END_MS = 300;
const MAX_WAIT_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;
const HEARTBEAT_MS = 30_000;

export function emptyContent(kind: Kind): Content {
  switch (kind) {
    case "written":
      return { doc: { type: "doc", content: [{ type: "paragraph" }] } };
    case "single":
    case "true_false":
      return { choice: null };
    case "multiple":
      return { choices: [] };
    default:
      return { text: "" };
  }
}

export interface Conflict {
  current: AnswerState;
  local: Content;
  op: "draft" | "send";
}

export class Question {
  readonly data: QuestionData;
  content: Content | null;
  base: number;
  state: Display;
  receipt: Receipt | null;
  savedAt: string | null;
  /** Sent and not being edited, sending, in conflict, or locked. */
  readOnly: boolean;
  sending = false;
  pending: JournalEntry | null = null;
  inflight: JournalEntry | null = null;
  refused: JournalEntry | null = null;
  busy = false;
  failures = 0;
  retryTimer = 0;
  debounceTimer = 0;
  firstChange = 0;
  lastChange = 0;
  conflict: Conflict | null = null;
  error = "";
  notAccepted = false;
  /** The view's hook to replace what the inputs show (a conflict resolved for the server). */
  replaceContent: ((content: Content | null) => void) | null = null;
  private listeners = new Set<() => void>();

  constructor(data: QuestionData) {
    this.data = data;
    const a = data.answer;
    this.content = a.content;
    this.base = a.draft_version;
    this.state = a.state;
    this.receipt = a.receipt;
    this.savedAt = a.saved_at;
    this.readOnly = a.state === "sent";
  }

  get id(): number {
    return this.data.id;
  }

  get unsaved(): boolean {
    return !!(this.pending || this.inflight || this.refused);
  }

  on(fn: () => void): void {
    this.listeners.add(fn);
  }

  emit(): void {
    for (const fn of this.listeners) fn();
  }
}

export class Engine {
  readonly state: AttemptState;
  readonly questions: Question[];
  readonly byId = new Map<number, Question>();
  locked: LockReason | null = null;
  lockMessage = "";
  netFailed = false;
  authProblem = false;
  absenceSeconds: number;
  absenceCapSeconds: number;
  private listeners = new Set<() => void>();
  private heartbeatTimer = 0;
  private remaining: () => number = () => Number.POSITIVE_INFINITY;

  constructor(state: AttemptState) {
    this.state = state;
    this.questions = state.questions.map((q) => new Question(q));
    for (const q of this.questions) this.byId.set(q.id, q);
    this.absenceSeconds = state.absence_seconds;
    this.absenceCapSeconds = state.absence_cap_seconds;
    api.onReachable(() => {
      if (this.netFailed) {
        this.netFailed = false;
        this.emit();
      }
    });
  }

  on(fn: () => void): void {
    this.listeners.add(fn);
  }

  emit(): void {
    for (const fn of this.listeners) fn();
  }

  setClock(remaining: () => number): void {
    this.remaining = remaining;
  }

  get saving(): boolean {
    return this.questions.some((q) => q.unsaved);
  }

  // --- start: the journal first ----------------------------------------------------------

  /** Read the journal and show its content (what the student typed and the server has not
   * acknowledged) in place of the server's. */
  async loadJournal(): Promise<void> {
    let entries: JournalEntry[] = [];
    try {
      entries = await journal.load(this.state.id);
    } catch (error) {
      console.warn("journal unreadable", error);
    }
    const stale: string[] = [];
    for (const e of entries) {
      const q = this.byId.get(e.qid);
      if (!q) {
        stale.push(e.key);
        continue;
      }
      // Entries come oldest first; a newer one of the same state supersedes an older one.
      if (e.state === "inflight") {
        if (q.inflight) stale.push(q.inflight.key);
        q.inflight = e;
      } else {
        if (q.pending) stale.push(q.pending.key);
        q.pending = e;
      }
    }
    if (stale.length) void journal.remove(...stale).catch(() => undefined);
    for (const q of this.questions) {
      const latest = q.pending ?? q.inflight;
      if (!latest) continue;
      q.content = latest.content;
      q.state = q.receipt ? "edited" : "draft";
      q.sending = latest.op === "send";
      q.readOnly = q.sending;
      q.firstChange = q.lastChange = latest.time;
    }
  }

  /** Resend everything the journal holds, before anything else happens. */
  replay(): void {
    for (const q of this.questions) {
      if (q.inflight) void this.transmit(q);
      else if (q.pending) this.promote(q);
    }
  }

  startHeartbeat(): void {
    window.clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = window.setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    window.addEventListener("online", () => {
      this.retryAll();
      void this.heartbeat();
    });
    window.addEventListener("offline", () => {
      this.netFailed = true;
      this.emit();
    });
    // Leaving the tab or closing the laptop: save what is waiting now.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.flushNow();
    });
    window.addEventListener("pagehide", () => this.flushNow());
  }

  // --- what the student does ---------------------------------------------------------------

  change(q: Question, content: Content): void {
    if (this.locked || q.conflict) return;
    const now = Date.now();
    q.content = content;
    q.error = "";
    if (q.refused) {
      void journal.remove(q.refused.key).catch(() => undefined);
      q.refused = null;
    }
    q.state = q.receipt ? "edited" : "draft";
    if (q.pending) {
      q.pending.content = content;
      q.pending.time = now;
    } else {
      q.pending = this.entry(q, "draft", content, now);
      q.firstChange = now;
    }
    q.lastChange = now;
    this.journalPut(q.pending);
    this.schedule(q);
    q.emit();
    this.emit();
  }

  send(q: Question): void {
    if (this.locked || q.sending || q.conflict) return;
    q.readOnly = true;
    q.sending = true;
    q.error = "";
    const content = q.content ?? emptyContent(q.data.kind);
    if (q.refused) {
      void journal.remove(q.refused.key).catch(() => undefined);
      q.refused = null;
    }
    if (q.pending) {
      q.pending.op = "send";
      q.pending.content = content;
    } else {
      q.pending = this.entry(q, "send", content, Date.now());
    }
    this.journalPut(q.pending);
    this.schedule(q);
    q.emit();
    this.emit();
  }

  edit(q: Question): void {
    if (this.locked || q.sending || q.conflict) return;
    q.readOnly = false;
    q.emit();
  }

  resolve(q: Question, choice: "server" | "local"): void {
    const c = q.conflict;
    if (!c || this.locked) return;
    q.conflict = null;
    const keys = [q.inflight, q.pending, q.refused].filter(Boolean).map((e) => e!.key);
    q.inflight = q.pending = q.refused = null;
    void journal.remove(...keys).catch(() => undefined);
    q.base = c.current.draft_version;
    q.receipt = c.current.receipt;
    q.error = "";
    if (choice === "server") {
      q.content = c.current.content;
      q.state = c.current.state;
      q.savedAt = c.current.saved_at;
      q.readOnly = q.state === "sent";
      q.sending = false;
      q.replaceContent?.(q.content);
    } else {
      q.content = c.local;
      q.state = q.receipt ? "edited" : "draft";
      q.sending = c.op === "send";
      q.readOnly = q.sending;
      q.pending = this.entry(q, c.op, c.local, Date.now());
      this.journalPut(q.pending);
      this.promote(q);
    }
    q.emit();
    this.emit();
  }

  /** Save everything waiting now; resolves true once nothing is unsaved (or false after
   * `timeoutMs`). */
  async flushAll(timeoutMs: number): Promise<boolean> {
    this.flushNow();
    const until = performance.now() + timeoutMs;
    while (performance.now() < until) {
      if (!this.questions.some((q) => q.pending || q.inflight)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return !this.questions.some((q) => q.pending || q.inflight);
  }

  flushNow(): void {
    for (const q of this.questions) {
      if (q.pending && !q.inflight) this.promote(q);
    }
    this.retryAll();
  }

  lock(reason: LockReason, message: string): void {
    if (this.locked) return;
    this.locked = reason;
    this.lockMessage = message;
    window.clearInterval(this.heartbeatTimer);
    for (const q of this.questions) {
      window.clearTimeout(q.debounceTimer);
      window.clearTimeout(q.retryTimer);
      if (q.unsaved || q.sending) q.notAccepted = true;
      q.readOnly = true;
      q.sending = false;
      q.emit();
    }
    this.emit();
  }

  async heartbeat(): Promise<HeartbeatOut | null> {
    try {
      const r = await api.call<HeartbeatOut>("POST", `${this.state.id}/heartbeat`, {});
      if (r.status === 200) {
        this.authProblem = false;
        this.absenceSeconds = r.data.absence_seconds;
        this.absenceCapSeconds = r.data.absence_cap_seconds;
        if (r.data.status !== "in_progress") {
          const reason: LockReason = r.data.status === "timed_out" ? "time" : "finished";
          if (this.locked) this.locked = reason;
          else this.lock(reason, "");
        }
        this.emit();
        return r.data;
      }
      if (r.status === 401 || r.status === 403) {
        this.authProblem = true;
        this.emit();
      } else if (r.status === 410) {
        this.lock("time", api.errorText(r.data, ""));
      }
      this.emit();
    } catch {
      this.netFailed = true;
      this.emit();
    }
    return null;
  }

  /** A write answered 410: lock now, then ask the heartbeat whether the time is over or
   * the exam was finished (in another tab). */
  ended(message: string): void {
    this.lock("time", message);
    void this.heartbeat();
  }

  // --- the queue ----------------------------------------------------------------------------

  private entry(q: Question, op: "draft" | "send", content: Content, time: number): JournalEntry {
    return {
      key: newKey(),
      attempt: this.state.id,
      qid: q.id,
      op,
      content,
      base_version: q.base,
      time,
      state: "pending",
    };
  }

  private journalPut(entry: JournalEntry): void {
    journal.put(entry).catch((error) => console.warn("journal write failed", error));
  }

  private schedule(q: Question): void {
    window.clearTimeout(q.debounceTimer);
    if (!q.pending || q.inflight || q.conflict || this.locked) return;
    const now = Date.now();
    const debounce = this.remaining() < 30_000 ? DEBOUNCE_NEAR_END_MS : DEBOUNCE_MS;
    const due =
      q.pending.op === "send"
        ? now
        : Math.min(q.lastChange + debounce, (q.firstChange || now) + MAX_WAIT_MS);
    q.debounceTimer = window.setTimeout(() => this.promote(q), Math.max(0, due - now));
  }

  /** The pending change goes on the wire. */
  private promote(q: Question): void {
    window.clearTimeout(q.debounceTimer);
    if (!q.pending || q.inflight || q.conflict || this.locked) return;
    const e = q.pending;
    q.pending = null;
    q.firstChange = 0;
    e.state = "inflight";
    q.inflight = e;
    this.journalPut(e);
    void this.transmit(q);
  }

  private retryAll(): void {
    for (const q of this.questions) {
      if (q.inflight && !q.busy && !q.conflict) {
        window.clearTimeout(q.retryTimer);
        q.failures = 0;
        void this.transmit(q);
      }
    }
  }

  private retry(q: Question): void {
    window.clearTimeout(q.retryTimer);
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** q.failures) * (0.75 + Math.random() * 0.5);
    q.failures = Math.min(q.failures + 1, 10);
    q.retryTimer = window.setTimeout(() => void this.transmit(q), delay);
  }

  private async transmit(q: Question): Promise<void> {
    const e = q.inflight;
    if (!e || q.busy || q.conflict || this.locked) return;
    window.clearTimeout(q.retryTimer);
    q.busy = true;
    q.emit();
    this.emit();
    let r: api.Response<SaveOut & SendOut>;
    try {
      r = await api.call<SaveOut & SendOut>(
        e.op === "send" ? "POST" : "PUT",
        `${this.state.id}/answers/${q.id}/${e.op}`,
        { content: e.content, base_version: e.base_version, key: e.key },
      );
    } catch {
      q.busy = false;
      this.netFailed = true;
      this.retry(q);
      q.emit();
      this.emit();
      return;
    }
    q.busy = false;
    if (q.inflight !== e || this.locked) {
      q.emit();
      return;
    }
    const { status, data } = r;
    if (status === 200) {
      this.acknowledged(q, e, data);
    } else if (status === 409 && data.current) {
      this.stale(q, e, data.current);
    } else if (status === 410) {
      this.ended(api.errorText(data, ""));
    } else if (status === 401 || status === 403) {
      this.authProblem = true;
      q.failures = Math.max(q.failures, 4);
      this.retry(q);
    } else if (status === 400 || status === 404 || status === 409 || status === 422) {
      // Refused as it is: keep it in the journal (nothing typed is lost), say why, and
      // wait for the next change.
      q.refused = e;
      q.inflight = null;
      q.sending = false;
      q.readOnly = false;
      q.error = api.errorText(data, "");
      this.schedule(q);
    } else {
      this.retry(q);
    }
    q.emit();
    this.emit();
  }

  private acknowledged(q: Question, e: JournalEntry, data: SaveOut & SendOut): void {
    this.authProblem = false;
    q.failures = 0;
    q.inflight = null;
    q.error = "";
    void journal.remove(e.key).catch(() => undefined);
    q.base = data.draft_version;
    if (q.pending) {
      q.pending.base_version = q.base;
      this.journalPut(q.pending);
    }
    if (e.op === "send") {
      q.receipt = data.receipt;
      q.sending = false;
      q.savedAt = data.receipt.sent_at;
      if (!q.pending) {
        q.state = "sent";
        q.readOnly = true;
      } else {
        q.state = "edited";
      }
    } else {
      q.savedAt = data.saved_at;
    }
    this.schedule(q);
  }

  private stale(q: Question, e: JournalEntry, current: AnswerState): void {
    const local = (q.pending ?? e).content;
    if (sameContent(current.content, local)) {
      // The server already holds exactly this content: nothing to choose.
      const keys = [e.key, q.pending?.key].filter(Boolean) as string[];
      void journal.remove(...keys).catch(() => undefined);
      q.inflight = q.pending = null;
      q.base = current.draft_version;
      q.receipt = current.receipt;
      q.state = current.state;
      q.savedAt = current.saved_at;
      if (e.op === "send") {
        q.pending = this.entry(q, "send", local, Date.now());
        this.journalPut(q.pending);
        this.promote(q);
      }
      return;
    }
    q.conflict = { current, local, op: e.op };
    q.sending = false;
    q.readOnly = true;
  }
}
