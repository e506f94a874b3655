// Formulas are shown with KaTeX (+ mhchem for \ce{...}), loaded in its own chunk the first
// time a formula has to be drawn; until then (or offline before it ever loaded) the LaTeX
// itself is shown. Every drawn formula is an image to assistive technology, named by its
// LaTeX source ("Formula: x^2"): KaTeX's MathML is not read out inside a label by
// Chromium, so a choice whose option is only a formula had no name at all.
import { t } from "./i18n";

type KatexModule = typeof import("./katex-render");
let loading: Promise<KatexModule> | null = null;

export function loadKatex(): Promise<KatexModule> {
  if (!loading) {
    loading = import("./katex-render").catch((error) => {
      loading = null;
      throw error;
    });
  }
  return loading;
}

/** The text alternative of a formula: its LaTeX source, read out. */
export function formulaName(latex: string): string {
  return t("formula_alt", { latex });
}

export function renderMath(el: HTMLElement, latex: string, display = false): void {
  el.dataset.latex = latex;
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", formulaName(latex));
  el.textContent = latex;
  el.classList.add("math-pending");
  loadKatex()
    .then((m) => {
      if (el.dataset.latex !== latex) return;
      m.render(el, latex, display);
      el.classList.remove("math-pending");
    })
    .catch(() => undefined);
}

// TeX written in the text of a question (Moodle's own notation, kept by its importer):
// \( inline \), \[ display \] and $$ display $$.
const DELIMITED = /\\\((.+?)\\\)|\\\[(.+?)\\\]|\$\$(.+?)\$\$/gs;

/** Draw every formula inside `root`: the editor's `span[data-latex]` atoms and TeX between
 * delimiters in the text. KaTeX is loaded only when there is one. */
export function renderMathIn(root: HTMLElement): void {
  for (const el of Array.from(root.querySelectorAll<HTMLElement>("span[data-latex]"))) {
    if (el.closest(".ProseMirror")) continue; // the editor draws its own
    renderMath(el, el.dataset.latex ?? "", el.classList.contains("math-display"));
  }
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.parentElement?.closest("span[data-latex], .ProseMirror, textarea, script, style")
        ? NodeFilter.FILTER_REJECT
        : /\\\(|\\\[|\$\$/.test(node.nodeValue ?? "")
          ? NodeFilter.FILTER_ACCEPT
          : NodeFilter.FILTER_SKIP,
  });
  const texts: Text[] = [];
  while (walker.nextNode()) texts.push(walker.currentNode as Text);
  for (const node of texts) {
    const value = node.nodeValue ?? "";
    const parts = document.createDocumentFragment();
    let last = 0;
    for (const m of value.matchAll(DELIMITED)) {
      const at = m.index ?? 0;
      if (at > last) parts.append(value.slice(last, at));
      const display = m[1] === undefined;
      const span = document.createElement("span");
      span.className = display ? "math math-display" : "math";
      renderMath(span, (m[1] ?? m[2] ?? m[3] ?? "").trim(), display);
      parts.append(span);
      last = at + m[0].length;
    }
    if (last === 0) continue;
    if (last < value.length) parts.append(value.slice(last));
    node.replaceWith(parts);
  }
}
