// Scale-out: 1, 2 and 3 real server processes on one PostgreSQL database, beside one on SQLite.
// - Status reads (GET /api/sessions/:id, random ids among many stored sessions): requests per
//   second over all instances, connections spread over them as a load balancer would; on
//   PostgreSQL with the status cache on (the default) and off (`sessionCacheSize: 0`).
// - Session creation (Tpaga against the loopback sandbox), sequential, from outside: p50 / p99.
// - Webhook → SSE: a Tpaga payment whose webhook reaches instance A while the buyer's stream is
//   on instance B (B ≠ A when there are several): p50 / p99.
// - Staleness: how long after a change is committed on A a read on B still answers the old status
//   (cache on and off, idle and under read load).
// bench/README.md says what each part measures and records the figures. On a 2-core machine the
// instances, PostgreSQL and the load generator share the cores: the shape matters, not the numbers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import pg from 'pg';
import { newSessionId } from '../server/app.js';
import { sandboxCredentials } from '../server/config.js';
import type { PaymentSession, PublicSession } from '../server/core/session.js';
import { signOrder } from '../server/orders.js';
import { createSandboxes, type Sandboxes } from '../server/sandbox/index.js';
import { openPostgresStore } from '../server/store/postgres/index.js';
import { sessionColumns, sessionValues } from '../server/store/postgres/rows.js';
import { openDatabase } from '../server/store/sqlite/database.js';
import { sessionToRow } from '../server/store/sqlite/rows.js';
import type { LoadResult } from './scale-out-load.js';
import {
  cpuTicks,
  freePort,
  type Instance,
  killChildren,
  type LoadGenerator,
  machineTicks,
  startInstance,
  startLoadGenerator,
  ticksPerSecond,
} from './scale-out-processes.js';

const durationS = Number(process.env.BENCH_SECONDS ?? 8);
/**
 * BENCH_SECONDS under 4 (the end-to-end suite's `BENCH_SECONDS=1` checks that the bench runs):
 * fewer sessions, 1 and 2 instances only, no staleness under load.
 */
const quick = durationS < 4;
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(value)));
/**
 * Stored sessions the reads pick from: fewer than the status cache holds (10,000), so the few
 * hundred sessions each configuration creates do not push them out of it.
 */
const sessionCount = quick ? 2_000 : 8_000;
/** A multiple of 1, 2 and 3, so every instance gets as many connections. */
const connections = 30;
const maxInstances = quick ? 2 : 3;
const warmupS = Math.max(0.5, durationS / 8);
const creations = clamp(durationS * 25, 20, 200);
const payments = clamp(durationS * 6, 12, 48);
const staleSamples = clamp(durationS * 3, 4, 24);
const loadedS = Math.max(0.5, durationS / 4);
/** A read on B still old this long after the change is counted as never refreshed. */
const staleGiveUpMs = 3_000;

const orderSecret = 'bench-order-secret-at-least-32-bytes!!';
const databaseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.PASARELA_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const runId = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
/** Our instances' PostgreSQL connections carry this application name, which pg_stat_activity shows. */
const applicationName = (label: string) => `pasarela-bench-${runId}-${label}`;

const now = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
};
const ms = (value: number) => (Number.isNaN(value) ? '–' : value.toFixed(value < 10 ? 2 : 1));
const thousands = (value: number) => Math.round(value).toLocaleString('en-US');

// ── what the bench records ──────────────────────────────────────────────────────────────────────

type StoreName = 'SQLite' | 'PostgreSQL';

