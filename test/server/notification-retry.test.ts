// The production retry schedule of merchant notifications (DESIGN.md, "Merchant notifications").
import { describe, expect, it } from 'vitest';
import { afterFailure, defaultRetryPolicy } from '../../server/notifications/retry.js';

const second = 1_000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;

/** Fails every attempt at the time it is due; returns the waits and when it was marked failed. */
function failForever(random: () => number) {
  const start = Date.UTC(2026, 0, 1);
  let now = start;
  const waits: number[] = [];
  for (let attempt = 1; attempt < 1_000; attempt++) {
    const outcome = afterFailure(defaultRetryPolicy, attempt, start, now, random);
    if (outcome.state === 'failed') return { waits, failedAfter: now - start, attempts: attempt };
    if (outcome.state !== 'pending') throw new Error('a failed attempt is never delivered');
    const next = Date.parse(outcome.nextAttemptAt);
    waits.push(next - now);
    now = next;
  }
  throw new Error('never marked failed');
}

describe('notification retries', () => {
  it('come after about 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then every few hours', () => {
    const { waits } = failForever(() => 0.5);
    expect(waits.slice(0, 8)).toEqual([
      5 * second,
      30 * second,
      2 * minute,
      10 * minute,
      30 * minute,
      hour,
      3 * hour,
      3 * hour,
    ]);
  });

  it('are spread by jitter of at most a fifth either way', () => {
    expect(failForever(() => 0).waits[0]).toBe(4 * second);
    expect(failForever(() => 0.999_999).waits[0]).toBeCloseTo(6 * second, -1);
    expect(failForever(() => 0).waits.at(-1)).toBe(2.4 * hour);
  });

  it('go on for at least 3 days, and end in failed not long after', () => {
    for (const random of [() => 0, () => 0.5, () => 0.999_999, Math.random]) {
      const { failedAfter, attempts } = failForever(random);
      expect(failedAfter).toBeGreaterThanOrEqual(3 * day);
      expect(failedAfter).toBeLessThan(3 * day + 4 * hour);
      expect(attempts).toBeGreaterThan(20);
    }
  });

  it('mark a delivery failed at once when its window has passed (a redelivery starts a new one)', () => {
    const start = Date.UTC(2026, 0, 1);
    expect(afterFailure(defaultRetryPolicy, 40, start, start + 3 * day)).toEqual({ state: 'failed' });
    expect(afterFailure(defaultRetryPolicy, 40, start + 3 * day, start + 3 * day).state).toBe('pending');
  });
});
