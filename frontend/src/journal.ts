// The journal: every change is written here first and removed only when the server has
// acknowledged it, so a reload, a crash or minutes offline lose nothing typed.
//
// Each record goes to IndexedDB (durable, large) and, synchronously, to a localStorage copy:
// an IndexedDB write still in progress when the page unloads (a reload right after a key
// press) is aborted, while localStorage has already taken it. Loading reads both and keeps
// the newer copy of each record.
import type { JournalEntry } from "./types";

const DB_NAME = "emtihan-sitting";
const STORE = "journal";
const LS_PREFIX = "emtihan-journal:";
const MAX_AGE_MS = 14 * 24 * 3600 * 1000;

let dbPromise: Promise<IDBDatabase | null> | null = null;

function openDb(): Promise<IDBDatabase | null> {
  if (!dbPromise) {
    dbPromise = new Promise((resolve) => {
      let request: IDBOpenDBRequest;
      try {
        request = indexedDB.open(DB_NAME, 1);
      } catch {
        resolve(null);
        return;
      }
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore(STORE, { keyPath: "key" });
        store.createIndex("attempt", "attempt");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => resolve(null);
      request.onblocked = () => resolve(null);
    });
  }
  return dbPromise;
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

function lsSet(entry: JournalEntry): void {
  try {
    localStorage.setItem(LS_PREFIX + entry.key, JSON.stringify(entry));
  } catch {
    /* storage full or disabled: IndexedDB still has it */
  }
}

function lsRemove(key: string): void {
  try {
    localStorage.removeItem(LS_PREFIX + key);
  } catch {
    /* disabled */
  }
}

function lsAll(): JournalEntry[] {
  const out: JournalEntry[] = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const name = localStorage.key(i);
      if (!name || !name.startsWith(LS_PREFIX)) continue;
      try {
        out.push(JSON.parse(localStorage.getItem(name) || "null") as JournalEntry);
      } catch {
        /* ignore a damaged entry */
      }
    }
  } catch {
    /* disabled */
  }
  return out;
}

/** Write (or rewrite) a record: localStorage at once, IndexedDB when it can. */
export async function put(entry: JournalEntry): Promise<void> {
  lsSet(entry);
  const db = await openDb();
  if (!db) return;
  const tx = db.transaction(STORE, "readwrite");
  tx.objectStore(STORE).put(entry);
  await done(tx);
}

export async function remove(...keys: string[]): Promise<void> {
  if (!keys.length) return;
  for (const key of keys) lsRemove(key);
  const db = await openDb();
  if (!db) return;
  const tx = db.transaction(STORE, "readwrite");
  for (const key of keys) tx.objectStore(STORE).delete(key);
  await done(tx);
}

/** This attempt's entries, oldest first; entries of other attempts older than two weeks
 * are dropped on the way. */
export async function load(attempt: number): Promise<JournalEntry[]> {
  const db = await openDb();
  const byKey = new Map<string, JournalEntry>();
  const add = (e: JournalEntry | null | undefined): void => {
    if (!e || typeof e.key !== "string") return;
    const seen = byKey.get(e.key);
    if (!seen || e.time > seen.time || (e.time === seen.time && e.state === "inflight")) byKey.set(e.key, e);
  };
  if (db) {
    try {
      const tx = db.transaction(STORE, "readonly");
      const request = tx.objectStore(STORE).getAll();
      await done(tx);
      for (const e of request.result as JournalEntry[]) add(e);
    } catch {
      /* unreadable: localStorage may still have the records */
    }
  }
  for (const e of lsAll()) add(e);
  const all = [...byKey.values()];
  const old = all.filter((e) => e.attempt !== attempt && Date.now() - e.time > MAX_AGE_MS);
  if (old.length) void remove(...old.map((e) => e.key)).catch(() => undefined);
  return all.filter((e) => e.attempt === attempt).sort((a, b) => a.time - b.time);
}
