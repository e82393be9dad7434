import type { PublicSession } from './core/session.js';

type Listener = (session: PublicSession) => void;

/**
 * Pushes each stored status change to the SSE streams following that session, in this process.
 * Listeners are called after the change is committed, so a stream never shows an unstored state.
 */
export class SessionHub {
  readonly #listeners = new Map<string, Set<Listener>>();

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
    for (const listener of this.#listeners.get(session.id) ?? []) listener(session);
  }

  /** Number of open subscriptions (for shutdown and tests). */
  get size(): number {
    let n = 0;
    for (const set of this.#listeners.values()) n += set.size;
    return n;
  }
}
