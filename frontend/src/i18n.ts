// The page's strings come from <script type="application/json" id="i18n">, rendered by the
// template with Django's {% translate %}; the TypeScript only knows the keys.
let dict: Record<string, string> = {};

export function loadI18n(): void {
  const el = document.getElementById("i18n");
  try {
    dict = el ? (JSON.parse(el.textContent || "{}") as Record<string, string>) : {};
  } catch {
    dict = {};
  }
}

/** Adds the strings of another JSON script (a lazily loaded part's, e.g. proctoring). */
export function addI18n(id: string): void {
  const el = document.getElementById(id);
  try {
    Object.assign(dict, el ? (JSON.parse(el.textContent || "{}") as Record<string, string>) : {});
  } catch {
    /* keep what there is */
  }
}

export function t(key: string, vars?: Record<string, string | number>): string {
  let text = dict[key] ?? key;
  if (vars) {
    text = text.replace(/\{(\w+)\}/g, (match, name: string) =>
      name in vars ? String(vars[name]) : match,
    );
  }
  return text;
}

export function lang(): string {
  return document.documentElement.lang || "en";
}
