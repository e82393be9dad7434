// `npm run migrate-store`: a SQLite store with history, copied into an empty PostgreSQL database,
// then served from there, the same; a second copy into the same database is refused.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPasarela } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { silentLogger } from '../../server/log.js';
import { openPostgresStore } from '../../server/store/postgres/index.js';
import { openSqliteStore } from '../../server/store/sqlite/index.js';
import type { Store } from '../../server/store/store.js';
import { startTestServer } from './app.fixture.js';
import { created, etpayFunnel, tpagaWallet } from './flows.fixture.js';
import { eventually } from './helpers/eventually.js';
import { freshSchema, skipReason, testDatabaseUrl } from './helpers/postgres.js';
import { scriptedReceiver } from './helpers/scripted-receiver.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function migrateStore(...args: string[]) {
  return spawnSync('npm', ['run', 'migrate-store', '--silent', '--', ...args], { encoding: 'utf8' });
}

/** A SQLite store with what a shop accumulates: payments, a refund, a failure, notifications. */
async function sqliteWithHistory(): Promise<{ path: string; ids: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'pasarela-migrate-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'pasarela.db');
  const receiver = await scriptedReceiver();
  cleanups.push(receiver.close);
  receiver.script = [{ status: 500 }];
  const server = await startTestServer({
    storePath: path,
    env: {
      PASARELA_WEBHOOK_URL: receiver.url,
      PASARELA_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
    },
    options: { notifications: { retry: { delaysMs: [50], jitter: 0 }, pollMs: 50 } },
  });
  try {
    const cop = { currency: 'COP', amount: 12_000 };
    const refunded = await created(server, 'tpaga', cop);
    await tpagaWallet(refunded, 'approve');
    await server.admin(`/sessions/${refunded.id}/refund`, { method: 'POST' });
    const paid = await created(server, 'tpaga', cop);
    await tpagaWallet(paid, 'approve');
    const failed = await created(server, 'etpay');
    await fetch(await etpayFunnel(failed, 'reject'), { redirect: 'manual' });
    const pending = await created(server, 'etpay', {});
    const retried = await server.createSession('tpaga', cop, { 'Idempotency-Key': 'order-77-try-1' });
    expect(retried.status).toBe(201);
    const ids = [refunded.id, paid.id, failed.id, pending.id, ((await retried.json()) as { id: string }).id];
    // Four changes, each notified: the first after a 500, so with two attempts.
    await eventually(async () => receiver.requests.length >= 5, 'the notifications');
    await eventually(async () => (await server.store.pendingDestinations()).length === 0, 'nothing pending');
    return { path, ids };
  } finally {
    await server.close();
  }
}

async function everything(store: Store, ids: string[]) {
  const notifications = await store.listNotifications({ limit: 500 });
  return {
    sessions: await Promise.all(ids.map((id) => store.getSession(id))),
    events: await Promise.all(ids.map((id) => store.listEvents(id))),
    notifications,
    details: await Promise.all(notifications.map((n) => store.getNotification(n.id))),
  };
}

if (!testDatabaseUrl) {
  describe('npm run migrate-store', () => {
    it.skip(skipReason, () => undefined);
  });
} else {
  describe('npm run migrate-store', () => {
    it('copies a SQLite store into an empty PostgreSQL database, and the server serves it the same', async () => {
      const { path, ids } = await sqliteWithHistory();
      const schema = await freshSchema();
      cleanups.push(schema.drop);

      const run = migrateStore('--from', `sqlite:${path}`, '--to', schema.url);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout.trim()).toMatch(
        /^copied and verified: 5 sessions, \d+ status_events, 1 idempotency_keys, 4 notification_events, 4 notification_deliveries, 5 notification_attempts$/,
      );

      const sqlite = await openSqliteStore({ path });
      cleanups.push(() => sqlite.close());
      const postgres = await openPostgresStore({ url: schema.url });
      cleanups.push(() => postgres.close());
      expect(await everything(postgres, ids)).toEqual(await everything(sqlite, ids));
      const key = await postgres.claimIdempotencyKey({
        key: 'order-77-try-1',
        fingerprint: 'other',
        sessionId: null,
        response: null,
        createdAt: new Date().toISOString(),
      });
      expect(key).toMatchObject({ created: false, record: { sessionId: ids[4] } });

      // The server on PostgreSQL: the same sessions and histories, and new rows after the copied ones.
      const config = loadConfig({
        PASARELA_SANDBOX: '1',
        PASARELA_ORDER_SECRET: 'migrate-test-order-secret-of-32-bytes!!',
        PASARELA_ADMIN_TOKEN: 'migrate-test-admin-token-0123',
        DATABASE_URL: schema.url,
      });
      const app = createPasarela({ config, store: postgres, logger: silentLogger, reconciler: false });
      cleanups.push(() => app.close());
      for (const id of ids) {
        const read = await app.request(`/api/sessions/${id}`);
        expect(read.status).toBe(200);
        const detail = await (
          await app.request(`/api/admin/sessions/${id}`, {
            headers: { Authorization: 'Bearer migrate-test-admin-token-0123' },
          })
        ).json();
        expect(detail.events).toEqual(await sqlite.listEvents(id));
      }
      const lastEvent = Math.max(...(await everything(sqlite, ids)).events.flat().map((e) => e.id));
      const next = await postgres.applyObservation(ids[3]!, {
        statuses: ['expired'],
        source: 'reconcile',
        providerStatus: null,
        dedupeKey: null,
        at: new Date().toISOString(),
      });
      expect(next.events[0]!.id).toBeGreaterThan(lastEvent);

      // Into a database that holds data: refused, in one line, nothing copied twice.
      const again = migrateStore('--from', `sqlite:${path}`, '--to', schema.url);
      expect(again.status).toBe(1);
      expect(again.stderr.trim().split('\n')).toHaveLength(1);
      expect(again.stderr).toMatch(/already holds sessions \(5 rows\)/);
      expect((await postgres.listSessions({ limit: 500 })).length).toBe(5);
    });

    it('says how to call it when an argument is missing or of the wrong kind', () => {
      const missing = migrateStore('--from', 'sqlite:./x.db');
      expect(missing.status).toBe(2);
      expect(missing.stderr).toMatch(/^Usage: npm run migrate-store -- --from sqlite:<path> --to postgres:/);
      const wrong = migrateStore('--from', 'postgres://a@b/c', '--to', 'postgres://a@b/c');
      expect(wrong.status).toBe(1);
      expect(wrong.stderr.trim()).toBe('--from must be sqlite:<path>, e.g. sqlite:./data/pasarela.db');
    });
  });
}
