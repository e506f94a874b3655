// Formulas are shown with KaTeX (+ mhchem for \ce{...}), loaded in its own chunk the first
// time a formula has to be drawn; until then (or offline before it ever loaded) the LaTeX
// itself is shown.
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

export function renderMath(el: HTMLElement, latex: string, display = false): void {
  el.dataset.latex = latex;
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
