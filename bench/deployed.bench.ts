// The server as deployed (issue 14): `npm run serve` (server/cli.ts) in its own process, logs on at
// the default level into a pipe, behind one trusted proxy, measured from outside beside a bare Hono
// route and a bare node:http server answering the same JSON, with the same load generator in the
// same run. Then session creation from outside, memory per open event stream, and memory after a
// flood of reads from distinct client addresses (the rate limiter's per-address state).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { toPublicSession } from '../server/core/session.js';
import { signOrder } from '../server/orders.js';
import { openSqliteStore } from '../server/store/sqlite/index.js';
import { benchSessions } from './sessions.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const quick = seconds < 4;
const connections = 50;
const rounds = quick ? 1 : 5;
const orderSecret = 'deployed-bench-order-secret-of-32-bytes!';
const sessionsStored = 1_000;
/** Client addresses spread over 100,000: a busy shop behind a load balancer (under the 300/min limit). */
const addresses = 100_000;

const dir = mkdtempSync(join(tmpdir(), 'pasarela-deployed-'));
const children: ChildProcess[] = [];
const stopAll = () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', stopAll);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const address = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** Stored sessions, and their public JSON for the bare servers. */
async function seed(): Promise<string[]> {
  const store = await openSqliteStore({ path: join(dir, 'pasarela.db') });
  const bodies: Record<string, unknown> = {};
  for (const session of benchSessions(sessionsStored, 'BENCH')) {
    await store.createSession(session);
    bodies[session.id] = toPublicSession(session);
  }
  await store.close();
  writeFileSync(join(dir, 'sessions.json'), JSON.stringify(bodies));
  return Object.keys(bodies);
}

/**
 * On Linux with two cores or more, the servers run on the last core and this process (the load
 * generator) on the first: the scheduler then cannot hand one of them the other's core part of the
 * time, which moved the ratios by ±0.2 between rounds of the same run. Elsewhere, unpinned.
 */
const serverCore = pinning();
function pinning(): string | undefined {
  const cores = availableParallelism();
  if (process.platform !== 'linux' || cores < 2) return undefined;
  const pinned = spawnSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' });
  return pinned.status === 0 ? String(cores - 1) : undefined;
}
const onServerCore = (args: string[]): [string, string[]] =>
  serverCore ? ['taskset', ['-c', serverCore, process.execPath, ...args]] : [process.execPath, args];

