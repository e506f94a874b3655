// Browser events during a proctored sitting (docs/PROCTORING.md, "Browser events"): a
// hidden tab, a window in front, leaving full screen, a paste of text copied outside the
// exam page (its length only, never its content), offline spells, a second screen where
// the browser can tell, and the camera lost. Lasting things (hidden, blur, offline) are
// sent when they end, `at` = when they began, with their duration. Events are batched:
// sent every 5 s, at most 50 a request, through the upload queue.
//
// An offline spell is also kept in localStorage while it lasts (keyed by the attempt): a
// page left while offline stamps its end there, and the next start() for the attempt
// (or the page shown again from the back-forward cache) sends it with `page_left`. Not
// through the queue in pagehide: an IndexedDB write started there may be aborted with the
// page (journal.ts has the same reason), while a localStorage write is done when it
// returns.
import { queueEvents, type BrowserEvent } from "./uploader";

const BATCH = 50;
const FLUSH_MS = 5000;
/** How many texts copied inside the page are remembered (compared with pastes). */
const COPIED_KEPT = 20;

/** An offline spell in localStorage: when it began and, once the page was left, when. */
interface StoredSpell {
  at: string;
  left?: string;
}

export class EventRecorder {
  private buffer: BrowserEvent[] = [];
  private hiddenAt: Date | null = null;
  private blurAt: Date | null = null;
  private offlineAt: Date | null = null;
  private copied: string[] = [];
  private wasFullscreen = false;
  private timer = 0;
  private secondScreenSent = false;
  private readonly spellKey: string;

  constructor(attempt: number) {
    this.spellKey = `emtihan-proctoring-offline:${attempt}`;
  }

  start(): void {
    document.addEventListener("visibilitychange", () => this.onVisibility());
    window.addEventListener("blur", () => {
      // A hidden tab also blurs the window: that is the tab's event, not a second one.
      if (!document.hidden && !this.blurAt) this.blurAt = new Date();
    });
    window.addEventListener("focus", () => this.endBlur());
    document.addEventListener("fullscreenchange", () => {
      if (document.fullscreenElement) this.wasFullscreen = true;
      else if (this.wasFullscreen) {
        this.wasFullscreen = false;
        this.record("fullscreen_exit", new Date());
      }
    });
    document.addEventListener("copy", () => this.remember(), true);
    document.addEventListener("cut", () => this.remember(), true);
    document.addEventListener("paste", (event) => this.onPaste(event as ClipboardEvent), true);
    window.addEventListener("offline", () => {
      if (!this.offlineAt) this.beginOffline();
    });
    window.addEventListener("online", () => {
      if (!this.offlineAt) return;
      const began = this.offlineAt;
      this.offlineAt = null;
      this.writeSpell(null);
      this.record("offline", began, Date.now() - began.getTime());
    });
    // A spell the last page of this attempt was left in, before this page's own.
    this.sendLeftSpell();
    if (!navigator.onLine) this.beginOffline();
    if (document.hidden) this.hiddenAt = new Date();
    void this.watchScreens();
    this.timer = window.setInterval(() => this.flush(), FLUSH_MS);
    // Leaving the page: what is buffered goes to the queue (IndexedDB) to be sent later.
    window.addEventListener("pagehide", () => {
      this.endHidden();
      if (this.offlineAt) {
        // Leaving while offline: the spell so far, sent by the next page (which starts a
        // new one if still offline); through the queue only where localStorage fails.
        const began = this.offlineAt;
        this.offlineAt = null;
        const left = new Date();
        if (!this.writeSpell({ at: began.toISOString(), left: left.toISOString() })) {
          this.record("offline", began, left.getTime() - began.getTime(), { page_left: true });
        }
      }
      this.flush();
    });
    // Back from the back-forward cache: no new start(), so do what one would.
    window.addEventListener("pageshow", (event) => {
      if (!event.persisted) return;
      this.sendLeftSpell();
      if (!navigator.onLine && !this.offlineAt) this.beginOffline();
    });
  }

