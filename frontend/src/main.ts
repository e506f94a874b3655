// The exam page: a TypeScript island on the server-rendered shell of
// emtihan/templates/attempts/sitting.html. It talks only to the JSON API of
// docs/EXAM-SITTING.md.
import "./exam.css";
import * as api from "./api";
import * as clock from "./clock";
import { closedView, type AnswerView } from "./closed";
import { h, newKey } from "./dom";
import { Engine, type Question } from "./engine";
import { lang, loadI18n, t } from "./i18n";
import { loadKatex, renderMathIn } from "./math-render";
import { preview } from "./preview";
import type { AttemptState, PictureOut } from "./types";

const STATIC_BASE = new URL("./", import.meta.url);
const FONTS_URL = new URL("fonts", STATIC_BASE).href;

interface Config {
  apiBase: string;
  csrf: string;
  finishedUrl: string;
  homeUrl: string;
}

// The server's active time zone for this student (their choice, or the university's), so
// the receipts here show the same clock as the server-rendered pages.
let timeZone: string | undefined;

function timeFormat(): Intl.DateTimeFormat {
  const options: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false };
  try {
    return new Intl.DateTimeFormat(lang(), { ...options, timeZone });
  } catch {
    return new Intl.DateTimeFormat(lang(), options); // a zone this browser does not know
  }
}

function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : timeFormat().format(date);
}

/** Screen readers hear these once each when the time left drops below them. */
const TIME_WARNINGS_MIN = [10, 5, 1];

