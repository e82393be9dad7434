// The settings of bench/scale-out.bench.ts, and small helpers its parts share.
export const durationS = Number(process.env.BENCH_SECONDS ?? 8);
/**
 * BENCH_SECONDS under 4 (the end-to-end suite's `BENCH_SECONDS=1` checks that the bench runs):
 * fewer sessions, 1 and 2 instances only, no staleness under load.
 */
export const quick = durationS < 4;
export const clamp = (value: number, min: number, max: number) =>
  Math.min(max, Math.max(min, Math.round(value)));
/**
 * Stored sessions the reads pick from: fewer than the status cache holds (10,000), so the few
 * hundred sessions each configuration creates do not push them out of it.
 */
export const sessionCount = quick ? 2_000 : 8_000;
/** A multiple of 1, 2 and 3, so every instance gets as many connections. */
export const connections = 30;
export const maxInstances = quick ? 2 : 3;
export const warmupS = Math.max(0.5, durationS / 8);
export const creations = clamp(durationS * 25, 20, 200);
export const payments = clamp(durationS * 6, 12, 48);
export const staleSamples = clamp(durationS * 3, 4, 24);
export const loadedS = Math.max(0.5, durationS / 4);
/** A read on B still old this long after the change is counted as never refreshed. */
export const staleGiveUpMs = 3_000;

export const orderSecret = 'bench-order-secret-at-least-32-bytes!!';
export const databaseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.PASARELA_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
export const runId = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
/** Our instances' PostgreSQL connections carry this application name, which pg_stat_activity shows. */
export const applicationName = (label: string) => `pasarela-bench-${runId}-${label}`;

export const now = () => performance.now();
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const percentile = (values: number[], p: number) => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
};
export const ms = (value: number) => (Number.isNaN(value) ? '–' : value.toFixed(value < 10 ? 2 : 1));
export const thousands = (value: number) => Math.round(value).toLocaleString('en-US');
