// A tiny DOM builder: h("button", { class: "x", onclick }, "text").
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, unknown> | null;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith("on") && typeof value === "function") {
        el.addEventListener(name.slice(2), value as EventListener);
      } else if (name === "class") {
        el.className = String(value);
      } else if (name === "text") {
        el.textContent = String(value);
      } else if (name === "html") {
        el.innerHTML = String(value);
      } else if (name in el && !name.includes("-") && typeof value !== "string") {
        (el as unknown as Record<string, unknown>)[name] = value;
      } else {
        el.setAttribute(name, value === true ? "" : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** A random request key (crypto.randomUUID where the page is a secure context). */
export function newKey(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** JSON with sorted keys: to compare two contents. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

const DEFAULT_ONE = new Set(["start", "colspan", "rowspan"]);

/** Like canonical(), after dropping what the server drops when it rebuilds a document
 * (null, false and empty attributes, defaults of 1), so the page's and the server's copy
 * of the same text compare equal. */
export function sameContent(a: unknown, b: unknown): boolean {
  return canonical(loose(a)) === canonical(loose(b));
}

function loose(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(loose);
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === "attrs" && v && typeof v === "object") {
      const attrs: Record<string, unknown> = {};
      for (const [name, attr] of Object.entries(v as Record<string, unknown>)) {
        if (attr === null || attr === false || attr === "" || (DEFAULT_ONE.has(name) && attr === 1)) continue;
        attrs[name] = attr;
      }
      if (Object.keys(attrs).length) out.attrs = attrs;
    } else {
      out[key] = loose(v);
    }
  }
  return out;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      out[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}
