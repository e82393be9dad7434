// Where the rate limiter counts: in this process's memory (one instance), or in the database, so
// that instances sharing it share their counts (DESIGN.md, "Scale-out").
import type { Logger } from '../log.js';
import type { RateHits, Store } from '../store/store.js';

/** Counts requests per key in fixed windows that start at a key's first request. */
export interface RateCounter {
  /** Counts one request for `key` at `now`; returns the window's count so far. */
  hit(key: string, now: number, windowMs: number): number;
  /** When the window `key` was last counted in ends (for `Retry-After`; 0 if not held). */
  resetAt(key: string): number;
  /** Keys held in memory now (benchmarks, tests). */
  size(): number;
  stop(): void;
}

interface Window {
  start: number;
  end: number;
  /** Requests counted by every instance, as last heard from the database. */
  shared: number;
  /** Requests counted here and not yet added to the database. */
  pending: number;
}

/** Keys a memory counter keeps at most (100,000): an address seen once costs nothing for long. */
export const maxCountedKeys = 100_000;

/**
 * One process's counts, in constant work per request and bounded memory. The windows are a ring
 * of slots in typed arrays, in the order they started, and a map from each key to its slot: a
 * request in a running window is one map lookup and an increment, with nothing allocated. Windows
 * of one length end in the order they started, so the ones that ended are always at the front of
 * the ring, where each request drops them (each window is dropped once). When the ring holds
 * `maxKeys` running windows (a flood of new addresses), a new window takes the slot of the one
 * that started first, which is also the one closest to its end: that address starts afresh a
 * little early, the least any bound can forget. The arrays grow by doubling up to `maxKeys`.
 */
export function memoryCounter(maxKeys = maxCountedKeys): RateCounter {
  const slots = new Map<string, number>();
  let capacity = Math.min(maxKeys, 1_024);
  let keys: (string | undefined)[] = new Array(capacity).fill(undefined);
  let ends = new Float64Array(capacity);
  let counts = new Uint32Array(capacity);
  /** The oldest slot of the ring, and how many follow it (slots of replaced windows included). */
  let first = 0;
  let used = 0;

  const dropFirst = () => {
    const key = keys[first];
    if (key !== undefined) {
      slots.delete(key);
      keys[first] = undefined;
    }
    first = first + 1 === capacity ? 0 : first + 1;
    used--;
  };
  const grow = () => {
    const larger = Math.min(maxKeys, capacity * 2);
    const nextKeys: (string | undefined)[] = new Array(larger).fill(undefined);
    const nextEnds = new Float64Array(larger);
    const nextCounts = new Uint32Array(larger);
    for (let i = 0; i < used; i++) {
      const from = (first + i) % capacity;
      const key = keys[from];
      nextKeys[i] = key;
      nextEnds[i] = ends[from]!;
      nextCounts[i] = counts[from]!;
      if (key !== undefined) slots.set(key, i);
    }
    keys = nextKeys;
    ends = nextEnds;
    counts = nextCounts;
    capacity = larger;
    first = 0;
  };

  return {
    hit(key, now, windowMs) {
      while (used > 0 && ends[first]! <= now) dropFirst();
      const slot = slots.get(key);
      if (slot !== undefined) {
        if (now < ends[slot]!) return ++counts[slot]!;
        // Its window ended behind a longer one still running: the slot is left to the sweep.
        keys[slot] = undefined;
      }
      if (used === capacity) {
        if (capacity < maxKeys) grow();
        else dropFirst();
      }
      let next = first + used;
      if (next >= capacity) next -= capacity;
      keys[next] = key;
      ends[next] = now + windowMs;
      counts[next] = 1;
      slots.set(key, next);
      used++;
      return 1;
    },
    resetAt(key) {
      const slot = slots.get(key);
      return slot === undefined ? 0 : ends[slot]!;
    },
    size: () => slots.size,
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
        if (windows.size < maxCountedKeys || windows.has(key)) windows.set(key, window);
      }
      window.pending += 1;
      // Without a word from the database yet, this process's own count still holds the line.
      return Math.max(local.hit(key, now, windowMs), window.shared + window.pending);
    },
    resetAt: (key) => windows.get(key)?.end ?? local.resetAt(key),
    size: () => Math.max(windows.size, local.size()),
    stop() {
      clearInterval(timer);
      local.stop();
    },
  };
}
