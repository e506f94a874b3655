// The formula dialog: a MathLive math-field (loaded on first use) and, always there at
// once, a raw LaTeX input; a KaTeX preview. Chemistry is the same dialog starting from
// \ce{} (mhchem).
import { h } from "./dom";
import { t } from "./i18n";
import { renderMath } from "./math-render";

type MathfieldCtor = ReturnType<typeof import("./mathlive-loader").setup>;
let mathlive: Promise<MathfieldCtor> | null = null;

function loadMathlive(fontsUrl: string): Promise<MathfieldCtor> {
  if (!mathlive) {
    mathlive = import("./mathlive-loader")
      .then((m) => m.setup(fontsUrl))
      .catch((error) => {
        mathlive = null;
        throw error;
      });
  }
  return mathlive;
}

export interface FormulaOptions {
  initial: string;
  chemistry: boolean;
  fontsUrl: string;
}

export function openFormulaDialog(opts: FormulaOptions): Promise<string | null> {
  return new Promise((resolve) => {
    let settled = false;
    let syncing = false;
    // Resolve before the dialog closes, not in its (asynchronous) "close" event: the caller
    // inserts the formula at once, so keys typed right after "Insert" land after it.
    const settle = (value: string | null): void => {
      if (settled) return;
      settled = true;
      resolve(value);
      if (dialog.open) dialog.close();
    };
    const initial = opts.initial || (opts.chemistry ? "\\ce{}" : "");
    const latex = h("input", {
      type: "text",
      class: "latex-input",
      spellcheck: "false",
      autocomplete: "off",
      autocapitalize: "off",
      dir: "ltr",
      value: initial,
    });
    const previewBox = h("div", { class: "formula-preview", "aria-live": "polite" });
    const slot = h("div", { class: "mathfield-slot" }, h("p", { class: "muted", text: t("formula_loading") }));
    let field: (HTMLElement & { value: string }) | null = null;

    const showPreview = (): void => {
      const value = latex.value.trim();
      if (!value) {
        previewBox.textContent = "";
        return;
      }
      // A formula of its own inside the live region (the formula is an image named by
      // its LaTeX; the region itself stays a region).
      const formula = h("span");
      previewBox.replaceChildren(formula);
      renderMath(formula, value, true);
    };
    const insert = (): void => {
      const value = latex.value.trim();
      settle(value && value !== "\\ce{}" ? value : null);
    };
    latex.addEventListener("input", () => {
      if (field && !syncing) {
        syncing = true;
        field.value = latex.value;
        syncing = false;
      }
      showPreview();
    });
    latex.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        insert();
      }
    });

    const title = opts.chemistry ? t("chemistry_title") : t("formula_title");
    const dialog = h(
      "dialog",
      { class: "formula-dialog", "aria-label": title },
      h(
        "div",
        { class: "dialog-body" },
        h("div", { class: "dialog-head" }, h("h2", { text: title })),
        slot,
        h("label", { class: "field" }, h("span", { text: t("latex_label") }), latex),
        h("p", { class: "hint", text: opts.chemistry ? t("chemistry_hint") : t("formula_hint") }),
        previewBox,
        h(
          "div",
          { class: "toolbar" },
          h("button", { type: "button", class: "primary", "data-action": "insert-formula", text: t("insert"), onclick: insert }),
          h("button", { type: "button", "data-action": "cancel", text: t("cancel"), onclick: () => dialog.close() }),
        ),
      ),
    );
    // Escape closes the dialog wherever focus is. MathLive's field (which takes focus once
    // it has loaded) keeps Escape for itself, so a keyboard user could not leave the
    // dialog from there; catch the key before it reaches the field.
    dialog.addEventListener(
      "keydown",
      (event) => {
        if (event.key !== "Escape") return;
        event.preventDefault();
        event.stopPropagation();
        dialog.close();
      },
      { capture: true },
    );
    dialog.addEventListener("close", () => {
      dialog.remove();
      settle(null);
    });
    document.body.append(dialog);
    dialog.showModal();
    latex.focus();
    if (opts.chemistry) {
      const inside = latex.value.lastIndexOf("}");
      if (inside > 0) latex.setSelectionRange(inside, inside);
    }
    showPreview();

    loadMathlive(opts.fontsUrl)
      .then((Ctor) => {
        if (!dialog.isConnected) return;
        const mf = new Ctor() as unknown as HTMLElement & { value: string };
        mf.className = "mathfield";
        mf.setAttribute("aria-label", title);
        mf.value = latex.value;
        mf.addEventListener("input", () => {
          if (syncing) return;
          syncing = true;
          latex.value = mf.value;
          syncing = false;
          showPreview();
        });
        slot.replaceChildren(mf);
        field = mf;
        // MathLive takes focus asynchronously; move there only if the student has not
        // started in the LaTeX input.
        // Asked again in the frame: a key pressed in between keeps the LaTeX input.
        const untouched = (): boolean => document.activeElement === latex && latex.value === initial;
        if (!opts.chemistry && untouched()) {
          requestAnimationFrame(() => {
            if (untouched()) mf.focus();
          });
        }
      })
      .catch(() => {
        slot.replaceChildren(h("p", { class: "muted", text: t("formula_offline") }));
      });
  });
}
