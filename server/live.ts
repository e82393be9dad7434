import type { PublicSession } from './core/session.js';

type Listener = (session: PublicSession) => void;

/** What the cache knows of a session: its JSON, or only that a change newer than `updatedAt` exists. */
interface Known {
  /** Undefined once another process changed the session: the next read asks the store. */
  json: string | undefined;
  updatedAt: string;
  status: string | undefined;
}

/**
 * Pushes each stored status change to the SSE streams following that session, in this process.
 * Listeners are called after the change is committed, so a stream never shows an unstored state.
 *
 * It also keeps the latest public JSON of recently seen sessions, so status reads (the widget
 * polls) skip the store. Every change to what the widget sees goes through `remember` or
 * `publish` after it is stored; changes other processes store reach it through `forget` and
 * `publish` (`followStoreChanges`, when the store is shared). An older state never replaces a
 * newer one, whatever order the writes and reads finish in: `updatedAt` decides, `forget` keeps
 * the changed session's `updatedAt` so a read that started before the change cannot cache what it
 * read, and a read that started before a `forget()` of everything caches nothing
 * (`generation`). Entries live in two generations of maps, the older dropped whole, so memory is
 * bounded and each operation is constant work.
 */
export class SessionHub {
  readonly #listeners = new Map<string, Set<Listener>>();
  #recent = new Map<string, Known>();
  #older = new Map<string, Known>();
  #generation = 0;
  readonly cacheSize: number;

  constructor(cacheSize = 10_000) {
    this.cacheSize = cacheSize;
  }

  /** Changes when everything cached was dropped: a read started before then must not be cached. */
  get generation(): number {
    return this.#generation;
  }

  #get(sessionId: string): Known | undefined {
    return this.#recent.get(sessionId) ?? this.#older.get(sessionId);
  }

  #set(sessionId: string, known: Known): void {
    if (this.#recent.size >= Math.max(1, this.cacheSize / 2) && !this.#recent.has(sessionId)) {
      this.#older = this.#recent;
      this.#recent = new Map();
    }
    this.#older.delete(sessionId);
    this.#recent.set(sessionId, known);
  }

  /**
   * Stores the session's public JSON unless something newer is known (or everything was dropped
   * since `generation`, when given: the read it comes from started before); returns the JSON.
   */
  remember(session: PublicSession, generation?: number): string {
    const text = JSON.stringify(session);
    if (this.cacheSize <= 0) return text;
    if (generation !== undefined && generation !== this.#generation) return text;
    const known = this.#get(session.id);
    if (known && known.updatedAt > session.updatedAt) return text;
    this.#set(session.id, { json: text, updatedAt: session.updatedAt, status: session.status });
    return text;
  }

  /** The session's public JSON if this process has it current, else undefined. */
  cachedJson(sessionId: string): string | undefined {
    return this.#get(sessionId)?.json;
  }

  /** True when what is cached (or was last published) is at least as new as `updatedAt`. */
  isCurrent(sessionId: string, updatedAt: string): boolean {
    const known = this.#get(sessionId);
    return known?.json !== undefined && known.updatedAt >= updatedAt;
  }

  /**
   * Another process stored a change (`updatedAt`): drops the cached JSON, and keeps the time, so
   * nothing older is cached again. With no session: drops everything (changes were missed).
   */
  forget(sessionId?: string, updatedAt?: string): void {
    if (sessionId === undefined) {
      this.#recent = new Map();
      this.#older = new Map();
      this.#generation++;
      return;
    }
    const known = this.#get(sessionId);
    const newest = updatedAt && (!known || known.updatedAt < updatedAt) ? updatedAt : known?.updatedAt;
    if (newest === undefined) return;
    this.#set(sessionId, { json: undefined, updatedAt: newest, status: known?.status });
  }

  /** Sessions that have open streams here, with the status last sent to them (if known). */
  followed(): { id: string; status: string | undefined }[] {
    return [...this.#listeners.keys()].map((id) => ({ id, status: this.#get(id)?.status }));
  }

  subscribe(sessionId: string, listener: Listener): () => void {
    let set = this.#listeners.get(sessionId);
    if (!set) {
      set = new Set();
      this.#listeners.set(sessionId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(sessionId);
    };
  }

  publish(session: PublicSession): void {
    const known = this.#get(session.id);
    if (known && known.updatedAt > session.updatedAt) return;
    this.remember(session);
    for (const listener of this.#listeners.get(session.id) ?? []) listener(session);
  }

  /** Number of open subscriptions (for shutdown and tests). */
  get size(): number {
    let n = 0;
    for (const set of this.#listeners.values()) n += set.size;
    return n;
  }
}
