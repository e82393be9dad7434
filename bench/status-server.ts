// The server side of bench/status.bench.ts, in its own process so the load generator does not
// share its event loop: Pasarela on SQLite with 10,000 stored sessions, plus a bare Hono route
// that returns the same JSON from memory (the ceiling for this machine and runtime).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createPasarela, newSessionId } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { newPaymentSession, type PaymentSession, toPublicSession } from '../server/core/session.js';
import { silentLogger } from '../server/log.js';
import { openSqliteStore } from '../server/store/sqlite/index.js';

const sessions = Number(process.env.BENCH_SESSIONS ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'pasarela-bench-'));
const store = await openSqliteStore({ path: join(dir, 'bench.db') });
const config = loadConfig({
  PASARELA_SANDBOX: '1',
  PASARELA_ORDER_SECRET: 'bench-order-secret-at-least-32-bytes!!',
});

const memory = new Map<string, ReturnType<typeof toPublicSession>>();
const now = new Date().toISOString();
for (let i = 0; i < sessions; i++) {
  const session: PaymentSession = newPaymentSession({
    id: newSessionId(),
    provider: i % 2 ? 'etpay' : 'tpaga',
    amount: 1000 + i,
    currency: i % 2 ? 'CLP' : 'COP',
    orderId: `OC-${i}`,
    description: 'Café de grano 500 g',
    items: [{ name: 'Café de grano 500 g', quantity: 1, amount: 1000 + i }],
    createdAt: now,
    expiresAt: now,
    action: { type: 'redirect', url: `https://pmt.example/session/${'x'.repeat(64)}` },
    providerRef: `ref-${i}`,
  });
  await store.createSession(session);
  memory.set(session.id, toPublicSession(session));
}

const pasarela = createPasarela({
  config,
  store,
  logger: silentLogger,
  reconciler: false,
  rateLimits: { read: { limit: 1e9, windowMs: 60_000 } },
});
const root = new Hono();
root.get('/bare/:id', (c) => {
  const session = memory.get(c.req.param('id'));
  return session ? c.json(session) : c.json({ error: { code: 'session_not_found' } }, 404);
});
root.route('/', pasarela);

serve({ fetch: root.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${info.port}`, ids: [...memory.keys()] })}\n`,
  );
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
