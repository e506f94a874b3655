// A read-only rendering of an answer's content, built from DOM nodes (text is never parsed
// as HTML): the two sides of a conflict.
import { h } from "./dom";
import { t } from "./i18n";
import { renderMath, renderMathIn } from "./math-render";
import type { Content, QuestionData } from "./types";

type PMNode = {
  type?: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: { type?: string }[];
  content?: PMNode[];
};

const BLOCK_TAGS: Record<string, keyof HTMLElementTagNameMap> = {
  paragraph: "p",
  bulletList: "ul",
  orderedList: "ol",
  listItem: "li",
  table: "table",
  tableRow: "tr",
  tableCell: "td",
  tableHeader: "th",
};
const MARK_TAGS: Record<string, keyof HTMLElementTagNameMap> = {
  bold: "strong",
  italic: "em",
  underline: "u",
  strike: "s",
  subscript: "sub",
  superscript: "sup",
};

export function preview(q: QuestionData, content: Content | null): HTMLElement {
  const box = h("div", { class: "preview" });
  if (!content) {
    box.append(h("p", { class: "muted", text: t("state_empty") }));
    return box;
  }
  if (q.kind === "written") {
    const doc = content.doc as PMNode | undefined;
    for (const child of doc?.content ?? []) box.append(node(child));
  } else if ("choices" in content || "choice" in content) {
    const chosen = new Set<string>(
      Array.isArray(content.choices)
        ? (content.choices as string[])
        : content.choice
          ? [String(content.choice)]
          : [],
    );
    const list = h("ul");
    for (const o of q.options) if (chosen.has(o.id)) list.append(h("li", { html: o.html }));
    box.append(chosen.size ? list : h("p", { class: "muted", text: t("nothing_chosen") }));
    renderMathIn(list);
  } else {
    box.append(h("p", { text: String(content.text ?? "") }));
  }
  return box;
}

function node(n: PMNode): Node {
  const type = n.type ?? "";
  if (type === "text") {
    let out: Node = document.createTextNode(n.text ?? "");
    for (const mark of n.marks ?? []) {
      const tag = MARK_TAGS[mark.type ?? ""];
      if (tag) out = h(tag, null, out);
    }
    return out;
  }
  if (type === "hardBreak") return h("br");
  if (type === "math") {
    const span = h("span", { class: "math" });
    renderMath(span, String(n.attrs?.latex ?? ""), n.attrs?.display === true);
    return span;
  }
  if (type === "image") {
    const src = String(n.attrs?.src ?? "");
    return src.startsWith("/") && !src.startsWith("//")
      ? h("img", { src, alt: String(n.attrs?.alt ?? "") })
      : h("span", { class: "muted", text: "[image]" });
  }
  let tag: keyof HTMLElementTagNameMap = BLOCK_TAGS[type] ?? "div";
  if (type === "heading") {
    const level = Number(n.attrs?.level ?? 1);
    tag = level === 2 ? "h4" : level === 3 ? "h5" : "h3";
  }
  const el = h(tag);
  for (const child of n.content ?? []) el.append(node(child));
  return el;
}