interface ReadRow {
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

interface LatencyRow {
  store: StoreName;
  instances: number;
  samples: number[];
  /** Webhook → SSE only: webhook sent → answered by A (the payment stored there). */
  stored?: number[];
}

interface StaleRow {
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

const reads: ReadRow[] = [];
const creationRows: LatencyRow[] = [];
const sseRows: LatencyRow[] = [];
const staleRows: StaleRow[] = [];
const problems: string[] = [];

// ── sessions, sandboxes, instances ──────────────────────────────────────────────────────────────

function storedSession(i: number): PaymentSession {
  const created = new Date().toISOString();
  return {
    id: newSessionId(),
    provider: i % 2 ? 'etpay' : 'tpaga',
    status: 'pending',
    amount: 1000 + i,
    currency: i % 2 ? 'CLP' : 'COP',
    orderId: `OC-${i}`,
    description: 'Café de grano 500 g',
    items: [{ name: 'Café de grano 500 g', quantity: 1, amount: 1000 + i }],
    customerEmail: null,
    returnUrl: null,
    createdAt: created,
    updatedAt: created,
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    action: { type: 'redirect', url: `https://pmt.example/session/${'x'.repeat(64)}` },
    providerRef: `ref-${i}`,
    providerSecret: null,
    providerStatus: null,
    nextCheckAt: null,
    checkAttempts: 0,
    duplicate: false,
  };
}

/** The same sessions in SQLite (one transaction) and in PostgreSQL (multi-row inserts). */
async function seed(sessions: PaymentSession[], sqlitePath: string, postgresUrl: string | undefined) {
  const db = openDatabase(sqlitePath);
  const columns = Object.keys(sessionToRow(sessions[0]!));
  const insert = db.prepare(
    `INSERT INTO sessions (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  db.transaction(() => {
    for (const session of sessions) insert.run(sessionToRow(session));
  })();
  db.close();
  if (!postgresUrl) return;
  await (await openPostgresStore({ url: postgresUrl })).close(); // creates the tables
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (let start = 0; start < sessions.length; start += 500) {
      const batch = sessions.slice(start, start + 500);
      const rows = batch.map(
        (_, row) =>
          `(${sessionColumns.map((_, col) => `$${row * sessionColumns.length + col + 1}`).join(', ')})`,
      );
      await client.query(
        `INSERT INTO sessions (${sessionColumns.join(', ')}) VALUES ${rows.join(', ')}`,
        batch.flatMap(sessionValues),
      );
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

/** Times of the last webhook the Tpaga sandbox sent (payments are made one at a time). */
const webhook = { sentAt: 0, answeredAt: 0 };

async function startSandboxes(): Promise<{ sandboxes: Sandboxes; url: string; close: () => Promise<void> }> {
  let sandboxes: Sandboxes | undefined;
  const server = serve({
    fetch: (request) => sandboxes!.app.fetch(request),
    hostname: '127.0.0.1',
    port: 0,
  });
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  sandboxes = createSandboxes({
    publicUrl: url,
    // The sandboxes' own requests are their webhooks: timed here.
    fetch: async (input, init) => {
      webhook.sentAt = now();
      const response = await fetch(input, init);
      webhook.answeredAt = now();
      return response;
    },
  });
  return {
    sandboxes,
    url,
    close: async () => {
      await sandboxes!.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function providerEnv(sandboxUrl: string): Record<string, string> {
  return {
    ETPAY_MERCHANT_CODE: sandboxCredentials.etpay.merchantCode,
    ETPAY_API_TOKEN: sandboxCredentials.etpay.apiToken,
    ETPAY_API_URL: `${sandboxUrl}/sandbox/etpay/api`,
    ETPAY_PMT_URL: `${sandboxUrl}/sandbox/etpay/pmt`,
    TPAGA_USERNAME: sandboxCredentials.tpaga.username,
    TPAGA_PASSWORD: sandboxCredentials.tpaga.password,
    TPAGA_API_URL: `${sandboxUrl}/sandbox/tpaga/merchants/api/v1`,
  };
}

/** Every limit out of the way but still counted (and, on PostgreSQL, shared every 250 ms). */
const rateLimits = {
  create: { limit: 1e9, windowMs: 60_000 },
  read: { limit: 1e9, windowMs: 60_000 },
  // All webhooks come from 127.0.0.1 here; the per-payment limit stays the production one.
  hints: { perSession: 30, perAddress: 1e9, windowMs: 60_000 },
};

// ── the client side ─────────────────────────────────────────────────────────────────────────────

let orders = 0;

async function createSession(instance: Instance): Promise<{ session: PublicSession; ms: number }> {
  const order = await signOrder(
    { order_id: `SO-${runId}-${++orders}`, amount: 21_000, currency: 'COP' },
    orderSecret,
  );
  const started = now();
  const response = await fetch(`${instance.url}/api/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ provider: 'tpaga', order }),
  });
  const body = await response.text();
  const elapsed = now() - started;
  if (response.status !== 201) throw new Error(`POST /api/sessions answered ${response.status}: ${body}`);
  return { session: JSON.parse(body) as PublicSession, ms: elapsed };
}

async function readStatus(instance: Instance, id: string): Promise<string> {
  const response = await fetch(`${instance.url}/api/sessions/${id}`);
  if (response.status !== 200) throw new Error(`GET /api/sessions/${id} answered ${response.status}`);
  return ((await response.json()) as PublicSession).status;
}

