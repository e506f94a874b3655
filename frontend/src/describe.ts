// A small dialog asking for one line of text (a picture's description): resolves with the
// text on "Save" (before the dialog closes, so keys typed right after land in the editor),
// or null when cancelled.
import { h } from "./dom";
import { t } from "./i18n";

export interface TextDialogOptions {
  title: string;
  label: string;
  hint: string;
  value: string;
  maxLength: number;
}

let dialogCount = 0;

export function openTextDialog(opts: TextDialogOptions): Promise<string | null> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (value: string | null): void => {
      if (settled) return;
      settled = true;
      resolve(value);
      if (dialog.open) dialog.close();
    };
    const id = `text-dialog-${++dialogCount}`;
    const input = h("input", {
      type: "text",
      id: `${id}-input`,
      value: opts.value,
      maxlength: opts.maxLength,
      autocomplete: "off",
      "aria-describedby": `${id}-hint`,
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        settle(input.value);
      }
    });
    const dialog = h(
      "dialog",
      { class: "text-dialog", "aria-labelledby": `${id}-title` },
      h(
        "div",
        { class: "dialog-body" },
        h("h2", { id: `${id}-title`, text: opts.title }),
        h("div", { class: "field" }, h("label", { for: `${id}-input`, text: opts.label }), input),
        h("p", { class: "hint", id: `${id}-hint`, text: opts.hint }),
        h(
          "div",
          { class: "toolbar" },
          h("button", { type: "button", class: "primary", "data-action": "save-text", text: t("save"), onclick: () => settle(input.value) }),
          h("button", { type: "button", "data-action": "cancel", text: t("cancel"), onclick: () => settle(null) }),
        ),
      ),
    );
    dialog.addEventListener("close", () => {
      dialog.remove();
      settle(null);
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
    input.select();
  });
}
