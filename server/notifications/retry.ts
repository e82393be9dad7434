import type { AttemptOutcome } from '../store/outbox.js';

/** When a failed delivery is tried again (DESIGN.md, "Merchant notifications"). */
export interface RetryPolicy {
  /**
   * The wait after the 1st, 2nd, … failed attempt; the last one repeats. About 5 s, 30 s, 2 min,
   * 10 min, 30 min, 1 h, then every 3 h.
   */
  delaysMs: readonly number[];
  /**
   * Retries go on at least this long after a delivery first fell due (or was redelivered): 3
   * days. The first failure past it marks the delivery failed.
   */
  retryForMs: number;
  /** Each wait is stretched or shrunk by up to this share, so retries do not arrive in waves (0.2). */
  jitter: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  delaysMs: [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 3 * 3_600_000],
  retryForMs: 3 * 24 * 3_600_000,
  jitter: 0.2,
};

/**
 * What becomes of a delivery whose attempt number `attempt` (1 for the first) just failed at
 * `now`: tried again after the policy's wait, or failed once the retry window has passed.
 */
export function afterFailure(
  policy: RetryPolicy,
  attempt: number,
  windowStart: number,
  now: number,
  random: () => number = Math.random,
): AttemptOutcome {
  if (now - windowStart >= policy.retryForMs) return { state: 'failed' };
  const { delaysMs } = policy;
  const base = delaysMs[Math.min(attempt, delaysMs.length) - 1] ?? delaysMs.at(-1) ?? 5_000;
  const wait = base * (1 - policy.jitter + 2 * policy.jitter * random());
  return { state: 'pending', nextAttemptAt: new Date(now + wait).toISOString() };
}
