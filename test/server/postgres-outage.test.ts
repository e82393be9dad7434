// PostgreSQL out of reach: start-up stops with one line, a running server answers 503 (never a
// 500, never an acknowledgement of something not stored) and recovers by itself when it is back.
import { afterEach, describe, expect, it } from 'vitest';
import { createPasarela, type PasarelaApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { silentLogger } from '../../server/log.js';
import { signOrder } from '../../server/orders.js';
import { startServer } from '../../server/serve.js';
import { openPostgresStore } from '../../server/store/postgres/index.js';
import type { Store } from '../../server/store/store.js';
import { freshSchema, skipReason, testDatabaseUrl } from './helpers/postgres.js';
import { freePort } from './helpers/server-process.js';
import { type TcpProxy, tcpProxy } from './helpers/tcp-proxy.js';

const orderSecret = 'outage-test-order-secret-of-32-bytes!!!';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

if (!testDatabaseUrl) {
  describe('PostgreSQL outages', () => {
    it.skip(skipReason, () => undefined);
  });
} else {
  describe('PostgreSQL outages', () => {
    it('stop start-up with one line naming DATABASE_URL and where it tried, without the password', async () => {
      const port = await freePort();
      const error = await startServer({
        env: {
          PASARELA_SANDBOX: '1',
          PORT: '0',
          DATABASE_URL: `postgres://pasarela:hunter2-secret@127.0.0.1:${port}/shop`,
        },
        logger: silentLogger,
      }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message.split('\n')).toHaveLength(1);
      expect(error?.message).toMatch(
        new RegExp(`^DATABASE_URL: cannot use PostgreSQL at 127\\.0\\.0\\.1:${port}/shop: .*ECONNREFUSED`),
      );
      expect(error?.message).not.toContain('hunter2');
    });

    it('answer 503 while the database is down, store nothing, and recover by themselves', async () => {
      const schema = await freshSchema();
      cleanups.push(schema.drop);
      const target = new URL(testDatabaseUrl!);
      const proxy: TcpProxy = await tcpProxy(target.hostname, Number(target.port || 5432));
      cleanups.push(proxy.close);
      const through = new URL(schema.url);
      through.hostname = '127.0.0.1';
      through.port = String(proxy.port);
      const store: Store = await openPostgresStore({ url: through.toString(), connectTimeoutMs: 1_000 });
      cleanups.push(() => store.close());
      const config = loadConfig({
        PASARELA_SANDBOX: '1',
        PASARELA_ORDER_SECRET: orderSecret,
        DATABASE_URL: through.toString(),
      });
      const app: PasarelaApp = createPasarela({ config, store, logger: silentLogger, reconciler: false });
      cleanups.push(() => app.close());
      const order = () =>
        signOrder(
          { order_id: `OUT-${Math.random().toString(36).slice(2)}`, amount: 9_000, currency: 'CLP' },
          orderSecret,
        );
      const create = async () =>
        app.request('/api/sessions', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ provider: 'etpay', order: await order() }),
        });

      expect((await app.request('/healthz')).status).toBe(200);
      await proxy.down();
      const health = await app.request('/healthz');
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ ok: false });
      const refused = await create();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBeTruthy();
      expect(await refused.json()).toMatchObject({ error: { code: 'store_unavailable' } });
      const read = await app.request('/api/sessions/ps_AAAAAAAAAAAAAAAAAAAAAA');
      expect(read.status).toBe(503);

      await proxy.up();
      // New connections replace the broken ones: the next requests go through.
      let healthy = await app.request('/healthz');
      for (let i = 0; i < 5 && healthy.status !== 200; i++) healthy = await app.request('/healthz');
      expect(healthy.status).toBe(200);
      expect((await app.request('/api/admin/sessions')).status).toBe(404); // admin off; the app answers
      const listed = await store.listSessions({ limit: 500 });
      expect(listed).toEqual([]); // the refused creation stored nothing
    });
  });
}
