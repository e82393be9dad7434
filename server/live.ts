import type { PublicSession } from './core/session.js';

type Listener = (session: PublicSession) => void;

/**
 * Pushes each stored status change to the SSE streams following that session, in this process.
 * Listeners are called after the change is committed, so a stream never shows an unstored state.
 *
 * It also keeps the latest public JSON of recently seen sessions, so status reads (the widget
 * polls) skip the store. Every change to what the widget sees goes through `remember` or
 * `publish` after it is stored, which holds while one process owns the database (SQLite); a store
 * shared by several processes needs `cacheSize: 0`.
 */
export class SessionHub {
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #json = new Map<string, string>();

  constructor(readonly cacheSize = 10_000) {}

  /** Stores the session's public JSON (most recent last) and returns it. */
  remember(session: PublicSession): string {
    const text = JSON.stringify(session);
    if (this.cacheSize > 0) {
      this.#json.delete(session.id);
      this.#json.set(session.id, text);
      if (this.#json.size > this.cacheSize) this.#json.delete(this.#json.keys().next().value!);
    }
    return text;
  }

  /** The session's public JSON if this process has it current, else undefined. */
  cachedJson(sessionId: string): string | undefined {
    return this.#json.get(sessionId);
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