async function startDeployed(): Promise<{ url: string; pid: number; lines: () => number }> {
  const port = await freePort();
  // The log goes into a pipe, as under a process manager, read by `cat` into a file. The reader
  // runs on the server's core, as a log shipper shares a deployment's CPU: on the load
  // generator's core it was starved at full load, and the server held its unread log in memory
  // (its RSS rose by 120 MB in one run).
  const logFile = join(dir, 'server.log');
  const [sinkCommand, sinkArgs] = serverCore
    ? ['taskset', ['-c', serverCore, 'sh', '-c', `exec cat > "${logFile}"`]]
    : ['sh', ['-c', `exec cat > "${logFile}"`]];
  const sink = spawn(sinkCommand, sinkArgs, { stdio: ['pipe', 'ignore', 'inherit'] });
  children.push(sink);
  const [command, args] = onServerCore(['--import', 'tsx', 'server/cli.ts']);
  const child = spawn(command, args, {
    env: {
      PATH: process.env.PATH,
      PASARELA_SANDBOX: '1',
      PORT: String(port),
      DATABASE_URL: `sqlite:${join(dir, 'pasarela.db')}`,
      PASARELA_TRUST_PROXY: '1',
      PASARELA_ORDER_SECRET: orderSecret,
    },
    stdio: ['ignore', sink.stdin!, 'inherit'],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  // Up when /healthz answers (at most 30 s).
  for (let attempt = 0; ; attempt++) {
    const up = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    if (attempt === 300 || child.exitCode !== null) throw new Error('the deployed server did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const lines = () => readFileSync(logFile, 'utf8').split('\n').length - 1;
  return { url, pid: child.pid!, lines };
}

async function startBare(kind: 'hono' | 'http'): Promise<{ url: string; pid: number }> {
  const [command, args] = onServerCore([
    '--import',
    'tsx',
    'bench/deployed-bare.ts',
    kind,
    join(dir, 'sessions.json'),
  ]);
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  return { url: (JSON.parse(line) as { url: string }).url, pid: child.pid! };
}

async function load(url: string, ids: string[], duration: number, from = addresses, rate?: number) {
  const result = await autocannon({
    url,
    connections,
    duration,
    ...(rate && { overallRate: rate }),
    requests: [
      {
        setupRequest: (request) => {
          return {
            ...request,
            path: `/api/sessions/${ids[Math.floor(Math.random() * ids.length)]}`,
            headers: { 'x-forwarded-for': address(Math.floor(Math.random() * from)) },
          };
        },
      },
    ],
  });
  if (result.non2xx || result.errors)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    rps: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

const ids = await seed();
const deployed = await startDeployed();
const { url: hono, pid: honoPid } = await startBare('hono');
const { url: http, pid: httpPid } = await startBare('http');

// Warm-up: JIT, the session cache, SQLite's pages.
for (const url of [deployed.url, hono, http]) await load(url, ids, quick ? 1 : 2);
type Run = Awaited<ReturnType<typeof load>>;
const runs: Record<'deployed' | 'hono' | 'http', Run[]> = { deployed: [], hono: [], http: [] };
const ratios = { hono: [] as number[], http: [] as number[] };
for (let round = 0; round < rounds; round++) {
  const each = Math.max(1, seconds / rounds / 1.5);
  runs.http.push(await load(http, ids, each));
  runs.hono.push(await load(hono, ids, each));
  runs.deployed.push(await load(deployed.url, ids, each));
  ratios.hono.push(runs.deployed.at(-1)!.rps / runs.hono.at(-1)!.rps);
  ratios.http.push(runs.deployed.at(-1)!.rps / runs.http.at(-1)!.rps);
}
const row = (name: string, list: Run[]) =>
  `  ${name.padEnd(36)} ${median(list.map((r) => r.rps))
    .toFixed(0)
    .padStart(
      7,
    )} req/s   p50 ${median(list.map((r) => r.p50))} ms   p99 ${median(list.map((r) => r.p99))} ms`;
console.log(
  `status reads from outside, ${connections} connections, ${addresses.toLocaleString('en')} client addresses (X-Forwarded-For), ${rounds} interleaved round(s), medians:`,
);
console.log(row('bare node:http', runs.http));
console.log(row('bare Hono route (@hono/node-server)', runs.hono));
console.log(row('npm run serve (logs on, limits on)', runs.deployed));
const vsHono = median(ratios.hono);
const vsHttp = median(ratios.http);
console.log(
  `  ratio to bare Hono ${vsHono.toFixed(2)} (target ≥ 0.6) ${vsHono >= 0.6 ? 'ok' : 'BELOW TARGET'}; to bare node:http ${vsHttp.toFixed(2)} (target ≥ 0.5) ${vsHttp >= 0.5 ? 'ok' : 'BELOW TARGET'}`,
);
console.log(`  (${deployed.lines().toLocaleString('en')} log lines written by the server so far)`);

// The same reads at a fixed rate every server keeps up with, and the CPU time each server spent
// per answer (from /proc): the measure of our own per-request work that does not depend on which
// process the scheduler favours, nor on the load generator's ceiling (one core here, which the
// bare servers reach before their own).
function cpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}
async function cpuPerRead(url: string, pid: number): Promise<number | undefined> {
  const before = cpuMs(pid);
  const run = await load(url, ids, quick ? 1 : 3, addresses, 4_000);
  const after = cpuMs(pid);
  return before === undefined || after === undefined ? undefined : ((after - before) * 1000) / run.total;
}
const cpu = { deployed: [] as number[], hono: [] as number[], http: [] as number[] };
for (let round = 0; round < (quick ? 1 : 3); round++) {
  for (const [name, url, pid] of [
    ['http', http, httpPid],
    ['hono', hono, honoPid],
    ['deployed', deployed.url, deployed.pid],
  ] as const) {
    const used = await cpuPerRead(url, pid);
    if (used !== undefined) cpu[name].push(used);
  }
}
if (cpu.deployed.length) {
  const [d, h, n] = [median(cpu.deployed), median(cpu.hono), median(cpu.http)];
  console.log(
    `server CPU per status read at 4,000 a second (medians of ${cpu.deployed.length}): bare node:http ${n.toFixed(1)} µs, bare Hono ${h.toFixed(1)} µs, npm run serve ${d.toFixed(1)} µs; bare Hono's share ${(h / d).toFixed(2)}, node:http's ${(n / d).toFixed(2)}`,
  );
}

// Session creation from outside: Tpaga against the sandbox on the same server, sequential.
const creations: number[] = [];
const createCount = quick ? 40 : 200;
for (let i = 0; i < createCount + 20; i++) {
  const order = await signOrder({ order_id: `NEW-${i}`, amount: 25_000, currency: 'COP' }, orderSecret);
  const started = performance.now();
  const response = await fetch(`${deployed.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address(200_000 + i) },
    body: JSON.stringify({ provider: 'tpaga', order }),
  });
  await response.arrayBuffer();
  if (response.status !== 201) throw new Error(`create answered ${response.status}`);
  if (i >= 20) creations.push(performance.now() - started);
}
creations.sort((a, b) => a - b);
const createP50 = percentile(creations, 0.5);
console.log(
  `session creation from outside (Tpaga, loopback sandbox, ${createCount} sequential): p50 ${createP50.toFixed(2)} ms, p99 ${percentile(creations, 0.99).toFixed(2)} ms (target p50 ≤ 10 ms) ${createP50 <= 10 ? 'ok' : 'ABOVE TARGET'}`,
);

// Memory per open event stream.
const streams = quick ? 200 : 2_000;
const before = rssKb(deployed.pid);
const open: AbortController[] = [];
await Promise.all(
  Array.from({ length: streams }, async (_, i) => {
    const controller = new AbortController();
    open.push(controller);
    const response = await fetch(`${deployed.url}/api/sessions/${ids[i % ids.length]}/events`, {
      headers: { 'x-forwarded-for': address(300_000 + i) },
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read(); // the first event: the stream is open
  }),
);
const withStreams = rssKb(deployed.pid);
const perStream = ((withStreams - before) * 1024) / streams;
// RSS as it stands, garbage included: bench/streams.bench.ts measures the heap after collection.
console.log(
  `open event streams: ${streams} added ${((withStreams - before) / 1024).toFixed(1)} MB to the server's RSS, ${(perStream / 1024).toFixed(1)} KB each before garbage collection (see bench/streams.bench.ts for the held memory)`,
);
for (const controller of open) controller.abort();

// A flood of reads from distinct addresses: the limiter's per-address state must stay bounded.
const flood = quick ? 100_000 : 1_000_000;
const samples: number[] = [rssKb(deployed.pid)];
let sent = 0;
const step = flood / 4;
for (let part = 0; part < 4; part++) {
  const offset = sent;
  let n = 0;
  const result = await autocannon({
    url: deployed.url,
    connections,
    amount: step,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          path: `/api/sessions/${ids[n % ids.length]}`,
          headers: { 'x-forwarded-for': address(1_000_000 + offset + n++) },
        }),
      },
    ],
  });
  if (result.non2xx) throw new Error(`flood: ${result.non2xx} non-2xx`);
  sent += step;
  samples.push(rssKb(deployed.pid));
}
console.log(
  `server RSS over ${flood.toLocaleString('en')} status reads from as many client addresses: ${samples.map((kb) => `${(kb / 1024).toFixed(0)} MB`).join(' → ')}`,
);
stopAll();
