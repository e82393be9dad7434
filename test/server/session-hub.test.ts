// The live-status hub's cache: an older state never replaces a newer one, whatever order reads,
// changes and other processes' notifications finish in; memory stays bounded.
import { describe, expect, it } from 'vitest';
import type { PublicSession } from '../../server/core/session.js';
import { SessionHub } from '../../server/live.js';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
const session = (id: string, status: PublicSession['status'], second: number): PublicSession => ({
  id,
  provider: 'tpaga',
  status,
  amount: 1,
  currency: 'COP',
  orderId: 'o',
  description: null,
  createdAt: at(0),
  updatedAt: at(second),
  expiresAt: null,
  action: null,
});

describe('SessionHub cache', () => {
  it('keeps the newer state when an older read finishes last', () => {
    const hub = new SessionHub();
    hub.publish(session('a', 'paid', 5));
    hub.remember(session('a', 'pending', 1));
    expect(JSON.parse(hub.cachedJson('a')!).status).toBe('paid');
  });

  it('does not cache a read that started before another process’s change was heard', () => {
    const hub = new SessionHub();
    // Instance B misses, reads the store (pending, 1 s)… meanwhile A stores paid (5 s) and B hears of it.
    hub.forget('a', at(5));
    expect(hub.cachedJson('a')).toBeUndefined();
    hub.remember(session('a', 'pending', 1)); // the read that started before, answered late
    expect(hub.cachedJson('a')).toBeUndefined();
    hub.remember(session('a', 'paid', 5)); // the next read
    expect(JSON.parse(hub.cachedJson('a')!).status).toBe('paid');
    expect(hub.isCurrent('a', at(5))).toBe(true);
  });

  it('caches nothing read before everything was dropped (the listening connection was lost)', () => {
    const hub = new SessionHub();
    const generation = hub.generation;
    hub.forget();
    hub.remember(session('a', 'pending', 1), generation);
    expect(hub.cachedJson('a')).toBeUndefined();
    hub.remember(session('a', 'pending', 1), hub.generation);
    expect(hub.cachedJson('a')).toBeDefined();
  });

  it('holds at most its size, the most recent sessions first', () => {
    const hub = new SessionHub(1_000);
    for (let i = 0; i < 100_000; i++) hub.remember(session(`s${i}`, 'pending', 1));
    let held = 0;
    for (let i = 0; i < 100_000; i++) if (hub.cachedJson(`s${i}`)) held++;
    expect(held).toBeLessThanOrEqual(1_000);
    expect(hub.cachedJson('s99999')).toBeDefined();
  });

  it('caches nothing with a size of 0, but still publishes', () => {
    const hub = new SessionHub(0);
    const seen: string[] = [];
    hub.subscribe('a', (s) => seen.push(s.status));
    hub.publish(session('a', 'paid', 5));
    expect(hub.cachedJson('a')).toBeUndefined();
    expect(seen).toEqual(['paid']);
  });
});
