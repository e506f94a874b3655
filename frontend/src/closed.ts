// Closed questions: radio buttons (single, true/false), checkboxes (multiple), a text
// input (short) and a decimal text input (numeric).
import { h } from "./dom";
import { t } from "./i18n";
import type { Content, QuestionData } from "./types";

export interface AnswerView {
  el: HTMLElement;
  setContent(content: Content | null): void;
  setEditable(editable: boolean): void;
}

export function closedView(q: QuestionData, onChange: (content: Content) => void): AnswerView {
  switch (q.kind) {
    case "single":
    case "true_false":
      return choiceView(q, false, onChange);
    case "multiple":
      return choiceView(q, true, onChange);
    default:
      return textView(q, onChange);
  }
}

function choiceView(q: QuestionData, multiple: boolean, onChange: (c: Content) => void): AnswerView {
  const name = `q${q.id}`;
  const inputs: HTMLInputElement[] = [];
  const read = (): Content =>
    multiple
      ? { choices: inputs.filter((i) => i.checked).map((i) => i.value) }
      : { choice: inputs.find((i) => i.checked)?.value ?? null };
  const list = h("div", { class: "options" });
  for (const option of q.options) {
    const input = h("input", {
      type: multiple ? "checkbox" : "radio",
      name,
      value: option.id,
      onchange: () => onChange(read()),
    });
    inputs.push(input);
    list.append(h("label", { class: "option" }, input, h("span", { class: "option-html", html: option.html })));
  }
  const clearButton = multiple
    ? null
    : h("button", {
        type: "button",
        class: "linklike clear-choice",
        text: t("clear_choice"),
        onclick: () => {
          if (!inputs.some((i) => i.checked)) return;
          for (const i of inputs) i.checked = false;
          onChange(read());
        },
      });
  const el = h(
    "fieldset",
    { class: "closed-answer" },
    h("legend", { class: "visually-hidden", text: multiple ? t("choose_several") : t("choose_one") }),
    h("p", { class: "hint", text: multiple ? t("choose_several") : t("choose_one") }),
    list,
    clearButton,
  );
  return {
    el,
    setContent(content) {
      const chosen = new Set<string>();
      if (content) {
        if (Array.isArray(content.choices)) for (const c of content.choices) chosen.add(String(c));
        if (typeof content.choice === "string") chosen.add(content.choice);
      }
      for (const i of inputs) i.checked = chosen.has(i.value);
    },
    setEditable(editable) {
      (el as HTMLFieldSetElement).disabled = !editable;
    },
  };
}

function textView(q: QuestionData, onChange: (c: Content) => void): AnswerView {
  const numeric = q.kind === "numeric";
  const input = h("input", {
    type: "text",
    class: numeric ? "numeric-input" : "short-input",
    inputmode: numeric ? "decimal" : undefined,
    maxlength: numeric ? 100 : 1000,
    autocomplete: "off",
    spellcheck: numeric ? "false" : undefined,
    "aria-label": numeric ? t("your_number") : t("your_answer"),
    oninput: () => onChange({ text: input.value }),
  });
  const el = h(
    "div",
    { class: "closed-answer" },
    h("label", { class: "field" }, h("span", { text: numeric ? t("your_number") : t("your_answer") }), input),
    numeric ? h("p", { class: "hint", text: t("numeric_hint") }) : null,
  );
  return {
    el,
    setContent(content) {
      input.value = content && typeof content.text === "string" ? content.text : "";
    },
    setEditable(editable) {
      input.disabled = !editable;
    },
  };
}
