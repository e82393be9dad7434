// The rate limiter's memory counter: constant work per request, and memory bounded whatever the
// number of client addresses.
import { describe, expect, it } from 'vitest';
import { memoryCounter } from '../../server/middleware/rate-counter.js';

describe('memoryCounter', () => {
  it('counts a key within its window and starts again after it', () => {
    const counter = memoryCounter();
    expect([0, 1, 2].map((i) => counter.hit('a', 1_000 + i, 60_000).count)).toEqual([1, 2, 3]);
    expect(counter.hit('a', 60_999, 60_000)).toEqual({ count: 4, resetAt: 61_000 });
    expect(counter.hit('a', 61_000, 60_000)).toEqual({ count: 1, resetAt: 121_000 });
    expect(counter.hit('b', 61_000, 60_000).count).toBe(1);
  });

  it('keeps a window across a generation, and ends it on time', () => {
    const counter = memoryCounter();
    counter.hit('early', 0, 60_000);
    counter.hit('late', 59_000, 60_000);
    // A new generation starts at 60 s: the late window (until 119 s) is still counted.
    counter.hit('other', 60_000, 60_000);
    expect(counter.hit('late', 100_000, 60_000).count).toBe(2);
    expect(counter.hit('late', 119_000, 60_000).count).toBe(1);
    expect(counter.hit('early', 100_000, 60_000).count).toBe(1);
  });

  it('forgets idle addresses within two windows, so they cost nothing', () => {
    const counter = memoryCounter();
    for (let i = 0; i < 1_000; i++) counter.hit(`10.0.${i >> 8}.${i & 255}`, i, 60_000);
    expect(counter.size()).toBe(1_000);
    // Two windows later, they are gone, whatever the traffic.
    counter.hit('192.0.2.1', 61_000, 60_000);
    counter.hit('192.0.2.1', 121_000, 60_000);
    expect(counter.size()).toBe(1);
  });

  it('never holds more than its bound, however many distinct addresses come in one window', () => {
    const counter = memoryCounter(10_000);
    let firsts = 0;
    for (let i = 0; i < 200_000; i++) if (counter.hit(`addr-${i}`, 5_000, 60_000).count === 1) firsts++;
    expect(firsts).toBe(200_000);
    expect(counter.size()).toBeLessThanOrEqual(10_000);
    // The most recent addresses are still counted.
    expect(counter.hit('addr-199999', 5_001, 60_000).count).toBe(2);
  });
});
