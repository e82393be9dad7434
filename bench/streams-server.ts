// The server side of bench/streams.bench.ts: Pasarela on @hono/node-server with 100 stored
// sessions, started with --expose-gc. Each line on stdin collects garbage and answers the heap
// and RSS, so the bench reads what open streams hold, not what was left to collect. One more
// session, an ETpay one whose `signature_token` the bench is told, is the one the fan-out
// measurement pays with a signed webhook, as ETpay would.

import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { serve } from '@hono/node-server';
import { createPasarela, newSessionId } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { newPaymentSession } from '../server/core/session.js';
import { silentLogger } from '../server/log.js';
import { openSqliteStore } from '../server/store/sqlite/index.js';
import { benchSessions } from './sessions.js';

const store = await openSqliteStore({ path: ':memory:' });
const now = new Date().toISOString();
const ids: string[] = [];
for (const session of benchSessions(100, 'STREAM', { expires: false })) {
  ids.push(session.id);
  await store.createSession(session);
}
const fanOut = {
  id: newSessionId(),
  token: 'fan-out-session-token',
  secret: 'fan-out-signature-token',
  orderId: 'STREAM-FAN-OUT',
};
await store.createSession(
  newPaymentSession({
    id: fanOut.id,
    provider: 'etpay',
    amount: 12_990,
    currency: 'CLP',
    orderId: fanOut.orderId,
    description: 'Café de grano 500 g',
    createdAt: now,
    action: { type: 'redirect', url: `https://pmt.etpay.example/session/${fanOut.token}` },
    providerRef: fanOut.token,
    providerSecret: fanOut.secret,
    providerStatus: null,
  }),
);
const config = loadConfig({
  PASARELA_SANDBOX: '1',
  PASARELA_ORDER_SECRET: 'streams-bench-order-secret-of-32-bytes!',
  PASARELA_TRUST_PROXY: '1',
});
const app = createPasarela({ config, store, logger: silentLogger, reconciler: false });
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  process.stdout.write(`${JSON.stringify({ port: info.port, ids, fanOut })}\n`);
});
const gc = (globalThis as { gc?: () => void }).gc;
createInterface({ input: process.stdin }).on('line', async () => {
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 300));
  gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ heap: heapUsed, rss })}\n`);
});
process.stdin.on('end', () => {
  server.close();
  process.exit(0);
});
