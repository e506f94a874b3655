import katex from "katex";
import "katex/contrib/mhchem";

export function render(el: HTMLElement, latex: string, display: boolean): void {
  try {
    katex.render(latex, el, {
      displayMode: display,
      throwOnError: false,
      strict: "ignore",
      trust: false,
      maxSize: 50,
      maxExpand: 1000,
      output: "htmlAndMathml",
    });
  } catch {
    el.textContent = latex;
  }
}
