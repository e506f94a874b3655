// fetch() for the attempts API: session cookie + X-CSRFToken, a timeout, and a hook that
// re-syncs the countdown from every response that carries server_time. The sitting token
// (X-Attempt-Token) rides along: the server accepts it on the answer writes and ignores it
// elsewhere; every answer that carries a fresh one (page load, start, heartbeat) replaces it.
import type { ErrorOut } from "./types";

export class NetworkError extends Error {}

export interface Response<T> {
  status: number;
  data: T & ErrorOut;
}

let base = "/api/v1/attempts/";
let csrf = "";
let attemptToken = "";
const timeListeners: ((serverTime: string, deadline?: string) => void)[] = [];
const okListeners: (() => void)[] = [];

export function configure(apiBase: string, csrfToken: string): void {
  base = apiBase.endsWith("/") ? apiBase : apiBase + "/";
  csrf = csrfToken;
}

/** The sitting token the exam page was rendered with. */
export function setAttemptToken(token: string | undefined): void {
  if (token) attemptToken = token;
}

/** The current sitting token ("" before the page has one), for proctoring's uploads. */
export function currentAttemptToken(): string {
  return attemptToken;
}

export function onServerTime(fn: (serverTime: string, deadline?: string) => void): void {
  timeListeners.push(fn);
}

/** Called after any answer from the server (the connection works). */
export function onReachable(fn: () => void): void {
  okListeners.push(fn);
}

export async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 20_000,
): Promise<Response<T>> {
  const headers: Record<string, string> = { Accept: "application/json", "X-CSRFToken": csrf };
  if (attemptToken) headers["X-Attempt-Token"] = attemptToken;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let response: globalThis.Response;
  try {
    response = await fetch(base + path, {
      method,
      headers,
      body: payload,
      credentials: "same-origin",
      cache: "no-store",
      signal: abort.signal,
    });
  } catch (error) {
    throw new NetworkError(String(error));
  } finally {
    clearTimeout(timer);
  }
  let data: T & ErrorOut;
  try {
    data = (await response.json()) as T & ErrorOut;
  } catch {
    if (response.status >= 500 || response.status === 0) throw new NetworkError(`HTTP ${response.status}`);
    data = {} as T & ErrorOut;
  }
  for (const fn of okListeners) fn();
  const record = data as unknown as Record<string, unknown>;
  if (response.ok && typeof record.attempt_token === "string") setAttemptToken(record.attempt_token);
  if (response.ok && typeof record.server_time === "string") {
    for (const fn of timeListeners) {
      fn(record.server_time, typeof record.deadline === "string" ? record.deadline : undefined);
    }
  }
  return { status: response.status, data };
}

/** The error text of an answer: detail + field messages, in the student's language. */
export function errorText(data: ErrorOut | undefined, fallback: string): string {
  if (!data) return fallback;
  const parts: string[] = [];
  if (typeof data.detail === "string") parts.push(data.detail);
  if (data.errors) {
    for (const messages of Object.values(data.errors)) {
      for (const m of messages) if (!parts.includes(m)) parts.push(m);
    }
  }
  return parts.join(" ") || fallback;
}
