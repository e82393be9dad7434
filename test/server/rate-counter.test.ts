// The rate limiter's memory counter: constant work per request, and memory bounded whatever the
// number of client addresses.
import { describe, expect, it } from 'vitest';
import { memoryCounter } from '../../server/middleware/rate-counter.js';

describe('memoryCounter', () => {
  it('counts a key within its window and starts again after it', () => {
    const counter = memoryCounter();
    expect([0, 1, 2].map((i) => counter.hit('a', 1_000 + i, 60_000))).toEqual([1, 2, 3]);
    expect(counter.hit('a', 60_999, 60_000)).toBe(4);
    expect(counter.resetAt('a')).toBe(61_000);
    expect(counter.hit('a', 61_000, 60_000)).toBe(1);
    expect(counter.resetAt('a')).toBe(121_000);
    expect(counter.hit('b', 61_000, 60_000)).toBe(1);
  });

  it('ends each window on time, whatever started or ended around it', () => {
    const counter = memoryCounter();
    counter.hit('early', 0, 60_000);
    counter.hit('late', 59_000, 60_000);
    // At 60 s the early window ends and is dropped: the late one (until 119 s) is still counted.
    counter.hit('other', 60_000, 60_000);
    expect(counter.hit('late', 100_000, 60_000)).toBe(2);
    expect(counter.hit('late', 119_000, 60_000)).toBe(1);
    expect(counter.hit('early', 100_000, 60_000)).toBe(1);
  });

  it('forgets idle addresses once their windows end, so they cost nothing', () => {
    const counter = memoryCounter();
    for (let i = 0; i < 1_000; i++) counter.hit(`10.0.${i >> 8}.${i & 255}`, i, 60_000);
    expect(counter.size()).toBe(1_000);
    // The next request after their windows ended drops them all.
    counter.hit('192.0.2.1', 61_000, 60_000);
    expect(counter.size()).toBe(1);
    counter.hit('192.0.2.1', 121_000, 60_000);
    expect(counter.size()).toBe(1);
  });

  it('never holds more than its bound, however many distinct addresses come in one window', () => {
    const counter = memoryCounter(10_000);
    let firsts = 0;
    for (let i = 0; i < 200_000; i++) if (counter.hit(`addr-${i}`, 5_000, 60_000) === 1) firsts++;
    expect(firsts).toBe(200_000);
    expect(counter.size()).toBeLessThanOrEqual(10_000);
    // The most recent addresses are still counted; the first ones were let go to make room.
    expect(counter.hit('addr-199999', 5_001, 60_000)).toBe(2);
    expect(counter.hit('addr-0', 5_001, 60_000)).toBe(1);
  });

  it('keeps every count while it grows to its bound, minute after minute', () => {
    const counter = memoryCounter(5_000);
    // 4,000 new addresses a minute beside one busy one: the ring grows from 1,024 slots to 5,000.
    let busy = 0;
    for (let minute = 0; minute < 3; minute++) {
      for (let i = 0; i < 4_000; i++) {
        const now = minute * 60_000 + i;
        busy = counter.hit('busy', now, 60_000);
        counter.hit(`m${minute}-${i}`, now, 60_000);
      }
      expect(busy).toBe(4_000);
    }
    // 4,000 keys a minute plus the busy one fit in 5,000: nothing counted was forgotten.
    expect(counter.hit('m2-0', 120_000 + 4_000, 60_000)).toBe(2);
    expect(counter.size()).toBeLessThanOrEqual(5_000);
  });

  it('counts windows of different lengths under one key space, each ending on time', () => {
    const counter = memoryCounter();
    counter.hit('long', 0, 600_000);
    expect(counter.hit('short', 1, 1_000)).toBe(1);
    expect(counter.hit('short', 500, 1_000)).toBe(2);
    // The short window ended behind the long one, which is still running: a new window starts.
    expect(counter.hit('short', 1_001, 1_000)).toBe(1);
    expect(counter.resetAt('short')).toBe(2_001);
    expect(counter.hit('short', 1_500, 1_000)).toBe(2);
    expect(counter.hit('long', 599_999, 600_000)).toBe(2);
    expect(counter.hit('long', 600_000, 600_000)).toBe(1);
    expect(counter.size()).toBe(1);
  });
});