/** The buyer pays in the Tpaga wallet: the sandbox sends its webhook, and answers once it is answered. */
async function pay(session: PublicSession): Promise<void> {
  const response = await fetch(session.action!.url, {
    method: 'POST',
    body: new URLSearchParams({ action: 'approve' }),
    redirect: 'manual',
  });
  await response.text();
  if (response.status >= 400) throw new Error(`the wallet answered ${response.status}`);
}

interface Stream {
  /** Resolves with the time the text read so far first contains `wanted` (fails after 10 s). */
  until(wanted: string): Promise<number>;
  close(): void;
}

async function openStream(instance: Instance, id: string): Promise<Stream> {
  const abort = new AbortController();
  const response = await fetch(`${instance.url}/api/sessions/${id}/events`, { signal: abort.signal });
  if (response.status !== 200) throw new Error(`the event stream answered ${response.status}`);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  return {
    async until(wanted) {
      const timer = setTimeout(() => abort.abort(), 10_000);
      try {
        while (!text.includes(wanted)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`the event stream ended before "${wanted}"`);
          text += value;
        }
      } catch (error) {
        throw abort.signal.aborted ? new Error(`no "${wanted}" on the event stream within 10 s`) : error;
      } finally {
        clearTimeout(timer);
      }
      return now();
    },
    close: () => abort.abort(),
  };
}

/** The bench's own LISTEN on the change channel: when a session's change was committed. */
interface Commits {
  /** Resolves with the arrival time of the first notification for `id` newer than `after`. */
  next(id: string, after: string): Promise<number>;
  close(): Promise<void>;
}

async function listenForCommits(url: string): Promise<Commits> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName('listen') });
  const waiting = new Map<string, { after: string; resolve: (at: number) => void }>();
  client.on('notification', (message) => {
    const at = now();
    const [id, updatedAt] = (message.payload ?? '').split(' ');
    const waiter = waiting.get(id!);
    if (waiter && updatedAt! > waiter.after) {
      waiting.delete(id!);
      waiter.resolve(at);
    }
  });
  await client.connect();
  await client.query('LISTEN pasarela_sessions');
  return {
    next: (id, after) => new Promise((resolve) => waiting.set(id, { after, resolve })),
    close: () => client.end(),
  };
}

// ── the measurements ────────────────────────────────────────────────────────────────────────────

