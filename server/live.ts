import type { PublicSession } from './core/session.js';

type Listener = (session: PublicSession) => void;

/**
 * Pushes each stored status change to the SSE streams following that session, in this process.
 * Listeners are called after the change is committed, so a stream never shows an unstored state.
 *
 * It also keeps the latest public JSON of recently seen sessions, so status reads (the widget
 * polls) skip the store. Every change to what the widget sees goes through `remember` or
 * `publish` after it is stored; changes other processes store reach it through `forget` and
 * `publish` (`followStoreChanges`, when the store is shared). An older state never replaces a
 * newer one (`updatedAt` decides), whatever order the writes and reads finish in.
 */
export class SessionHub {
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #cached = new Map<string, { json: string; updatedAt: string; status: string }>();
  readonly cacheSize: number;

  constructor(cacheSize = 10_000) {
    this.cacheSize = cacheSize;
  }

  /** Stores the session's public JSON (most recent last), unless a newer one is cached; returns it. */
  remember(session: PublicSession): string {
    const text = JSON.stringify(session);
    if (this.cacheSize > 0) {
      const known = this.#cached.get(session.id);
      if (known && known.updatedAt > session.updatedAt) return text;
      this.#cached.delete(session.id);
      this.#cached.set(session.id, { json: text, updatedAt: session.updatedAt, status: session.status });
      if (this.#cached.size > this.cacheSize) this.#cached.delete(this.#cached.keys().next().value!);
    }
    return text;
  }

  /** The session's public JSON if this process has it current, else undefined. */
  cachedJson(sessionId: string): string | undefined {
    return this.#cached.get(sessionId)?.json;
  }

  /** True when what is cached (or was last published) is at least as new as `updatedAt`. */
  isCurrent(sessionId: string, updatedAt: string): boolean {
    const known = this.#cached.get(sessionId);
    return known !== undefined && known.updatedAt >= updatedAt;
  }

  /** Drops the cached JSON (another process changed the session); the next read asks the store. */
  forget(sessionId?: string): void {
    if (sessionId === undefined) this.#cached.clear();
    else this.#cached.delete(sessionId);
  }

  /** Sessions that have open streams here, with the status last sent to them (if known). */
  followed(): { id: string; status: string | undefined }[] {
    return [...this.#listeners.keys()].map((id) => ({ id, status: this.#cached.get(id)?.status }));
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
    const known = this.#cached.get(session.id);
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
