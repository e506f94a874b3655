// The question author's pages: the students' rich editor on the question form's body
// field, and formulas drawn on the exam's pages (docs/FRONTEND.md, "The author's editor").
// The <textarea> stays the form field: hidden and kept in sync with the editor's HTML, so
// the form posts as before, and without JavaScript the teacher still has the textarea.
import { h } from "./dom";
import { loadI18n, t } from "./i18n";
import { renderMathIn } from "./math-render";

const STATIC_BASE = new URL("./", import.meta.url);
const FONTS_URL = new URL("fonts", STATIC_BASE).href;
/** The server's limit for one picture in a question (exams.services.MAX_BODY_PICTURE_BYTES). */
const MAX_PICTURE_BYTES = 2 * 1024 * 1024;
const PICTURE_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif"]);

/** A picture in a question travels inside its HTML as a data: URL (as Moodle's imported
 * pictures do); the server checks its bytes and size when the form is saved. */
function asDataUrl(file: Blob): Promise<string> {
  if (!PICTURE_TYPES.has(file.type)) return Promise.reject(new Error(t("picture_type")));
  if (file.size > MAX_PICTURE_BYTES) return Promise.reject(new Error(t("picture_too_big")));
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new Error(t("upload_failed")));
    reader.readAsDataURL(file);
  });
}

async function mount(textarea: HTMLTextAreaElement): Promise<void> {
  let m: typeof import("./written");
  try {
    m = await import("./written");
  } catch {
    return; // offline or blocked: the plain textarea keeps working
  }
  const error = h("p", { class: "q-error", role: "alert" });
  const label = textarea.id ? document.querySelector(`label[for="${textarea.id}"]`)?.textContent : null;
  const view = m.writtenView(
    { id: 0, number: 0, html: textarea.value },
    {
      allowFormulas: true,
      allowDrawings: true,
      allowPictures: true,
      allowDataPictures: true,
      fontsUrl: FONTS_URL,
      label: label?.trim() || t("question_label"),
      // The field's help (Django's aria-describedby) describes the editor in its place.
      describedBy: textarea.getAttribute("aria-describedby") ?? undefined,
      pictureNames: "question",
      upload: (file) => asDataUrl(file),
      onChange: () => {
        error.textContent = "";
        textarea.value = view.editor.isEmpty ? "" : view.editor.getHTML();
      },
      onError: (message) => {
        error.textContent = message;
      },
    },
  );
  view.el.classList.add("author-editor");
  // The HTML itself stays reachable, for what the editor does not show (a link, say).
  const toggle = h("button", { type: "button", class: "link html-toggle", text: t("edit_html") });
  toggle.addEventListener("click", () => {
    const toHtml = !view.el.hidden;
    if (!toHtml) view.editor.commands.setContent(textarea.value, { emitUpdate: false });
    view.el.hidden = toHtml;
    textarea.hidden = !toHtml;
    toggle.textContent = toHtml ? t("edit_visual") : t("edit_html");
    (toHtml ? textarea : view.editor.view.dom).focus();
  });
  textarea.hidden = true;
  textarea.removeAttribute("required");
  textarea.after(view.el, error, toggle);
  textarea.dataset.richEditor = "mounted";
  if (label && textarea.id) {
    document.querySelector(`label[for="${textarea.id}"]`)?.addEventListener("click", () => view.editor.commands.focus());
  }
}

function start(): void {
  loadI18n();
  for (const el of Array.from(document.querySelectorAll<HTMLTextAreaElement>("textarea[data-rich-editor]"))) {
    void mount(el);
  }
  for (const el of Array.from(document.querySelectorAll<HTMLElement>("[data-render-math]"))) renderMathIn(el);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