async function measureReads(
  store: StoreName,
  cache: boolean,
  instances: Instance[],
  load: LoadGenerator,
  admin: pg.Client | undefined,
): Promise<ReadRow> {
  // Our instances' backends and PostgreSQL's own processes (WAL writer, checkpointer…), not the
  // backends of anything else using the same server meanwhile.
  const postgresPids = async () =>
    admin
      ? (
          await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity
             WHERE (application_name LIKE $1 OR backend_type <> 'client backend') AND pid <> pg_backend_pid()`,
            [`${applicationName('')}%`],
          )
        ).rows.map((row) => row.pid)
      : [];
  const postgresBefore = new Map((await postgresPids()).map((pid) => [pid, cpuTicks(pid)]));
  const snapshot = () => ({
    at: now(),
    instances: instances.map((i) => cpuTicks(i.pid)),
    generator: cpuTicks(load.pid),
    bench: process.cpuUsage(),
    machine: machineTicks(),
  });
  const active: number[] = [];
  let open = 0;
  let sampling = true;
  const sampler = (async () => {
    while (admin && sampling) {
      const { rows } = await admin.query<{ active: number; open: number }>(
        `SELECT count(*) FILTER (WHERE state = 'active')::int AS active, count(*)::int AS open
         FROM pg_stat_activity WHERE application_name LIKE $1`,
        [`${applicationName(store === 'PostgreSQL' && cache ? 'on' : 'off')}-%`],
      );
      active.push(rows[0]!.active);
      open = Math.max(open, rows[0]!.open);
      await sleep(100);
    }
  })();
  const before = snapshot();
  const result = await load.run({
    kind: 'reads',
    urls: instances.map((i) => i.url),
    connections,
    seconds: durationS,
  });
  const after = snapshot();
  sampling = false;
  await sampler;
  // A backend that ended meanwhile is left out; one that started counts from its start.
  let postgresTicks = 0;
  for (const pid of new Set([...postgresBefore.keys(), ...(await postgresPids())])) {
    const ticks = cpuTicks(pid);
    if (ticks > 0) postgresTicks += ticks - (postgresBefore.get(pid) ?? 0);
  }
  if (result.non2xx || result.errors) {
    throw new Error(`status reads: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  const seconds = (after.at - before.at) / 1000;
  const percent = (ticks: number) => (ticks / ticksPerSecond / seconds) * 100;
  const benchCpu = process.cpuUsage(before.bench);
  const cpu = {
    instances: instances.map((_, i) => percent(after.instances[i]! - before.instances[i]!)),
    postgres: percent(postgresTicks),
    generator: percent(after.generator - before.generator),
    bench: ((benchCpu.user + benchCpu.system) / 1e6 / seconds) * 100,
    other: 0,
    steal: percent(after.machine.steal - before.machine.steal),
  };
  const busy = percent(after.machine.busy - before.machine.busy);
  cpu.other = Math.max(
    0,
    busy - cpu.instances.reduce((a, b) => a + b, 0) - cpu.postgres - cpu.generator - cpu.bench,
  );
  return {
    store,
    instances: instances.length,
    cache,
    load: result,
    cpu,
    ...(admin && {
      connections: {
        open,
        activeMean: active.reduce((a, b) => a + b, 0) / Math.max(1, active.length),
        activeMax: Math.max(0, ...active),
      },
    }),
  };
}

async function measureCreation(store: StoreName, instances: Instance[]): Promise<LatencyRow> {
  const samples: number[] = [];
  for (let i = 0; i < creations + 10; i++) {
    const { ms: elapsed } = await createSession(instances[i % instances.length]!);
    if (i >= 10) samples.push(elapsed); // the first 10 warm the path up
  }
  return { store, instances: instances.length, samples };
}

async function measureWebhookToStream(
  store: StoreName,
  instances: Instance[],
  sandboxes: Sandboxes,
): Promise<LatencyRow> {
  const samples: number[] = [];
  const stored: number[] = [];
  for (let i = 0; i < payments + 2; i++) {
    const a = instances[i % instances.length]!;
    const b = instances[(i + 1) % instances.length]!;
    sandboxes.tpaga.setWebhookBase(sandboxCredentials.tpaga.username, `${a.url}/webhooks/tpaga`);
    const { session } = await createSession(b);
    const stream = await openStream(b, session.id);
    try {
      await stream.until('event: status');
      const shown = stream.until('"status":"paid"');
      await pay(session);
      const at = await shown;
      if (i < 2) continue; // warm-up
      samples.push(at - webhook.sentAt);
      stored.push(webhook.answeredAt - webhook.sentAt);
    } finally {
      stream.close();
    }
  }
  return { store, instances: instances.length, samples, stored };
}

/**
 * One change on A while B is read in a loop: how long after the commit B still answered the old
 * status. The commit is placed at the earlier of the bench's own notification and A's answer to
 * the webhook (both come after it), so the window found is a lower bound, to the resolution of
 * one read. With `followed`, the buyer's event stream is open on B meanwhile.
 */
async function staleWindow(
  a: Instance,
  b: Instance,
  followed: boolean,
  sandboxes: Sandboxes,
  commits: Commits | undefined,
) {
  sandboxes.tpaga.setWebhookBase(sandboxCredentials.tpaga.username, `${a.url}/webhooks/tpaga`);
  const { session } = await createSession(a);
  await readStatus(b, session.id); // now in B's cache, when it has one
  const stream = followed ? await openStream(b, session.id) : undefined;
  try {
    await stream?.until('event: status');
    let notifiedAt = Number.POSITIVE_INFINITY;
    void commits?.next(session.id, session.updatedAt).then((at) => {
      notifiedAt = at;
    });
    const seen: { sent: number; status: string }[] = [];
    let paidAt: number | undefined;
    let stop = false;
    const poller = (async () => {
      while (!stop) {
        const sent = now();
        const status = await readStatus(b, session.id);
        seen.push({ sent, status });
        if (status === 'paid') paidAt ??= now();
        if (paidAt !== undefined && now() - paidAt > 5) return; // and still paid a moment later
      }
    })();
    await pay(session);
    const answeredAt = webhook.answeredAt;
    while (paidAt === undefined && now() - answeredAt < staleGiveUpMs) await sleep(5);
    stop = true;
    await poller;
    const committedAt = Math.min(notifiedAt, answeredAt);
    const after = seen.filter((read) => read.sent > committedAt);
    const stale = after.filter((read) => read.status !== 'paid');
    return {
      window: stale.length ? Math.max(...stale.map((read) => read.sent)) - committedAt : 0,
      staleReads: stale.length,
      reads: after.length,
      never: paidAt === undefined,
    };
  } finally {
    stream?.close();
  }
}

/** Changes alternate between a session followed on B (its stream open there) and one that is not. */
async function measureStaleness(
  instances: Instance[],
  cache: boolean,
  sandboxes: Sandboxes,
  commits: Commits | undefined,
  load: LoadGenerator | undefined,
): Promise<StaleRow[]> {
  const rows = [false, true].map(
    (followed): StaleRow => ({
      instances: instances.length,
      cache,
      loaded: load !== undefined,
      followed,
      windows: [],
      staleReads: 0,
      reads: 0,
      never: 0,
    }),
  );
  let loading = load !== undefined;
  const loadRun = load
    ?.run({ kind: 'reads', urls: instances.map((i) => i.url), connections, seconds: loadedS })
    .finally(() => {
      loading = false;
    });
  if (load) await sleep(200); // the load is on before the first change
  for (let i = 0; load ? loading : i < staleSamples; i++) {
    const a = instances[i % instances.length]!;
    const b = instances[(i + 1) % instances.length]!;
    const row = rows[i % 2]!;
    const sample = await staleWindow(a, b, row.followed, sandboxes, commits);
    if (sample.never) row.never += 1;
    else row.windows.push(sample.window);
    row.staleReads += sample.staleReads;
    row.reads += sample.reads;
  }
  if (loadRun) {
    const { rps } = await loadRun;
    for (const row of rows) row.rps = rps;
  }
  return rows;
}

// ── the run ─────────────────────────────────────────────────────────────────────────────────────

interface Series {
  store: StoreName;
  cache: boolean;
  counts: number[];
  databaseUrl: string;
}

async function runSeries(
  series: Series,
  shared: { sandboxes: Sandboxes; sandboxUrl: string; load: LoadGenerator },
  admin: pg.Client | undefined,
  commits: Commits | undefined,
): Promise<void> {
  const { sandboxes, sandboxUrl, load } = shared;
  const instances: Instance[] = [];
  const label = series.store === 'PostgreSQL' ? (series.cache ? 'on' : 'off') : 'sqlite';
  try {
    for (const count of series.counts) {
      while (instances.length < count) {
        const port = await freePort();
        let url = series.databaseUrl;
        if (series.store === 'PostgreSQL') {
          const withName = new URL(url);
          withName.searchParams.set('application_name', applicationName(`${label}-${instances.length + 1}`));
          url = withName.toString();
        }
        const instance = await startInstance(
          {
            HOST: '127.0.0.1',
            PORT: String(port),
            PUBLIC_URL: `http://127.0.0.1:${port}`,
            DATABASE_URL: url,
            PASARELA_ORDER_SECRET: orderSecret,
            ...providerEnv(sandboxUrl),
          },
          { rateLimits, ...(!series.cache && { sessionCacheSize: 0 }) },
        );
        instances.push(instance);
        // Each new instance reads every stored session once: its cache, JIT and connections warm up.
        if (series.cache) await load.run({ kind: 'prime', url: instance.url });
      }
      // The same reads for a moment first: JIT, connections and PostgreSQL's buffers warm up, and the
      // load generator too (without it, the first configuration measured ran at two thirds of its rate).
      await load.run({ kind: 'reads', urls: instances.map((i) => i.url), connections, seconds: warmupS });
      const row = await measureReads(series.store, series.cache, instances, load, admin);
      reads.push(row);
      console.log(`  ${describeRead(row)}`);
      if (series.cache) {
        const creation = await measureCreation(series.store, instances);
        creationRows.push(creation);
        const sse = await measureWebhookToStream(series.store, instances, sandboxes);
        sseRows.push(sse);
        console.log(
          `    creation p50 ${ms(percentile(creation.samples, 0.5))} / p99 ${ms(percentile(creation.samples, 0.99))} ms; ` +
            `webhook → SSE p50 ${ms(percentile(sse.samples, 0.5))} / p99 ${ms(percentile(sse.samples, 0.99))} ms`,
        );
      }
      if (count >= 2) {
        for (const loaded of quick ? [false] : [false, true]) {
          const stale = await measureStaleness(
            instances,
            series.cache,
            sandboxes,
            commits,
            loaded ? load : undefined,
          );
          for (const row of stale) {
            staleRows.push(row);
            console.log(`    ${describeStale(row)}`);
          }
        }
      }
    }
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
    for (const instance of instances) problems.push(...instance.problems);
  }
}

function describeRead(row: ReadRow): string {
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

function describeStale(row: StaleRow): string {
  return (
    `×${row.instances} staleness on B after a change on A, cache ${row.cache ? 'on' : 'off'}, ${row.followed ? 'stream open on B' : 'no stream'}, ${row.loaded ? `under read load (${thousands(row.rps ?? 0)} req/s)` : 'idle'}: ` +
    `${row.windows.length + row.never} changes, window p50 ${ms(percentile(row.windows, 0.5))} / p99 ${ms(percentile(row.windows, 0.99))} / max ${ms(Math.max(0, ...row.windows))} ms, ` +
    `${row.staleReads} stale reads of ${row.reads} after the commit, ${row.never} never refreshed within ${staleGiveUpMs / 1000} s`
  );
}

function printSummary(): void {
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

/** A fresh schema in the bench database, or why PostgreSQL is out of reach. */
async function postgresSchema(): Promise<
  { url: string; admin: pg.Client; drop: () => Promise<void> } | { skipped: string }
> {
  const admin = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: 3_000,
    application_name: applicationName('admin'),
  });
  admin.on('error', () => undefined);
  const schema = `pasarela_bench_${runId}`;
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
  } catch (error) {
    await admin.end().catch(() => undefined);
    const where = new URL(databaseUrl);
    where.password = '';
    return { skipped: `${where.toString()} is not reachable (${(error as Error).message || String(error)})` };
  }
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    admin,
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

const cleanups: (() => Promise<unknown> | undefined)[] = [];
let cleaning: Promise<void> | undefined;
/** Once, however many ask (the end of the run and a signal may both): each waits for all of it. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`clean-up: ${String(error)}`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killChildren();
    void cleanUp().then(() => process.exit(130));
  });
}

const started = now();
let failed = false;
try {
  const dir = mkdtempSync(join(tmpdir(), 'pasarela-scale-out-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const postgres = await postgresSchema();
  if ('drop' in postgres) cleanups.push(postgres.drop);

  const sessions = Array.from({ length: sessionCount }, (_, i) => storedSession(i));
  const sqlitePath = join(dir, 'bench.db');
  await seed(sessions, sqlitePath, 'url' in postgres ? postgres.url : undefined);
  const idsFile = join(dir, 'ids.json');
  writeFileSync(idsFile, JSON.stringify(sessions.map((s) => s.id)));

  const { sandboxes, url: sandboxUrl, close } = await startSandboxes();
  cleanups.push(close);
  const load = startLoadGenerator(idsFile);
  cleanups.push(load.stop);
  const shared = { sandboxes, sandboxUrl, load };

  console.log(
    `status reads: ${connections} connections spread over the instances, ${thousands(sessionCount)} stored sessions, random ids, ` +
      `${durationS} s each after warm-up; creation: ${creations} sequential (Tpaga, loopback sandbox); ` +
      `webhook → SSE: ${payments} payments; staleness: ${staleSamples} changes idle` +
      (quick
        ? '. A quick check (BENCH_SECONDS < 4): 1 and 2 instances, no staleness under load; not figures to record.'
        : `, as many as fit in ${loadedS} s under load. 2 cores shared by everything: the shape matters, not the numbers.`),
  );
  await runSeries(
    { store: 'SQLite', cache: true, counts: [1], databaseUrl: `sqlite:${sqlitePath}` },
    shared,
    undefined,
    undefined,
  );
  if ('skipped' in postgres) {
    console.log(`PostgreSQL part skipped: ${postgres.skipped}. Start it, or set BENCH_DATABASE_URL.`);
  } else {
    const commits = await listenForCommits(databaseUrl);
    cleanups.push(commits.close);
    const counts = Array.from({ length: maxInstances }, (_, i) => i + 1);
    for (const cache of [true, false]) {
      await runSeries(
        { store: 'PostgreSQL', cache, counts, databaseUrl: postgres.url },
        shared,
        postgres.admin,
        commits,
      );
    }
  }
  printSummary();
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  killChildren();
  await cleanUp();
  console.log(`(${((now() - started) / 1000).toFixed(0)} s)`);
}
process.exit(failed ? 1 : 0);