function minutes(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

class Page {
  readonly engine: Engine;
  readonly cfg: Config;
  readonly state: AttemptState;
  private views = new Map<number, { section: HTMLElement; answer: AnswerView | null; update: () => void }>();
  private navButtons = new Map<number, HTMLButtonElement>();
  private countdown = h("strong", { class: "countdown", "data-testid": "countdown" });
  private absence = h("span", { class: "absence" });
  private net = h("span", { class: "conn-net" });
  private save = h("span", { class: "conn-save" });
  private banner = h("div", { class: "banner", role: "alert", hidden: true });
  // The page's one polite live region (saves, receipts, conflicts) and one assertive one
  // (time running low); nothing else on the page is live, so nothing is said twice.
  private status = h("div", { class: "visually-hidden", role: "status", "data-testid": "announcer" });
  private alarm = h("div", { class: "visually-hidden", role: "alert", "data-testid": "time-warning" });
  /** Thresholds (minutes) already announced; filled on the first tick with those passed. */
  private warned: Set<number> | null = null;
  private finishButton = h("button", { type: "button", class: "finish", text: t("finish") });
  private questionsBox = h("div", { class: "questions" });
  private writtenModule: Promise<typeof import("./written")> | null = null;
  private dirty = new Set<number>();
  private frame = 0;

  constructor(state: AttemptState, cfg: Config) {
    this.state = state;
    this.cfg = cfg;
    this.engine = new Engine(state);
    this.engine.setClock(clock.remainingMs);
  }

  async start(root: HTMLElement): Promise<void> {
    await this.engine.loadJournal();
    root.replaceChildren(this.render());
    this.engine.replay();
    this.engine.startHeartbeat();
    this.engine.on(() => this.schedule(null));
    this.updateHeader();
    this.tick();
    window.setInterval(() => this.tick(), 250);
    if (this.state.questions.some((q) => q.kind === "written")) {
      // KaTeX is small: fetch it while the link is idle, so formulas draw even offline later.
      window.setTimeout(() => void loadKatex().catch(() => undefined), 1500);
    }
  }

  // --- layout -------------------------------------------------------------------------------

  private render(): HTMLElement {
    const exam = this.state.exam;
    this.finishButton.addEventListener("click", () => this.confirmFinish());
    const header = h(
      "header",
      { class: "sit-header" },
      h("h1", { class: "exam-title", text: exam.title }),
      h("div", { class: "timer", role: "timer" }, h("span", { class: "label", text: t("time_left") }), " ", this.countdown),
      this.absence,
      h("div", { class: "conn" }, this.net, this.save),
      this.finishButton,
    );
    const nav = h("nav", { class: "navigator", "aria-label": t("questions") }, h("h2", { text: t("questions") }));
    const grid = h("div", { class: "nav-grid" });
    nav.append(grid);
    this.engine.questions.forEach((q, index) => {
      const b = h("button", {
        type: "button",
        class: "nav-btn",
        "data-number": String(q.data.number),
        "aria-controls": `q-${q.data.number}`,
        onclick: () => this.show(index, true),
      });
      this.navButtons.set(q.id, b);
      grid.append(b);
      this.questionsBox.append(this.renderQuestion(q, index));
    });
    nav.append(
      h(
        "ul",
        { class: "legend" },
        ...(["empty", "draft", "sent", "edited"] as const).map((s) =>
          h("li", null, h("span", { class: `swatch st-${s}` }), " ", t(`state_${s}`)),
        ),
      ),
    );
    if (exam.allowed_other || exam.description) {
      nav.append(
        h(
          "details",
          { class: "exam-description" },
          h("summary", { text: t("description") }),
          h("div", { class: "instruction-text", text: [exam.description, exam.allowed_other].filter(Boolean).join("\n\n") }),
        ),
      );
    }
    this.show(0, false);
    // The shell's skip link ("Skip to the question", the page's first Tab stop) lands on
    // the shown question's heading; the next Tab reaches its answer.
    document.querySelector<HTMLAnchorElement>("a.skip-link")?.addEventListener("click", (event) => {
      event.preventDefault();
      this.focusCurrent();
    });
    return h(
      "div",
      { class: "sitting-app" },
      header,
      this.banner,
      h("div", { class: "sit-layout" }, nav, h("main", { class: "sit-main", id: "sit-main", tabindex: "-1" }, this.questionsBox)),
      this.status,
      this.alarm,
    );
  }

  private focusCurrent(): void {
    const shown = [...this.views.values()].find((v) => !v.section.hidden);
    shown?.section.querySelector<HTMLElement>("h2")?.focus();
  }

  /** Say something once through the polite live region (a new node each time, so the
   * same words twice are still read twice). */
  private announce(text: string): void {
    if (text) this.status.replaceChildren(h("p", { text }));
  }

  private show(index: number, focus: boolean): void {
    const q = this.engine.questions[index];
    if (!q) return;
    for (const [id, view] of this.views) view.section.hidden = id !== q.id;
    for (const [id, b] of this.navButtons) {
      if (id === q.id) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    }
    if (focus) {
      const view = this.views.get(q.id);
      view?.section.querySelector<HTMLElement>("h2")?.focus();
      window.scrollTo({ top: 0 });
    }
  }

  private renderQuestion(q: Question, index: number): HTMLElement {
    const data = q.data;
    const exam = this.state.exam;
    const badge = h("span", { class: "qstate" });
    const title = h("h2", { tabindex: "-1", text: t("question_n", { n: data.number }) });
    const answerBox = h("div", { class: "answer" });
    const conflictBox = h("div", { class: "conflict", hidden: true });
    const error = h("p", { class: "q-error", role: "alert" });
    const notAccepted = h("p", { class: "not-accepted", hidden: true, text: t("not_accepted") });
    const sendButton = h("button", { type: "button", class: "primary send", "data-action": "send" });
    const saveState = h("span", { class: "save-state" });
    const receipt = h("p", { class: "receipt", hidden: true });
    const section = h(
      "section",
      {
        class: `question kind-${data.kind}`,
        id: `q-${data.number}`,
        "data-qid": String(data.id),
        "data-number": String(data.number),
        "data-kind": data.kind,
        "aria-labelledby": `q-${data.number}-title`,
      },
      h(
        "header",
        { class: "qhead" },
        title,
        h("span", { class: "points", text: t("points", { n: formatPoints(data.points) }) }),
        badge,
      ),
      h("div", { class: "qbody", html: data.body_html }),
      answerBox,
      conflictBox,
      error,
      notAccepted,
      h("div", { class: "q-actions" }, sendButton, saveState),
      receipt,
      h(
        "div",
        { class: "q-nav" },
        index > 0
          ? h("button", { type: "button", class: "prev", text: t("previous"), onclick: () => this.show(index - 1, true) })
          : null,
        index < this.engine.questions.length - 1
          ? h("button", { type: "button", class: "next", text: t("next"), onclick: () => this.show(index + 1, true) })
          : null,
      ),
    );
    title.id = `q-${data.number}-title`;

    const view: { section: HTMLElement; answer: AnswerView | null; update: () => void } = {
      section,
      answer: null,
      update: () => undefined,
    };
    const attach = (answer: AnswerView): void => {
      view.answer = answer;
      answerBox.replaceChildren(answer.el);
      answer.setContent(q.content);
      q.replaceContent = (content) => answer.setContent(content);
      view.update();
    };
    if (data.kind === "written") {
      answerBox.append(h("p", { class: "muted", text: t("editor_loading") }));
      this.loadWritten()
        .then((m) => {
          attach(
            m.writtenView(
              { ...data, answer: { ...data.answer, content: q.content } },
              {
                allowFormulas: exam.allow_formulas,
                allowDrawings: exam.allow_drawings,
                allowPictures: exam.allow_pictures,
                fontsUrl: FONTS_URL,
                upload: (file, name) => this.upload(file, name),
                onChange: (content) => this.engine.change(q, content),
                onError: (message) => {
                  error.textContent = message;
                },
              },
            ),
          );
        })
        .catch(() => {
          answerBox.replaceChildren(
            h("p", { class: "q-error", text: t("chunk_offline") }),
            h("button", { type: "button", text: t("reload"), onclick: () => location.reload() }),
          );
        });
    } else {
      attach(closedView(data, (content) => this.engine.change(q, content)));
      renderMathIn(answerBox);
    }
    renderMathIn(section.querySelector<HTMLElement>(".qbody") ?? section);

    // The button is never `disabled` (focus would fall to the page's body while sending):
    // it is aria-disabled and does nothing until the receipt comes back, keeping focus.
    sendButton.addEventListener("click", () => {
      if (sendButton.getAttribute("aria-disabled") === "true") return;
      if (q.readOnly && q.state === "sent" && !q.sending) {
        this.engine.edit(q);
        const focusable = section.querySelector<HTMLElement>(".ProseMirror, input:not([type=hidden])");
        focusable?.focus();
      } else {
        this.engine.send(q);
      }
    });

    // What the live region last said of this question (null: not drawn yet, nothing to say).
    const said: { save: string | null; receipt: string; conflict: boolean } = {
      save: null,
      receipt: q.receipt ? receiptText(q) : "",
      conflict: !!q.conflict,
    };
    view.update = () => {
      const locked = this.engine.locked;
      const state = q.state;
      badge.className = `qstate st-${state}`;
      badge.textContent = t(`state_${state}`);
      section.dataset.state = state;
      const nav = this.navButtons.get(q.id);
      if (nav) {
        nav.className = `nav-btn st-${state}${q.unsaved ? " unsaved" : ""}${q.conflict ? " has-conflict" : ""}`;
        // The name is the visible text plus words for the ear ("Question 3, draft"), so
        // speech input can say what is shown.
        const [before, after] = t("question_n", { n: "\u0000" }).split("\u0000");
        nav.replaceChildren(
          h(
            "span",
            { class: "n" },
            before ? h("span", { class: "visually-hidden", text: before }) : null,
            String(data.number),
            after ? h("span", { class: "visually-hidden", text: after }) : null,
          ),
          h("span", { class: "visually-hidden", text: ", " }),
          h("span", { class: "lbl", text: q.conflict ? t("conflict_short") : t(`state_${state}`) }),
        );
        nav.dataset.state = state;
      }
      view.answer?.setEditable(!q.readOnly && !locked);
      // Send / Edit
      const inert = (off: boolean): void => {
        if (off) sendButton.setAttribute("aria-disabled", "true");
        else sendButton.removeAttribute("aria-disabled");
      };
      if (locked) {
        sendButton.hidden = true;
      } else if (q.sending) {
        sendButton.hidden = false;
        inert(true);
        sendButton.textContent = t("sending");
      } else if (q.readOnly && state === "sent") {
        sendButton.hidden = false;
        inert(false);
        sendButton.textContent = t("edit");
        sendButton.dataset.action = "edit";
      } else {
        sendButton.hidden = false;
        inert(!!q.conflict);
        sendButton.textContent = t("send");
        sendButton.dataset.action = "send";
      }
      // Saving state
      let saveText = "";
      if (q.conflict) saveText = "";
      else if (q.refused) saveText = t("not_saved");
      else if (q.pending || q.inflight) saveText = this.engine.netFailed ? t("waiting_connection") : t("saving");
      else if (q.savedAt && state !== "sent") saveText = t("saved_at", { time: formatTime(q.savedAt) });
      saveState.textContent = locked ? "" : saveText;
      // Said once, for the question on screen: a save, a refusal, a receipt, a conflict.
      const shown = !section.hidden;
      if (!locked && saveText !== said.save) {
        // Only "Saved automatically at …" is said: "Saving…" comes every few seconds, and
        // a refusal or the lost connection is said by their alerts.
        const saved = !!q.savedAt && saveText === t("saved_at", { time: formatTime(q.savedAt) });
        if (said.save !== null && shown && saved) this.announce(saveText);
        said.save = saveText;
      }
      const receiptNow = q.receipt ? receiptText(q) : "";
      if (receiptNow !== said.receipt) {
        said.receipt = receiptNow;
        if (receiptNow && state === "sent") this.announce(t("sent_announce", { n: data.number, receipt: receiptNow }));
      }
      if (!!q.conflict !== said.conflict) {
        said.conflict = !!q.conflict;
        if (q.conflict) this.announce(`${t("question_n", { n: data.number })}: ${t("conflict_title")}`);
      }
      // Receipt
      if (q.receipt) {
        receipt.hidden = false;
        receipt.replaceChildren(
          h("span", { class: "label", text: t("receipt") + " " }),
          h("span", { class: "receipt-code", text: receiptText(q) }),
          state === "edited" ? h("span", { class: "muted", text: " " + t("edited_note") }) : "",
        );
      } else {
        receipt.hidden = true;
      }
      error.textContent = q.error;
      notAccepted.hidden = !q.notAccepted;
      this.renderConflict(q, conflictBox);
    };
    q.on(() => this.schedule(q.id));
    this.views.set(q.id, view);
    view.update();
    return section;
  }

  /** Redraw a question (or all, and the header) once per frame, however many events. */
  private schedule(id: number | null): void {
    if (id === null) for (const q of this.engine.questions) this.dirty.add(q.id);
    else this.dirty.add(id);
    if (this.frame) return;
    const run = (): void => {
      this.frame = 0;
      window.clearTimeout(fallback);
      const ids = [...this.dirty];
      this.dirty.clear();
      for (const qid of ids) this.views.get(qid)?.update();
      this.updateHeader();
    };
    // requestAnimationFrame does not run in a hidden tab; the timeout still does.
    this.frame = requestAnimationFrame(run);
    const fallback = window.setTimeout(() => {
      if (this.frame) {
        cancelAnimationFrame(this.frame);
        run();
      }
    }, 500);
  }

  private renderConflict(q: Question, box: HTMLElement): void {
    const c = q.conflict;
    if (!c) {
      if (!box.hidden) {
        box.hidden = true;
        box.replaceChildren();
      }
      return;
    }
    if (!box.hidden && box.dataset.version === String(c.current.draft_version)) return;
    box.hidden = false;
    box.dataset.version = String(c.current.draft_version);
    box.replaceChildren(
      h("h3", { text: t("conflict_title") }),
      h("p", { text: t("conflict_text") }),
      h(
        "div",
        { class: "conflict-sides" },
        h(
          "div",
          { class: "side side-server" },
          h("h4", { text: t("conflict_server", { time: formatTime(c.current.saved_at) }) }),
          preview(q.data, c.current.content),
          h("button", {
            type: "button",
            "data-action": "keep-server",
            text: t("keep_server"),
            onclick: () => this.engine.resolve(q, "server"),
          }),
        ),
        h(
          "div",
          { class: "side side-local" },
          h("h4", { text: t("conflict_local") }),
          preview(q.data, c.local),
          h("button", {
            type: "button",
            class: "primary",
            "data-action": "keep-local",
            text: t("keep_local"),
            onclick: () => this.engine.resolve(q, "local"),
          }),
        ),
      ),
    );
  }

  private loadWritten(): Promise<typeof import("./written")> {
    if (!this.writtenModule) {
      this.writtenModule = import("./written").catch((error) => {
        this.writtenModule = null;
        throw error;
      });
    }
    return this.writtenModule;
  }

  private async upload(file: Blob, name: string): Promise<string> {
    const form = new FormData();
    form.append("file", file, name);
    let r: api.Response<PictureOut>;
    try {
      r = await api.call<PictureOut>("POST", `${this.state.id}/pictures`, form, 180_000);
    } catch {
      throw new Error(t("upload_offline"));
    }
    if (r.status === 201 && r.data.src) return r.data.src;
    if (r.status === 410) this.engine.ended(api.errorText(r.data, ""));
    throw new Error(api.errorText(r.data, t("upload_failed")));
  }

  // --- header: time, absence, connection -----------------------------------------------------

  private tick(): void {
    const left = clock.remainingMs();
    if (Number.isFinite(left)) this.countdown.textContent = clock.format(left);
    this.countdown.classList.toggle("low", left < 5 * 60_000);
    this.warnLowTime(left);
    if (left <= 0 && !this.engine.locked) {
      this.engine.lock("time", "");
      // Tell the server (it locks the attempt on the next request after the deadline).
      void this.engine.heartbeat();
    }
  }

  /** "Less than 10 minutes left" (5, 1) through the assertive live region, once each as
   * the time drops below it; those already passed when the page opens are not said. A
   * deadline moved later (extra time) arms them again. */
  private warnLowTime(left: number): void {
    if (!Number.isFinite(left) || this.engine.locked) return;
    const first = this.warned === null;
    const warned = (this.warned ??= new Set());
    for (const m of TIME_WARNINGS_MIN) if (left > (m + 1) * 60_000) warned.delete(m);
    const below = TIME_WARNINGS_MIN.filter((m) => left < m * 60_000 && left > 0 && !warned.has(m));
    if (!below.length) return;
    for (const m of below) warned.add(m);
    if (!first) this.alarm.replaceChildren(h("p", { text: t(`time_warning_${Math.min(...below)}`) }));
  }

  private updateHeader(): void {
    const e = this.engine;
    const used = e.absenceSeconds;
    const cap = e.absenceCapSeconds;
    this.absence.textContent = t("absence", { used: minutes(used), left: minutes(Math.max(0, cap - used)) });
    this.absence.classList.toggle("over", used > cap);
    this.net.textContent = e.netFailed ? t("offline") : t("online");
    this.net.className = `conn-net ${e.netFailed ? "is-offline" : "is-online"}`;
    const saving = e.saving;
    this.save.textContent = saving ? t("saving") : t("all_saved");
    this.save.hidden = !!e.locked;
    this.save.className = `conn-save ${saving ? "is-saving" : "is-saved"}`;
    const conn = this.net.parentElement;
    if (conn) conn.dataset.state = e.locked ? "locked" : e.netFailed ? "offline" : saving ? "saving" : "saved";
    this.finishButton.hidden = !!e.locked;
    if (e.locked) {
      this.banner.hidden = false;
      this.banner.className = "banner banner-locked";
      this.banner.replaceChildren(
        h("strong", { text: e.locked === "time" ? t("time_over") : t("finished_message") }),
        " ",
        e.questions.some((q) => q.notAccepted) ? h("span", { text: t("not_accepted_summary") + " " }) : "",
        h("a", { href: this.cfg.finishedUrl, class: "button primary", text: t("see_receipts") }),
      );
      this.countdown.textContent = clock.format(0);
    } else if (e.authProblem) {
      this.banner.hidden = false;
      this.banner.className = "banner banner-warn";
      this.banner.replaceChildren(
        h("strong", { text: t("session_problem") }),
        " ",
        h("button", { type: "button", text: t("reload"), onclick: () => location.reload() }),
      );
    } else if (e.netFailed) {
      this.banner.hidden = false;
      this.banner.className = "banner banner-warn";
      this.banner.replaceChildren(h("span", { text: t("offline_message") }));
    } else {
      this.banner.hidden = true;
    }
  }

  // --- finish -------------------------------------------------------------------------------

  private confirmFinish(): void {
    if (this.engine.locked) return;
    const unsent = this.engine.questions.filter((q) => q.state === "draft" || q.state === "edited");
    const empty = this.engine.questions.filter((q) => q.state === "empty");
    const status = h("p", { class: "q-error", role: "alert" });
    const finish = h("button", { type: "button", class: "danger", "data-action": "confirm-finish", text: t("finish_confirm") });
    const dialog = h(
      "dialog",
      { class: "finish-dialog", "aria-label": t("finish_title") },
      h(
        "div",
        { class: "dialog-body" },
        h("h2", { text: t("finish_title") }),
        unsent.length
          ? h(
              "div",
              { class: "unsent" },
              h("p", { text: t("finish_unsent") }),
              h(
                "ul",
                { class: "unsent-list" },
                ...unsent.map((q) =>
                  h("li", { "data-number": String(q.data.number) }, `${t("question_n", { n: q.data.number })}: ${t(`state_${q.state}`)}`),
                ),
              ),
            )
          : h("p", { text: t("finish_all_sent") }),
        empty.length
          ? h(
              "div",
              { class: "unanswered" },
              h("p", { text: t("finish_empty") }),
              h("ul", null, ...empty.map((q) => h("li", { "data-number": String(q.data.number) }, t("question_n", { n: q.data.number })))),
            )
          : null,
        h("p", { class: "hint", text: t("finish_warning") }),
        status,
        h(
          "div",
          { class: "toolbar" },
          finish,
          // Opens on the safe choice: Enter or Space right away goes back to the exam.
          h("button", {
            type: "button",
            "data-action": "cancel",
            autofocus: true,
            text: t("back_to_exam"),
            onclick: () => dialog.close(),
          }),
        ),
      ),
    );
    dialog.addEventListener("close", () => dialog.remove());
    const key = newKey();
    finish.addEventListener("click", async () => {
      finish.disabled = true;
      status.textContent = t("finishing");
      const saved = await this.engine.flushAll(8000);
      if (!saved && !this.engine.locked) {
        status.textContent = t("finish_unsaved");
        finish.disabled = false;
        return;
      }
      try {
        const r = await api.call<AttemptState>("POST", `${this.state.id}/finish`, { key });
        if (r.status === 200 || r.status === 410) {
          this.engine.lock("finished", "");
          location.assign(this.cfg.finishedUrl);
          return;
        }
        status.textContent = api.errorText(r.data, t("finish_failed"));
      } catch {
        status.textContent = t("finish_offline");
      }
      finish.disabled = false;
    });
    document.body.append(dialog);
    dialog.showModal();
  }
}

function receiptText(q: Question): string {
  const r = q.receipt;
  return r ? `v${r.version} · ${formatTime(r.sent_at)} · ${r.digest}` : "";
}

function formatPoints(points: number): string {
  return Number.isInteger(points) ? String(points) : points.toFixed(2).replace(/0$/, "");
}

function boot(): void {
  const root = document.getElementById("sitting");
  const stateEl = document.getElementById("attempt-state");
  if (!root || !stateEl) return;
  loadI18n();
  const state = JSON.parse(stateEl.textContent || "{}") as AttemptState;
  const cfg: Config = {
    apiBase: root.dataset.apiBase || "/api/v1/attempts/",
    csrf: root.dataset.csrf || "",
    finishedUrl: root.dataset.finishedUrl || "/",
    homeUrl: root.dataset.homeUrl || "/",
  };
  timeZone = root.dataset.timeZone || undefined;
  api.configure(cfg.apiBase, cfg.csrf);
  api.setAttemptToken(state.attempt_token);
  clock.sync(state.server_time, state.deadline);
  api.onServerTime((serverTime, deadline) => clock.sync(serverTime, deadline));
  const page = new Page(state, cfg);
  (window as unknown as { emtihanSitting: Page }).emtihanSitting = page;
  void page.start(root);
  const level = root.dataset.proctoring;
  if (level && level !== "off") {
    // Proctoring's code is a chunk of its own, loaded only for a proctored exam.
    void import("./proctoring/live")
      .then((live) =>
        live.start({
          attemptId: state.id,
          examId: state.exam.id,
          apiBase: root.dataset.proctoringApi || "/api/v1/proctoring/",
          csrf: cfg.csrf,
          logUrl: root.dataset.proctoringLog || "/",
          workletUrl: new URL("proctoring-voice.js", STATIC_BASE).href,
        }),
      )
      .then((live) => {
        (window as unknown as { emtihanProctoring: unknown }).emtihanProctoring = live;
        if (!live) return;
        // The face worker watches the same camera between snapshots (a chunk of its own;
        // the worker and its models load from the static files, docs/PROCTORING.md).
        void import("./proctoring/face/sitting")
          .then((face) => {
            (window as unknown as { emtihanFaces: unknown }).emtihanFaces = face.watchSitting(
              live.video,
              STATIC_BASE.href,
            );
          })
          .catch((error) => console.warn("proctoring: no face analysis", error));
      })
      .catch((error) => console.warn("proctoring could not start", error));
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
