// Written answers: a Tiptap editor with the node and mark types the server keeps
// (docs/EXAM-SITTING.md, "Content formats") and a toolbar. Loaded as its own chunk.
import { Editor, Node, mergeAttributes, type JSONContent } from "@tiptap/core";
import { NodeSelection, TextSelection } from "@tiptap/pm/state";
import { Document } from "@tiptap/extension-document";
import { Paragraph } from "@tiptap/extension-paragraph";
import { Text } from "@tiptap/extension-text";
import { Bold } from "@tiptap/extension-bold";
import { Italic } from "@tiptap/extension-italic";
import { Underline } from "@tiptap/extension-underline";
import { Strike } from "@tiptap/extension-strike";
import { Heading } from "@tiptap/extension-heading";
import { HardBreak } from "@tiptap/extension-hard-break";
import { BulletList, ListItem, ListKeymap, OrderedList } from "@tiptap/extension-list";
import { Dropcursor, Gapcursor, TrailingNode, UndoRedo } from "@tiptap/extensions";
import { Image } from "@tiptap/extension-image";
import { TableKit } from "@tiptap/extension-table";
import { Subscript } from "@tiptap/extension-subscript";
import { Superscript } from "@tiptap/extension-superscript";
import type { AnswerView } from "./closed";
import { openTextDialog } from "./describe";
import { h } from "./dom";
import { openFormulaDialog } from "./formula";
import { t } from "./i18n";
import { renderMath } from "./math-render";
import type { Content } from "./types";

export interface WrittenOptions {
  allowFormulas: boolean;
  allowDrawings: boolean;
  allowPictures: boolean;
  fontsUrl: string;
  /** Uploads a picture; resolves to its src, or throws an Error whose message says why. */
  upload(file: Blob, name: string): Promise<string>;
  onChange(content: Content): void;
  onError(message: string): void;
  /** The editor's accessible name (default: "Answer to question N"). */
  label?: string;
  /** Whether pictures may be data: URLs (a question's; an answer's are uploaded files). */
  allowDataPictures?: boolean;
  /** Whose pictures: "Picture 1 in your answer" or "Picture 1 in the question". */
  pictureNames?: "answer" | "question";
  /** Ids of help texts that describe the editor (the form field's help). */
  describedBy?: string;
}

/** What the editor edits: a student's answer (ProseMirror JSON) or, on the question
 * author's form, the question's HTML. */
export interface WrittenTarget {
  id: number;
  number: number;
  answer?: { content: Content | null };
  html?: string;
}

export interface WrittenView extends AnswerView {
  editor: Editor;
}

const PICTURE_TYPES = "image/png,image/jpeg,image/webp,image/gif";
let editorCount = 0;

type EditFormula = (latex: string) => Promise<string | null>;

/** Edit the formula at `pos` in its dialog (by click, or Enter / Space when it is
 * selected); an emptied formula is removed. */
async function editMathAt(editor: Editor, pos: number, edit: EditFormula): Promise<void> {
  const node = editor.state.doc.nodeAt(pos);
  if (!node || node.type.name !== "math" || !editor.isEditable) return;
  const latex = await edit(String(node.attrs.latex));
  if (latex === null) return;
  const now = editor.state.doc.nodeAt(pos);
  if (!now || now.type.name !== "math" || now.attrs.latex !== node.attrs.latex) return; // changed meanwhile
  const tr = editor.state.tr;
  if (latex) {
    tr.setNodeMarkup(pos, undefined, { ...now.attrs, latex });
    tr.setSelection(NodeSelection.create(tr.doc, pos));
  } else {
    tr.delete(pos, pos + now.nodeSize);
  }
  editor.view.dispatch(tr);
  editor.view.focus();
}