  stop(): void {
    window.clearInterval(this.timer);
    this.flush();
  }

  record(kind: string, at: Date, durationMs?: number, detail: Record<string, unknown> = {}): void {
    const event: BrowserEvent = { kind, at: at.toISOString(), detail };
    if (durationMs !== undefined) event.duration_ms = Math.max(0, Math.round(durationMs));
    this.buffer.push(event);
    if (this.buffer.length >= BATCH) this.flush();
  }

  flush(): void {
    while (this.buffer.length) void queueEvents(this.buffer.splice(0, BATCH));
  }

  private beginOffline(): void {
    this.offlineAt = new Date();
    this.writeSpell({ at: this.offlineAt.toISOString() });
  }

  /** Queue the spell a page of this attempt was left in. Without an end (the page went
   * without a pagehide: a crash, the browser killed) its duration is unknown: none sent. */
  private sendLeftSpell(): void {
    let spell: StoredSpell | null = null;
    try {
      spell = JSON.parse(localStorage.getItem(this.spellKey) ?? "null") as StoredSpell | null;
    } catch {
      /* unreadable or disabled: nothing to send */
    }
    if (!spell) return;
    this.writeSpell(null);
    const at = new Date(spell.at);
    if (Number.isNaN(at.getTime())) return;
    const left = spell.left ? new Date(spell.left).getTime() : NaN;
    this.record("offline", at, Number.isNaN(left) ? undefined : left - at.getTime(), { page_left: true });
    this.flush();
  }

  /** Keep (or, with null, forget) the open spell; false where localStorage refuses. */
  private writeSpell(spell: StoredSpell | null): boolean {
    try {
      if (spell) localStorage.setItem(this.spellKey, JSON.stringify(spell));
      else localStorage.removeItem(this.spellKey);
      return true;
    } catch {
      return false; // private mode, storage full or disabled
    }
  }

  private onVisibility(): void {
    if (document.hidden) {
      if (!this.hiddenAt) this.hiddenAt = new Date();
      this.blurAt = null;
    } else {
      this.endHidden();
      this.flush();
    }
  }

  private endHidden(): void {
    if (!this.hiddenAt) return;
    const began = this.hiddenAt;
    this.hiddenAt = null;
    this.record("tab_hidden", began, Date.now() - began.getTime());
  }

  private endBlur(): void {
    if (!this.blurAt) return;
    const began = this.blurAt;
    this.blurAt = null;
    this.record("window_blur", began, Date.now() - began.getTime());
  }

  private remember(): void {
    const text = normalise(document.getSelection()?.toString() ?? "");
    const active = document.activeElement;
    let selected = text;
    if (!selected && (active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement)) {
      selected = normalise(active.value.slice(active.selectionStart ?? 0, active.selectionEnd ?? 0));
    }
    if (!selected) return;
    this.copied.push(selected);
    if (this.copied.length > COPIED_KEPT) this.copied.shift();
  }

  private onPaste(event: ClipboardEvent): void {
    const text = normalise(event.clipboardData?.getData("text/plain") ?? "");
    if (!text) return;
    // Copied inside the page (answers moved between questions): not reported.
    if (this.copied.some((c) => c === text || c.includes(text))) return;
    this.record("paste_outside", new Date(), undefined, { length: text.length });
  }

  private async watchScreens(): Promise<void> {
    const screenExt = window.screen as Screen & { isExtended?: boolean } & EventTarget;
    if (typeof screenExt.isExtended !== "boolean") return; // the browser cannot tell
    const check = () => {
      if (screenExt.isExtended && !this.secondScreenSent) {
        this.secondScreenSent = true;
        this.record("second_screen", new Date(), undefined, { source: "screen.isExtended" });
      } else if (!screenExt.isExtended) {
        this.secondScreenSent = false;
      }
    };
    check();
    screenExt.addEventListener?.("change", check);
  }
}

function normalise(text: string): string {
  return text.replace(/\r\n/g, "\n").trim();
}
