// Where the rate limiter counts: in this process's memory (one instance), or in the database, so
// that instances sharing it share their counts (DESIGN.md, "Scale-out").
import type { Logger } from '../log.js';
import type { RateHits, Store } from '../store/store.js';

/** Counts requests per key in fixed windows that start at a key's first request. */
export interface RateCounter {
  /** Counts one request for `key` at `now`; returns the window's count so far and when it ends. */
  hit(key: string, now: number, windowMs: number): { count: number; resetAt: number };
  /** Keys held in memory now (benchmarks, tests). */
  size(): number;
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

/** Keys a memory counter keeps at most (100,000): an address seen once costs nothing for long. */
export const maxCountedKeys = 100_000;

/**
 * One process's counts, in constant work per request and bounded memory. Windows live in two
 * generations of maps, each as long as the longest window: a request looks in the current one,
 * then the previous one; when a generation ends, the previous map is dropped whole (every window
 * in it has ended by then) and the current one becomes the previous. Past `maxKeys`, generations
 * turn early: the oldest keys start afresh, so the cost of a flood of new addresses falls on the
 * flood. (Dropping entries one by one from the front of a Map instead is linear in V8: each look
 * at the first entry walks the deleted ones.)
 */
export function memoryCounter(maxKeys = maxCountedKeys): RateCounter {
  let current = new Map<string, Window>();
  let previous = new Map<string, Window>();
  let generationStart = Number.NEGATIVE_INFINITY;
  let generationMs = 0;
  return {
    hit(key, now, windowMs) {
      if (windowMs > generationMs) generationMs = windowMs;
      if (now - generationStart >= generationMs || current.size >= maxKeys / 2) {
        previous = current;
        current = new Map();
        generationStart = now;
      }
      let window = current.get(key);
      if (!window) {
        window = previous.get(key);
        if (window) {
          previous.delete(key);
          current.set(key, window);
        }
      }
      if (!window || now >= window.end) {
        window = { start: now, end: now + windowMs, shared: 0, pending: 0 };
        current.set(key, window);
      }
      window.pending += 1;
      return { count: window.pending, resetAt: window.end };
    },
    size: () => current.size + previous.size,
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
        // Bounded: past the limit, new keys are counted by this process alone until the next
        // flush sweeps the windows that ended.
        if (windows.size < maxCountedKeys) windows.set(key, window);
      }
      window.pending += 1;
      // Without a word from the database yet, this process's own count still holds the line.
      const own = local.hit(key, now, windowMs).count;
      return { count: Math.max(own, window.shared + window.pending), resetAt: window.end };
    },
    size: () => Math.max(windows.size, local.size()),
    stop() {
      clearInterval(timer);
      local.stop();
    },
  };
}