/** The inline `math` atom: LaTeX in `attrs.latex`, drawn by KaTeX (mhchem for \ce{}). */
function mathNode(edit: EditFormula) {
  return Node.create({
    name: "math",
    group: "inline",
    inline: true,
    atom: true,
    selectable: true,
    draggable: false,
    addAttributes() {
      return {
        latex: {
          default: "",
          parseHTML: (el: HTMLElement) => el.getAttribute("data-latex") ?? "",
          renderHTML: (attrs: Record<string, unknown>) => ({ "data-latex": String(attrs.latex ?? "") }),
        },
        display: {
          default: false,
          parseHTML: (el: HTMLElement) =>
            el.getAttribute("data-display") === "true" || el.classList.contains("math-display"),
          renderHTML: (attrs: Record<string, unknown>) => (attrs.display ? { "data-display": "true" } : {}),
        },
      };
    },
    parseHTML() {
      return [{ tag: "span[data-latex]" }];
    },
    renderHTML({ node, HTMLAttributes }) {
      // The LaTeX as the span's text too: readable where the HTML is shown without KaTeX
      // (the teacher's question list, a copy pasted elsewhere).
      const display = node.attrs.display === true;
      const cls = display ? "math math-display" : "math";
      const text = display ? `\\[${String(node.attrs.latex)}\\]` : `\\(${String(node.attrs.latex)}\\)`;
      return ["span", mergeAttributes({ class: cls }, HTMLAttributes), text];
    },
    renderText({ node }) {
      return `\\(${String(node.attrs.latex)}\\)`;
    },
    addKeyboardShortcuts() {
      // The arrow keys select a formula (it is read out by its name); Enter or Space then
      // edits it, as on a button. Space used to replace the selected formula with a space.
      const open = (): boolean => {
        const selection = this.editor.state.selection;
        if (!(selection instanceof NodeSelection) || selection.node.type.name !== "math") return false;
        void editMathAt(this.editor, selection.from, edit);
        return true;
      };
      return { Enter: open, Space: open };
    },
    addNodeView() {
      return ({ node, getPos, editor }) => {
        let current = node;
        const dom = h("span", { class: "math", contenteditable: "false" });
        // renderMath makes it an image named by its LaTeX.
        const draw = (): void => renderMath(dom, String(current.attrs.latex), current.attrs.display === true);
        draw();
        dom.addEventListener("click", (event) => {
          if (!editor.isEditable) return;
          event.preventDefault();
          const pos = typeof getPos === "function" ? getPos() : undefined;
          if (typeof pos === "number") void editMathAt(editor, pos, edit);
        });
        return {
          dom,
          update(updated) {
            if (updated.type !== current.type) return false;
            const changed = updated.attrs.latex !== current.attrs.latex || updated.attrs.display !== current.attrs.display;
            current = updated;
            if (changed) draw();
            return true;
          },
          ignoreMutation: () => true,
          stopEvent: (event: Event) => event.type === "click" || event.type === "mousedown",
        };
      };
    },
  });
}

