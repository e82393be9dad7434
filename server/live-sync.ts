import { toPublicSession } from './core/session.js';
import type { SessionHub } from './live.js';
import type { Logger } from './log.js';
import type { Store } from './store/store.js';

export interface LiveSyncOptions {
  store: Store;
  hub: SessionHub;
  log: Logger;
  /**
   * How often the sessions with open streams here that are still pending are read again (10 s),
   * in case a change notification was lost: a stream never misses a final status.
   */
  intervalMs?: number;
}

/**
 * Keeps this process's live streams and status cache in step with changes other processes store
 * in a shared database (`Store.watchSessions`: PostgreSQL's LISTEN/NOTIFY). A change to a session
 * with open streams here is read and published; any other drops its cached JSON. After the
 * listening connection was lost, and every `intervalMs`, followed sessions are read again.
 * Nothing to do (and nothing started) when the store is this process's alone. Returns `stop`.
 */
export function followStoreChanges(options: LiveSyncOptions): () => void {
  const { store, hub, log } = options;
  if (!store.watchSessions) return () => undefined;

  const refresh = async (sessionId: string) => {
    try {
      const generation = hub.generation;
      const session = await store.getSession(sessionId);
      if (session && generation === hub.generation) hub.publish(toPublicSession(session));
    } catch (error) {
      log.warn('live status not refreshed', { session: sessionId, error: String(error) });
    }
  };
  const followedIds = () => new Set(hub.followed().map((s) => s.id));

  const unwatch = store.watchSessions(
    (sessionId, updatedAt) => {
      if (hub.isCurrent(sessionId, updatedAt)) return;
      // Dropped first, keeping the change's time: no read under way can cache what it read before.
      hub.forget(sessionId, updatedAt);
      if (followedIds().has(sessionId)) void refresh(sessionId);
    },
    () => {
      // Changes were missed while the connection was down: nothing cached can be trusted.
      hub.forget();
      for (const id of followedIds()) void refresh(id);
    },
  );
  const timer = setInterval(() => {
    for (const { id, status } of hub.followed())
      if (status === undefined || status === 'pending') void refresh(id);
  }, options.intervalMs ?? 10_000);
  timer.unref?.();
  return () => {
    clearInterval(timer);
    unwatch();
  };
}
