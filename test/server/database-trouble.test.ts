// Issue 13, "Faults": database trouble. The SQLite disk full, the SQLite file read-only, PostgreSQL
// restarted mid-run: requests fail with a clear 503 and Retry-After (never a 500 with a stack, never
// a 2xx for something not stored) and the server recovers by itself once the database is back.
// Already covered elsewhere: a SQLite file locked by another connection (store-locks: 503
// store_busy) and PostgreSQL out of reach behind a proxy (postgres-outage).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createPasarela, type PasarelaApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { silentLogger } from '../../server/log.js';
import { signOrder } from '../../server/orders.js';
import { createSandboxes } from '../../server/sandbox/index.js';
import { openPostgresStore } from '../../server/store/postgres/index.js';
import { openSqliteStore } from '../../server/store/sqlite/index.js';
import type { Store } from '../../server/store/store.js';
import { etpayFunnel } from './flows.fixture.js';
import { eventually } from './helpers/eventually.js';
import { listen } from './helpers/listen.js';
import { skipReason, testDatabaseUrl } from './helpers/postgres.js';

const orderSecret = 'database-trouble-order-secret-32-bytes!';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Server {
  url: string;
  store: Store;
  app: PasarelaApp;
  sandboxes: ReturnType<typeof createSandboxes>;
  /** POST /api/sessions for a fresh ETpay order (or the one given). */
  create(order?: string): Promise<Response>;
  order(): Promise<string>;
}