export function writtenView(q: WrittenTarget, opts: WrittenOptions): WrittenView {
  const host = h("div", { class: "editor-host", "data-qid": String(q.id) });
  const fileInput = h("input", {
    type: "file",
    accept: PICTURE_TYPES,
    class: "visually-hidden",
    tabindex: "-1",
    "aria-label": t("tb_picture"),
  });
  const keysId = `editor-keys-${++editorCount}`;
  const keysHint = h("span", { id: keysId, class: "visually-hidden", text: t("editor_keys_hint") });
  let suppress = false;

  const editFormula = (latex: string, chemistry = false): Promise<string | null> =>
    opts.allowFormulas
      ? openFormulaDialog({ initial: latex, chemistry: chemistry || latex.startsWith("\\ce{"), fontsUrl: opts.fontsUrl })
      : Promise.resolve(null);

  const editor = new Editor({
    element: host,
    extensions: [
      // StarterKit without what the server does not keep (code, blockquote, rule, link).
      Document,
      Paragraph,
      Text,
      Bold,
      Italic,
      Underline,
      Strike,
      Heading.configure({ levels: [1, 2, 3] }),
      HardBreak,
      BulletList,
      OrderedList,
      ListItem,
      ListKeymap,
      Dropcursor,
      Gapcursor,
      TrailingNode,
      UndoRedo,
      Subscript,
      Superscript,
      Image.configure({ inline: true, allowBase64: opts.allowDataPictures === true }),
      TableKit.configure({ table: { resizable: false } }),
      mathNode((latex) => editFormula(latex)),
    ],
    content: q.html ?? docOf(q.answer?.content),
    editorProps: {
      attributes: {
        class: "answer-editor",
        role: "textbox",
        "aria-multiline": "true",
        "aria-label": opts.label ?? t("answer_label", { n: q.number }),
        "aria-describedby": [keysId, opts.describedBy].filter(Boolean).join(" "),
        spellcheck: "true",
      },
      handlePaste: (_view, event) => pictures(event.clipboardData?.files),
      handleDrop: (_view, event, _slice, moved) =>
        !moved && pictures((event as DragEvent).dataTransfer?.files),
      transformPastedHTML: keepOwnPictures,
    },
    onUpdate: ({ editor: e }) => {
      if (!suppress) opts.onChange({ doc: e.getJSON() });
    },
  });

  function pictures(files: FileList | undefined | null): boolean {
    const images = Array.from(files ?? []).filter((f) => f.type.startsWith("image/"));
    if (!images.length) return false;
    if (!opts.allowPictures) {
      opts.onError(t("pictures_not_allowed"));
      return true;
    }
    for (const file of images) void uploadAndInsert(file, file.name || "picture.png", "picture");
    return true;
  }

  // Every picture gets a name a screen reader can read ("Drawing 1 in your answer"); the
  // student can change it with the toolbar's "Description".
  const altKey = (kind: "picture" | "drawing"): string =>
    `${kind}_alt${opts.pictureNames === "question" ? "_question" : ""}`;
  function nextAlt(kind: "picture" | "drawing"): string {
    const marker = "\u0000";
    const [before = "", after = ""] = t(altKey(kind), { n: marker }).split(marker);
    let last = 0;
    editor.state.doc.descendants((node) => {
      const alt = node.type.name === "image" ? String(node.attrs.alt ?? "") : "";
      if (alt.startsWith(before) && alt.endsWith(after)) {
        const n = Number(alt.slice(before.length, alt.length - after.length));
        if (Number.isInteger(n) && n > last) last = n;
      }
    });
    return t(altKey(kind), { n: last + 1 });
  }

  async function uploadAndInsert(file: Blob, name: string, kind: "picture" | "drawing"): Promise<string | null> {
    try {
      const src = await opts.upload(file, name);
      insertNode({ type: "image", attrs: { src, alt: nextAlt(kind) } });
      return null;
    } catch (error) {
      const message = error instanceof Error ? error.message : t("upload_failed");
      opts.onError(message);
      return message;
    }
  }

  /** Insert an inline node at the selection and put the caret after it (after an insert
   * the selection is a NodeSelection: the next insert would replace the node). */
  function insertNode(node: JSONContent): void {
    editor.view.focus();
    editor.chain().insertContent(node).run();
    const after = editor.state.selection.to;
    editor.view.dispatch(editor.state.tr.setSelection(TextSelection.create(editor.state.doc, after)));
  }

  // --- toolbar ---------------------------------------------------------------------------
  type Button = { el: HTMLButtonElement; active?: () => boolean; enabled?: () => boolean };
  const buttons: Button[] = [];
  const button = (
    name: string,
    label: string,
    title: string,
    run: () => void,
    active?: () => boolean,
    enabled?: () => boolean,
  ): HTMLButtonElement => {
    // A button showing words or letters ("H1", "x²", "Formula") is named by them plus
    // its full title ("H1 Heading 1"), so speech input can say what is shown (WCAG
    // 2.5.3); one showing only a symbol ("¶", "↶") is named by its title.
    const worded = /[\p{L}\p{N}]/u.test(label.replace(/<[^>]*>|&[#\w]+;/g, ""));
    const el = h("button", {
      type: "button",
      class: `tb tb-${name}`,
      "data-cmd": name,
      title: worded ? undefined : title,
      "aria-label": worded ? undefined : title,
      "aria-pressed": active ? "false" : undefined,
      onmousedown: (event: MouseEvent) => event.preventDefault(),
      onclick: () => {
        if (!editor.isEditable) return;
        run();
      },
    });
    el.innerHTML = label;
    if (worded) el.append(h("span", { class: "visually-hidden", text: ` ${title}` }));
    buttons.push({ el, active, enabled });
    return el;
  };
  const chain = () => {
    editor.view.focus();
    return editor.chain().focus();
  };
  const group = (...children: (HTMLElement | null)[]) => h("span", { class: "tb-group" }, ...children);

  const toolbar = h(
    "div",
    { class: "editor-toolbar", role: "toolbar", "aria-label": t("toolbar") },
    group(
      button("paragraph", "¶", t("tb_paragraph"), () => chain().setParagraph().run(), () => editor.isActive("paragraph")),
      ...[1, 2, 3].map((level) =>
        button(
          `h${level}`,
          `H${level}`,
          t("tb_heading", { n: level }),
          () => chain().toggleHeading({ level: level as 1 | 2 | 3 }).run(),
          () => editor.isActive("heading", { level }),
        ),
      ),
    ),
    group(
      button("bold", "<b>B</b>", t("tb_bold"), () => chain().toggleBold().run(), () => editor.isActive("bold")),
      button("italic", "<i>I</i>", t("tb_italic"), () => chain().toggleItalic().run(), () => editor.isActive("italic")),
      button("underline", "<u>U</u>", t("tb_underline"), () => chain().toggleUnderline().run(), () => editor.isActive("underline")),
      button("strike", "<s>S</s>", t("tb_strike"), () => chain().toggleStrike().run(), () => editor.isActive("strike")),
      button("subscript", "x<sub>2</sub>", t("tb_subscript"), () => chain().toggleSubscript().run(), () => editor.isActive("subscript")),
      button("superscript", "x<sup>2</sup>", t("tb_superscript"), () => chain().toggleSuperscript().run(), () => editor.isActive("superscript")),
    ),
    group(
      button("bulletList", "•&#8201;≡", t("tb_bullets"), () => chain().toggleBulletList().run(), () => editor.isActive("bulletList")),
      button("orderedList", "1.&#8201;≡", t("tb_numbers"), () => chain().toggleOrderedList().run(), () => editor.isActive("orderedList")),
    ),
    group(
      button("table", "⊞", t("tb_table"), () => chain().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run()),
      button("addRow", "+≡", t("tb_add_row"), () => chain().addRowAfter().run(), undefined, () => editor.can().addRowAfter()),
      button("addColumn", "+‖", t("tb_add_column"), () => chain().addColumnAfter().run(), undefined, () => editor.can().addColumnAfter()),
      button("deleteRow", "−≡", t("tb_delete_row"), () => chain().deleteRow().run(), undefined, () => editor.can().deleteRow()),
      button("deleteColumn", "−‖", t("tb_delete_column"), () => chain().deleteColumn().run(), undefined, () => editor.can().deleteColumn()),
      button("deleteTable", "⊠", t("tb_delete_table"), () => chain().deleteTable().run(), undefined, () => editor.can().deleteTable()),
    ),
    opts.allowFormulas || opts.allowDrawings || opts.allowPictures
      ? group(
          opts.allowFormulas
            ? button("formula", "∑&#8201;" + t("tb_formula_short"), t("tb_formula"), async () => {
                const latex = await editFormula("");
                if (latex) insertNode({ type: "math", attrs: { latex } });
              })
            : null,
          opts.allowFormulas
            ? button("chemistry", "⚗&#8201;" + t("tb_chemistry_short"), t("tb_chemistry"), async () => {
                const latex = await editFormula("", true);
                if (latex) insertNode({ type: "math", attrs: { latex } });
              })
            : null,
          opts.allowDrawings
            ? button("drawing", "✎&#8201;" + t("tb_drawing_short"), t("tb_drawing"), async () => {
                let drawing: typeof import("./drawing");
                try {
                  drawing = await import("./drawing");
                } catch {
                  opts.onError(t("chunk_offline"));
                  return;
                }
                await drawing.openDrawingDialog((png) => uploadAndInsert(png, "drawing.png", "drawing"));
              })
            : null,
          opts.allowPictures
            ? button("picture", "▣&#8201;" + t("tb_picture_short"), t("tb_picture"), () => fileInput.click())
            : null,
          opts.allowDrawings || opts.allowPictures
            ? button(
                "describe",
                t("tb_describe_short"),
                t("tb_describe"),
                () => void describeSelectedPicture(),
                undefined,
                () => selectedImage() !== null,
              )
            : null,
        )
      : null,
    group(
      button("undo", "↶", t("undo"), () => chain().undo().run(), undefined, () => editor.can().undo()),
      button("redo", "↷", t("redo"), () => chain().redo().run(), undefined, () => editor.can().redo()),
    ),
  );
  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    fileInput.value = "";
    if (file) void uploadAndInsert(file, file.name, "picture");
  });

  function selectedImage(): { pos: number; alt: string } | null {
    const selection = editor.state.selection;
    return selection instanceof NodeSelection && selection.node.type.name === "image"
      ? { pos: selection.from, alt: String(selection.node.attrs.alt ?? "") }
      : null;
  }

  async function describeSelectedPicture(): Promise<void> {
    const image = selectedImage();
    if (!image) return;
    const alt = await openTextDialog({
      title: t("describe_title"),
      label: t("describe_label"),
      hint: t("describe_hint"),
      value: image.alt,
      maxLength: 500,
    });
    const now = editor.state.doc.nodeAt(image.pos);
    if (alt === null || !now || now.type.name !== "image") return;
    const tr = editor.state.tr.setNodeMarkup(image.pos, undefined, { ...now.attrs, alt: alt.trim() || image.alt });
    tr.setSelection(NodeSelection.create(tr.doc, image.pos));
    editor.view.dispatch(tr);
    editor.view.focus();
  }

  // The toolbar is one Tab stop (WAI-ARIA toolbar): the arrow keys, Home and End move
  // between its buttons, so Tab goes from the question to the toolbar to the text.
  let roving: HTMLButtonElement | null = null;
  const usable = (): HTMLButtonElement[] => buttons.map((b) => b.el).filter((el) => !el.disabled);
  const setRoving = (el: HTMLButtonElement | null): void => {
    roving = el;
    for (const b of buttons) b.el.tabIndex = b.el === el ? 0 : -1;
  };
  toolbar.addEventListener("focusin", (event) => {
    const target = event.target as HTMLButtonElement;
    if (buttons.some((b) => b.el === target)) setRoving(target);
  });
  toolbar.addEventListener("keydown", (event) => {
    const list = usable();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0 || !list.length) return;
    const moves: Record<string, number> = {
      ArrowRight: (at + 1) % list.length,
      ArrowLeft: (at - 1 + list.length) % list.length,
      Home: 0,
      End: list.length - 1,
    };
    const next = list[moves[event.key] ?? -1];
    if (!next) return;
    event.preventDefault();
    setRoving(next);
    next.focus();
  });

  // Tab moves between a table's cells; at the last cell (Shift+Tab: the first) it leaves
  // the table and the editor, and after Esc it leaves from anywhere (a list's Tab indents).
  // Stopping the key here, before ProseMirror sees it, leaves the browser's own Tab.
  let escaped = false;
  host.addEventListener(
    "keydown",
    (event) => {
      if (event.key === "Escape") {
        escaped = true;
        return;
      }
      const tab = event.key === "Tab" && !event.ctrlKey && !event.altKey && !event.metaKey;
      const leave =
        tab &&
        (escaped ||
          (editor.isActive("table") &&
            !(event.shiftKey ? editor.can().goToPreviousCell() : editor.can().goToNextCell())));
      escaped = false;
      if (leave) event.stopPropagation();
    },
    true,
  );

  let frame = 0;
  const refresh = (): void => {
    frame = 0;
    const editable = editor.isEditable;
    for (const b of buttons) {
      if (b.active) b.el.setAttribute("aria-pressed", String(editable && b.active()));
      b.el.disabled = !editable || (b.enabled ? !b.enabled() : false);
    }
    if (!roving || roving.disabled) setRoving(usable()[0] ?? null);
  };
  editor.on("transaction", () => {
    if (!frame) frame = requestAnimationFrame(refresh);
  });
  refresh();

  const help = h(
    "details",
    { class: "editor-help" },
    h("summary", { text: t("editor_keys") }),
    h(
      "ul",
      null,
      ...["keys_toolbar", "keys_table", "keys_leave", "keys_formula", "keys_format"].map((key) => h("li", { text: t(key) })),
    ),
  );
  const el = h("div", { class: "written-answer" }, toolbar, host, keysHint, help, fileInput);
  return {
    el,
    editor,
    setContent(content) {
      suppress = true;
      try {
        editor.commands.setContent(docOf(content), { emitUpdate: false });
      } finally {
        suppress = false;
      }
    },
    setEditable(editable) {
      if (editor.isEditable !== editable) editor.setEditable(editable, false);
      el.classList.toggle("readonly", !editable);
      refresh();
    },
  };
}

function docOf(content: Content | null | undefined): JSONContent | string {
  const doc = content?.doc as JSONContent | undefined;
  return doc && doc.type === "doc" ? doc : "";
}

/** Pasted HTML keeps only pictures of this sitting (as paths); others are dropped, since
 * the server would drop them anyway. */
function keepOwnPictures(html: string): string {
  if (!/<img/i.test(html)) return html;
  const doc = new DOMParser().parseFromString(html, "text/html");
  for (const img of Array.from(doc.querySelectorAll("img"))) {
    let url: URL | null = null;
    try {
      url = new URL(img.getAttribute("src") ?? "", location.href);
    } catch {
      url = null;
    }
    if (url && url.origin === location.origin && url.pathname.startsWith("/sitting/")) {
      img.setAttribute("src", url.pathname);
    } else {
      img.remove();
    }
  }
  return doc.body.innerHTML;
}
