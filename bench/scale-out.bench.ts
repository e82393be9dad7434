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
import type pg from 'pg';
import { sandboxCredentials } from '../server/providers/index.js';
import type { Sandboxes } from '../server/sandbox/index.js';
import {
  type Commits,
  createSession,
  listenForCommits,
  openStream,
  pay,
  providerEnv,
  startSandboxes,
  webhook,
} from './scale-out-client.js';
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
import {
  creationRows,
  describeRead,
  describeStale,
  type LatencyRow,
  printSummary,
  problems,
  type ReadRow,
  reads,
  type StoreName,
  sseRows,
  staleRows,
} from './scale-out-report.js';
import { postgresSchema, seed, storedSession } from './scale-out-seed.js';
import {
  applicationName,
  connections,
  creations,
  databaseUrl,
  durationS,
  loadedS,
  maxInstances,
  ms,
  now,
  orderSecret,
  payments,
  percentile,
  quick,
  runId,
  sessionCount,
  sleep,
  staleSamples,
  thousands,
  warmupS,
} from './scale-out-settings.js';
import { measureStaleness } from './scale-out-staleness.js';

/** Every limit out of the way but still counted (and, on PostgreSQL, shared every 250 ms). */
const rateLimits = {
  create: { limit: 1e9, windowMs: 60_000 },
  read: { limit: 1e9, windowMs: 60_000 },
  // All webhooks come from 127.0.0.1 here; the per-payment limit stays the production one.
  hints: { perSession: 30, perAddress: 1e9, windowMs: 60_000 },
};

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
    const { ms: elapsed } = await createSession(instances[i % instances.length]!, runId, orderSecret);
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
    const { session } = await createSession(b, runId, orderSecret);
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
    const commits = await listenForCommits(databaseUrl, applicationName('listen'));
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