/** Pasarela with the ETpay sandbox mounted, on a real listener, over the store given. */
async function serve(store: Store, providerFetch?: typeof fetch): Promise<Server> {
  let app: PasarelaApp | undefined;
  const listener = await listen({ fetch: (request, env) => app!.fetch(request, env) });
  const config = loadConfig({
    PASARELA_SANDBOX: '1',
    PUBLIC_URL: listener.url,
    PASARELA_ORDER_SECRET: orderSecret,
    DATABASE_URL: 'sqlite::memory:',
  });
  const sandboxes = createSandboxes({ publicUrl: config.publicUrl });
  sandboxes.connect(config);
  app = createPasarela({
    config,
    store,
    logger: silentLogger,
    reconciler: false,
    ...(providerFetch && { fetch: providerFetch }),
  });
  app.route('/', sandboxes.app);
  cleanups.push(async () => {
    await app!.close();
    await sandboxes.close();
    await listener.close();
  });
  let serial = 0;
  const order = () =>
    signOrder(
      { order_id: `DB-${process.pid}-${++serial}-${Date.now()}`, amount: 9_000, currency: 'CLP' },
      orderSecret,
    );
  return {
    url: listener.url,
    store,
    app,
    sandboxes,
    order,
    async create(given) {
      return fetch(`${listener.url}/api/sessions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ provider: 'etpay', order: given ?? (await order()) }),
      });
    },
  };
}

/** A SQLite store on a file, and its own connection for connection-level pragmas. */
async function sqliteServer() {
  const dir = mkdtempSync(join(tmpdir(), 'pasarela-db-trouble-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  let db: Database.Database | undefined;
  const store = await openSqliteStore({
    path: join(dir, 'pasarela.db'),
    connectionForTests: (connection) => {
      db = connection;
    },
  });
  cleanups.push(() => store.close());
  return { server: await serve(store), db: db! };
}

/** A refusal that says the database is the trouble: 503, Retry-After, the error shape, no stack. */
async function expectStoreRefusal(response: Response, codes = ['store_unavailable']) {
  expect(response.status).toBe(503);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  const text = await response.text();
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(codes).toContain(body.error.code);
  expect(body.error.message).toMatch(/try again/i);
  expect(text).not.toMatch(/SQLITE_|\n\s+at |\.ts:\d+/);
}

/** A 201 is an acknowledgement: the session it names is stored, attached to its provider. */
async function expectStored(store: Store, response: Response) {
  const session = (await response.json()) as { id: string };
  const stored = await store.getSession(session.id);
  expect(stored).toMatchObject({ id: session.id, status: 'pending' });
  expect(stored?.providerRef).toEqual(expect.any(String));
  return session.id;
}

describe('Database trouble: the SQLite disk full', () => {
  it('refuses with 503 store_unavailable once the disk is full, acknowledging only what is stored', async () => {
    const { server, db } = await sqliteServer();
    const before = await server.create();
    expect(before.status).toBe(201);
    const paidLater = await expectStored(server.store, before);

    // The file may not grow past its current size: the next page it needs is SQLITE_FULL.
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    const acknowledged: string[] = [];
    let refused: { response: Response; order: string } | undefined;
    for (let i = 0; i < 200 && !refused; i++) {
      const order = await server.order();
      const response = await server.create(order);
      if (response.status === 201) acknowledged.push(await expectStored(server.store, response));
      else refused = { response, order };
    }
    expect(refused, 'the full disk refused a creation').toBeDefined();
    await expectStoreRefusal(refused!.response);
    // Reads need no new page: the sessions stored before go on answering.
    expect((await fetch(`${server.url}/api/sessions/${paidLater}`)).status).toBe(200);

    // A notification arriving now is either stored and acknowledged, or refused and not applied.
    const [etpaySession] = server.sandboxes.etpay.listSessions();
    await etpayFunnel(
      { id: paidLater, status: 'pending', action: { type: 'redirect', url: etpaySession!.buyerUrl } },
      'approve',
    );
    const delivery = await eventually(
      () => server.sandboxes.etpay.webhooks.deliveries.find((d) => d.status !== undefined),
      'the ETpay notification',
    );
    const events = await server.store.listEvents(paidLater);
    if (delivery.status! >= 200 && delivery.status! < 300) {
      expect(events.map((e) => e.to)).toEqual(['paid']);
    } else {
      expect(delivery.status).toBe(503);
      expect(events).toEqual([]);
      expect((await server.store.getSession(paidLater))?.status).toBe('pending');
    }

    // Space again (the operator freed the disk): no restart, the next requests go through.
    db.pragma('max_page_count = 1073741823');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const retried = await server.create(refused!.order);
    expect(retried.status).toBe(201);
    await expectStored(server.store, retried);
    await server.sandboxes.etpay.webhooks.replay(delivery.id);
    expect((await server.store.getSession(paidLater))?.status).toBe('paid');
    expect((await server.store.listEvents(paidLater)).map((e) => e.to)).toEqual(['paid']);
  });
});

describe('Database trouble: the SQLite file read-only', () => {
  it('refuses writes with 503 store_unavailable, keeps reads, and a refused notification changes nothing', async () => {
    const { server, db } = await sqliteServer();
    const created = await server.create();
    const id = await expectStored(server.store, created);

    db.pragma('query_only = ON'); // every write is SQLITE_READONLY, as on a read-only file
    await expectStoreRefusal(await server.create());
    expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
    expect((await fetch(`${server.url}/api/sessions/${id}`)).status).toBe(200);

    const [etpaySession] = server.sandboxes.etpay.listSessions();
    await etpayFunnel(
      { id, status: 'pending', action: { type: 'redirect', url: etpaySession!.buyerUrl } },
      'approve',
    );
    const delivery = await eventually(
      () => server.sandboxes.etpay.webhooks.deliveries.find((d) => d.status !== undefined),
      'the ETpay notification',
    );
    // Not acknowledged, so ETpay sends it again; and nothing of it was half stored.
    expect(delivery.status).toBe(503);
    expect(await server.store.getSession(id)).toMatchObject({ status: 'pending' });
    expect(await server.store.listEvents(id)).toEqual([]);
    expect(await server.store.listNotifications({})).toEqual([]);

    db.pragma('query_only = OFF');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await expectStored(server.store, await server.create());
    const again = await server.sandboxes.etpay.webhooks.replay(delivery.id);
    expect(again?.status).toBe(200);
    expect(await server.store.getSession(id)).toMatchObject({ status: 'paid' });
    expect((await server.store.listEvents(id)).map((e) => [e.source, e.to])).toEqual([['webhook', 'paid']]);
  });
});

if (!testDatabaseUrl) {
  describe('Database trouble: PostgreSQL restarted mid-run', () => {
    it.skip(skipReason, () => undefined);
  });
} else {
  describe('Database trouble: PostgreSQL restarted mid-run', () => {
    /**
     * A database of its own, so that "every backend connection" is this test's only: a restart
     * ends each of them (pg_terminate_backend is what a fast shutdown does to them, 57P01).
     */
    async function ownDatabase() {
      const name = `pasarela_restart_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const admin = new pg.Client({ connectionString: testDatabaseUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      cleanups.push(async () => {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      });
      const url = new URL(testDatabaseUrl!);
      url.pathname = `/${name}`;
      const restart = async () =>
        (
          await admin.query<{ ended: number }>(
            'SELECT count(*)::int AS ended FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) t',
            [name],
          )
        ).rows[0]!.ended;
      return { url: url.toString(), restart };
    }

    it('answers 503 for what was in flight, acknowledges only what is stored, and recovers by itself', async () => {
      const database = await ownDatabase();
      const store = await openPostgresStore({ url: database.url, connectTimeoutMs: 2_000 });
      cleanups.push(() => store.close());
      // ETpay's answers wait at this gate, so the creations are in flight when the database restarts.
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const server = await serve(store, async (input, init) => {
        await gate;
        return fetch(input, init);
      });

      const held = Array.from({ length: 4 }, () => server.create());
      await eventually(
        async () => (await store.listSessions({ limit: 500 })).length === 4,
        'the held creations to be stored',
      );
      expect(await database.restart()).toBeGreaterThan(0);
      const reads = Array.from({ length: 6 }, () =>
        fetch(`${server.url}/api/sessions/ps_AAAAAAAAAAAAAAAAAAAAAA`),
      );
      open(); // each creation now stores ETpay's answer over whatever connection it gets

      const answers = await Promise.all([...held, ...reads]);
      for (const response of answers.slice(0, 4)) {
        expect([201, 503]).toContain(response.status);
        if (response.status === 201) await expectStored(store, response);
        else await expectStoreRefusal(response, ['store_unavailable', 'store_busy']);
      }
      for (const response of answers.slice(4)) {
        expect([404, 503]).toContain(response.status);
        if (response.status === 503) await expectStoreRefusal(response, ['store_unavailable', 'store_busy']);
      }
      await eventually(async () => (await fetch(`${server.url}/healthz`)).status === 200, 'health again');
      await expectStored(store, await server.create());
    });

    it('goes on after every connection was ended: new ones replace them, nothing falsely acknowledged', async () => {
      const database = await ownDatabase();
      const store = await openPostgresStore({ url: database.url, connectTimeoutMs: 2_000 });
      cleanups.push(() => store.close());
      const server = await serve(store);
      expect((await server.create()).status).toBe(201);

      // Requests in flight while every backend is ended, several times over.
      const inFlight: Promise<Response>[] = [];
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 4; i++) inFlight.push(server.create());
        await database.restart();
      }
      const answers = await Promise.all(inFlight);
      const statuses = answers.map((response) => response.status);
      expect(statuses.filter((status) => status !== 201 && status !== 503)).toEqual([]);
      const acknowledged: string[] = [];
      for (const response of answers) {
        if (response.status === 201) acknowledged.push(await expectStored(store, response));
        else await expectStoreRefusal(response, ['store_unavailable', 'store_busy']);
      }

      // Back by itself: the health check and a creation go through without a restart of Pasarela.
      const healthy = await eventually(
        async () => (await fetch(`${server.url}/healthz`)).status === 200,
        'the health check to pass again',
      );
      expect(healthy).toBe(true);
      await expectStored(store, await server.create());
    });
  });
}
