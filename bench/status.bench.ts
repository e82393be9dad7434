// Status reads: requests per second of GET /api/sessions/:id (SQLite, 10,000 sessions) against a
// bare Hono route returning the same JSON from memory, same load generator, same run (target
// ratio ≥ 0.7). Session creation: the latency the server adds on top of a zero-latency sandbox
// (target p50 ≤ 5 ms).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import { createPasarela } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { silentLogger } from '../server/log.js';
import { signOrder } from '../server/orders.js';
import { createSandboxes } from '../server/sandbox/index.js';
import { openSqliteStore } from '../server/store/sqlite/index.js';

const durationS = Number(process.env.BENCH_SECONDS ?? 8);
const connections = 32;

const rounds = 4;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function readThroughput(): Promise<{ pasarela: number; bare: number; ratio: number }> {
  const child = spawn('node_modules/.bin/tsx', ['bench/status-server.ts'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  const { url, ids } = JSON.parse(line) as { url: string; ids: string[] };
  const run = async (prefix: string, duration: number) => {
    const pick = () => ids[Math.floor(Math.random() * ids.length)];
    const options: autocannon.Options = {
      url,
      connections,
      duration,
      requests: [{ setupRequest: (request) => ({ ...request, path: `${prefix}/${pick()}` }) }],
    };
    const result = await autocannon(options);
    if (result.non2xx || result.errors) {
      throw new Error(`${prefix}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    }
    return result.requests.average;
  };
  try {
    await run('/bare', 2); // warm-up: JIT and SQLite page cache
    await run('/api/sessions', 2);
    // Interleaved rounds, so a change in the machine's load hits both sides alike; medians reported.
    const bare: number[] = [];
    const pasarela: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      bare.push(await run('/bare', durationS / rounds));
      pasarela.push(await run('/api/sessions', durationS / rounds));
      ratios.push(pasarela.at(-1)! / bare.at(-1)!);
    }
    return { bare: median(bare), pasarela: median(pasarela), ratio: median(ratios) };
  } finally {
    child.stdin!.end();
    child.kill();
  }
}

async function creationOverhead(): Promise<number[]> {
  const publicUrl = 'http://pasarela.bench';
  const config = loadConfig({
    PASARELA_SANDBOX: '1',
    PUBLIC_URL: publicUrl,
    PASARELA_ORDER_SECRET: 'bench-order-secret-at-least-32-bytes!!',
  });
  const sandboxes = createSandboxes({ publicUrl });
  let providerMs = 0;
  // The providers reach the sandboxes in process: no network, so what remains is Pasarela's own work.
  const inProcess: typeof fetch = async (input, init) => {
    const started = performance.now();
    const response = await sandboxes.app.fetch(new Request(input, init));
    providerMs += performance.now() - started;
    return response;
  };
  const store = await openSqliteStore({ path: ':memory:' });
  const app = createPasarela({
    config,
    store,
    fetch: inProcess,
    logger: silentLogger,
    reconciler: false,
    rateLimits: { create: { limit: 1e9, windowMs: 60_000 } },
  });
  const root = new Hono().route('/', app);
  const overheads: number[] = [];
  for (let i = 0; i < 600; i++) {
    const provider = i % 2 ? 'etpay' : 'tpaga';
    const order = await signOrder(
      { order_id: `OC-${i}`, amount: 12000, currency: provider === 'etpay' ? 'CLP' : 'COP' },
      config.orderSecret,
    );
    providerMs = 0;
    const started = performance.now();
    const response = await root.request('/api/sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider, order }),
    });
    const total = performance.now() - started;
    if (response.status !== 201) throw new Error(`create answered ${response.status}`);
    if (i >= 100) overheads.push(total - providerMs); // the first 100 warm the JIT
  }
  await app.close();
  await sandboxes.close();
  await store.close();
  return overheads.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

const throughput = await readThroughput();
const { ratio } = throughput;
console.log(
  `status reads, ${connections} connections, ${rounds} interleaved rounds of ${durationS / rounds} s each, 10,000 sessions in SQLite (medians):`,
);
console.log(`  bare Hono route (memory):     ${throughput.bare.toFixed(0)} req/s`);
console.log(`  GET /api/sessions/:id:        ${throughput.pasarela.toFixed(0)} req/s`);
console.log(`  ratio: ${ratio.toFixed(2)} (target ≥ 0.70) ${ratio >= 0.7 ? 'ok' : 'BELOW TARGET'}`);

const overheads = await creationOverhead();
const p50 = percentile(overheads, 0.5);
console.log(
  `session creation, server-added latency over ${overheads.length} creations (zero-latency sandbox):`,
);
console.log(
  `  p50 ${p50.toFixed(2)} ms, p95 ${percentile(overheads, 0.95).toFixed(2)} ms, p99 ${percentile(overheads, 0.99).toFixed(2)} ms (target p50 ≤ 5 ms) ${p50 <= 5 ? 'ok' : 'ABOVE TARGET'}`,
);
