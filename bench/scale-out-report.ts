// What bench/scale-out.bench.ts records, and how it prints it.
import type { LoadResult } from './scale-out-load.js';
import { ms, percentile, staleGiveUpMs, thousands } from './scale-out-settings.js';

// ── what the bench records ──────────────────────────────────────────────────────────────────────

export type StoreName = 'SQLite' | 'PostgreSQL';

export interface ReadRow {
  store: StoreName;
  instances: number;
  cache: boolean;
  load: LoadResult;
  /** CPU used during the run, in % of one core: each instance, PostgreSQL, the load generator, the rest. */
  cpu: {
    instances: number[];
    postgres: number;
    generator: number;
    bench: number;
    other: number;
    /** Taken by the hypervisor for other VMs. */
    steal: number;
  };
  /** Our instances' PostgreSQL connections (pg_stat_activity, sampled every 100 ms). */
  connections?: { open: number; activeMean: number; activeMax: number };
}

export interface LatencyRow {
  store: StoreName;
  instances: number;
  samples: number[];
  /** Webhook → SSE only: webhook sent → answered by A (the payment stored there). */
  stored?: number[];
}

export interface StaleRow {
  instances: number;
  cache: boolean;
  loaded: boolean;
  /** The session's event stream open on B (its changes are read again there, not just dropped). */
  followed: boolean;
  /** Per change: last read sent after the commit that still answered the old status, ms after it. */
  windows: number[];
  staleReads: number;
  reads: number;
  /** Changes B still answered with the old status `staleGiveUpMs` after the commit. */
  never: number;
  /** Reads per second of the load run (loaded only). */
  rps?: number;
}

export const reads: ReadRow[] = [];
export const creationRows: LatencyRow[] = [];
export const sseRows: LatencyRow[] = [];
export const staleRows: StaleRow[] = [];
export const problems: string[] = [];

export function describeRead(row: ReadRow): string {
  const cpu = row.cpu;
  const instanceCpu = cpu.instances.reduce((a, b) => a + b, 0);
  /** % of a core at `rps` reads per second → µs of CPU per read. */
  const perRead = (percent: number) => ((percent / 100 / row.load.rps) * 1e6).toFixed(0);
  const connectionsText = row.connections
    ? `, PostgreSQL connections ${row.connections.open} (active: mean ${row.connections.activeMean.toFixed(1)}, max ${row.connections.activeMax})`
    : '';
  return (
    `${row.store} ×${row.instances}, cache ${row.cache ? 'on' : 'off'}: ${thousands(row.load.rps)} req/s ` +
    `(latency p50 ${row.load.p50Ms} / p99 ${row.load.p99Ms} ms); CPU % of a core: instances ${cpu.instances
      .map((c) => c.toFixed(0))
      .join(' + ')}, PostgreSQL ${cpu.postgres.toFixed(0)}, load generator ${cpu.generator.toFixed(0)}, ` +
    `bench ${cpu.bench.toFixed(0)}, others ${cpu.other.toFixed(0)}, stolen ${cpu.steal.toFixed(0)}; CPU per read: instances ${perRead(instanceCpu)} µs, ` +
    `PostgreSQL ${perRead(cpu.postgres)} µs${connectionsText}`
  );
}

export function describeStale(row: StaleRow): string {
  return (
    `×${row.instances} staleness on B after a change on A, cache ${row.cache ? 'on' : 'off'}, ${row.followed ? 'stream open on B' : 'no stream'}, ${row.loaded ? `under read load (${thousands(row.rps ?? 0)} req/s)` : 'idle'}: ` +
    `${row.windows.length + row.never} changes, window p50 ${ms(percentile(row.windows, 0.5))} / p99 ${ms(percentile(row.windows, 0.99))} / max ${ms(Math.max(0, ...row.windows))} ms, ` +
    `${row.staleReads} stale reads of ${row.reads} after the commit, ${row.never} never refreshed within ${staleGiveUpMs / 1000} s`
  );
}

export function printSummary(): void {
  console.log('\nsummary');
  for (const row of reads) console.log(`  reads: ${describeRead(row)}`);
  for (const row of creationRows) {
    console.log(
      `  creation: ${row.store} ×${row.instances}: p50 ${ms(percentile(row.samples, 0.5))} ms, p99 ${ms(percentile(row.samples, 0.99))} ms over ${row.samples.length}`,
    );
  }
  for (const row of sseRows) {
    console.log(
      `  webhook → SSE: ${row.store} ×${row.instances}: p50 ${ms(percentile(row.samples, 0.5))} ms, p99 ${ms(percentile(row.samples, 0.99))} ms over ${row.samples.length} ` +
        `(stored on A: p50 ${ms(percentile(row.stored!, 0.5))} ms, p99 ${ms(percentile(row.stored!, 0.99))} ms)`,
    );
  }
  for (const row of staleRows) console.log(`  ${describeStale(row)}`);
  if (problems.length) {
    console.log(`  the instances logged ${problems.length} warnings or errors; the first:`);
    for (const line of problems.slice(0, 5)) console.log(`    ${line}`);
  }
}
