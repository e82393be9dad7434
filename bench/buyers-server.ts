// The server side of bench/buyers.bench.ts: Pasarela in sandbox mode as `npm run serve` builds it
// (server/serve.ts), on a SQLite file in BENCH_DIR, with the built-in sandboxes mounted in the same
// process and their webhooks sent to this server over loopback. It is assembled here rather than
// by `startServer` for one reason: the sandboxes' `fetch` is wrapped to stamp each webhook with
// `process.hrtime.bigint()` (the machine's monotonic clock, the same in every process) just before
// it is sent, and when it is answered. The listener starts first (port 0), so the public URL the
// sandboxes build their links and webhook URLs from carries the real port.
//
// stdout: one JSON line `{ url, pid, adminToken }` once listening. Each line on stdin answers one
// JSON line with the webhooks sent so far. It stops when stdin ends, or after 10 minutes.
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createPasarela } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { createLogger, type Logger } from '../server/log.js';
import { openStore } from '../server/node/store-and-bundle.js';
import { createSandboxes } from '../server/sandbox/index.js';

/** One notification a sandbox sent: where, what, and when (monotonic ns, as decimal strings). */
export interface SentWebhook {
  url: string;
  body: string | null;
  sentAt: string;
  answeredAt: string;
  status: number;
}

const dir = process.env.BENCH_DIR;
if (!dir) throw new Error('BENCH_DIR is missing: the directory for the SQLite file');
// Letters, digits and dashes only: what a bearer token may hold.
const adminToken = 'buyers-bench-admin-token-of-32-bytes';

let root: Hono | undefined;
const server = serve({ fetch: (request, env) => root!.fetch(request, env), hostname: '127.0.0.1', port: 0 });
await new Promise((resolve) => server.once('listening', resolve));
const { port } = server.address() as AddressInfo;
const url = `http://127.0.0.1:${port}`;

const config = loadConfig({
  PASARELA_SANDBOX: '1',
  PASARELA_ORDER_SECRET: process.env.BENCH_ORDER_SECRET,
  PASARELA_ADMIN_TOKEN: adminToken,
  // Each buyer comes with its own X-Forwarded-For address, as behind a load balancer.
  PASARELA_TRUST_PROXY: '1',
  PORT: String(port),
  PUBLIC_URL: url,
  DATABASE_URL: `sqlite:${join(dir, 'pasarela.db')}`,
});
// Warnings and errors reach stderr; request logs are not written (a line on a pipe per request).
const errors = createLogger({ level: 'warn', write: (line) => process.stderr.write(`${line}\n`) });
const logger: Logger = { ...errors, debug: () => undefined, info: () => undefined };
const store = await openStore(config.databaseUrl);
const app = createPasarela({ config, store, logger });

const webhooks: SentWebhook[] = [];
const sandboxes = createSandboxes({
  publicUrl: url,
  fetch: async (input, init) => {
    const sentAt = process.hrtime.bigint();
    const response = await fetch(input, init);
    webhooks.push({
      url: String(input instanceof Request ? input.url : input),
      body: typeof init?.body === 'string' ? init.body : null,
      sentAt: String(sentAt),
      answeredAt: String(process.hrtime.bigint()),
      status: response.status,
    });
    return response;
  },
});
sandboxes.connect(config);
app.route('/', sandboxes.app);
root = app;
process.stdout.write(`${JSON.stringify({ url, pid: process.pid, adminToken })}\n`);

createInterface({ input: process.stdin }).on('line', () => {
  process.stdout.write(`${JSON.stringify(webhooks)}\n`);
});
const stop = async () => {
  await app.close();
  await sandboxes.close();
  if ('closeAllConnections' in server) server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await store.close();
  process.exit(0);
};
process.stdin.on('end', () => void stop());
setTimeout(() => process.exit(1), 600_000).unref();
