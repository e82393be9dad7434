// Where the rate limiter counts: in this process's memory (one instance), or in the database, so
// that instances sharing it share their counts (DESIGN.md, "Scale-out").
import type { Logger } from '../log.js';
import type { RateHits, Store } from '../store/store.js';

/** Counts requests per key in fixed windows that start at a key's first request. */
export interface RateCounter {
  /** Counts one request for `key` at `now`; returns the window's count so far and when it ends. */
  hit(key: string, now: number, windowMs: number): { count: number; resetAt: number };
  stop(): void;
}

interface Window {
  start: number;
  end: number;
  /** Requests counted by every instance, as last heard from the database (0 in memory). */
  shared: number;
  /** Requests counted here and not yet added to the database. */
  pending: number;
}

/**
 * One process's counts. Windows are swept as they end, so an address seen once costs nothing
 * after its window.
 */
export function memoryCounter(): RateCounter {
  const windows = new Map<string, Window>();
  let lastSweep = 0;
  return {
    hit(key, now, windowMs) {
      if (now - lastSweep > windowMs) {
        for (const [k, w] of windows) if (now >= w.end) windows.delete(k);
        lastSweep = now;
      }
      let window = windows.get(key);
      if (!window || now >= window.end) {
        window = { start: now, end: now + windowMs, shared: 0, pending: 0 };
        windows.set(key, window);
      }
      window.pending += 1;
      return { count: window.pending, resetAt: window.end };
    },
    stop() {},
  };
}

export interface SharedCounterOptions {
  store: Pick<Store, 'addRateHits'> & { addRateHits: NonNullable<Store['addRateHits']> };
  log: Logger;
  now: () => number;
  /** How often this process adds its counts to the database and reads everyone's (250 ms). */
  flushMs?: number;
}

/**
 * Counts shared through the database without a query per request: each request is counted here
 * at once, and every `flushMs` the counts are added to the database in one statement, which
 * answers every instance's total. A key's count is everyone's total as last read plus what this
 * process has counted since, so N instances together let through at most the limit plus what
 * each admits in one flush interval. Database trouble leaves the local counts in charge.
 */
export function sharedCounter(options: SharedCounterOptions): RateCounter {
  const local = memoryCounter();
  const windows = new Map<string, Window & { windowMs: number }>();
  let flushing = false;
  const timer = setInterval(() => void flush(), options.flushMs ?? 250);
  timer.unref?.();

  async function flush(): Promise<void> {
    if (flushing) return;
    const now = options.now();
    const batch: RateHits[] = [];
    for (const [key, window] of windows) {
      if (now >= window.end && window.pending === 0) windows.delete(key);
      else if (window.pending > 0) batch.push({ key, count: window.pending, windowMs: window.windowMs });
    }
    if (batch.length === 0) return;
    flushing = true;
    const sent = new Map(batch.map((hit) => [hit.key, hit.count]));
    try {
      const totals = await options.store.addRateHits(batch, new Date(now).toISOString());
      for (const total of totals) {
        const window = windows.get(total.key);
        if (!window) continue;
        window.pending = Math.max(0, window.pending - (sent.get(total.key) ?? 0));
        window.shared = total.count;
        window.start = Date.parse(total.windowStart);
        window.end = window.start + window.windowMs;
      }
    } catch (error) {
      options.log.warn('rate-limit counts not shared', { error: String(error) });
    } finally {
      flushing = false;
    }
  }

  return {
    hit(key, now, windowMs) {
      let window = windows.get(key);
      if (!window || now >= window.end) {
        window = { start: now, end: now + windowMs, shared: 0, pending: 0, windowMs };
        windows.set(key, window);
      }
      window.pending += 1;
      // Without a word from the database yet, this process's own count still holds the line.
      const own = local.hit(key, now, windowMs).count;
      return { count: Math.max(own, window.shared + window.pending), resetAt: window.end };
    },
    stop() {
      clearInterval(timer);
      local.stop();
    },
  };
}
