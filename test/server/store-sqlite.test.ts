import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BUSY_TIMEOUT_MS,
  migrate,
  migrations,
  openSqliteStore,
  type SqliteStore,
} from '../../server/store/sqlite/index.js';
import { makeSession, observation } from './store-contract.fixture.js';
import { describeStoreContract } from './store-contract.js';

/** A store on a file in a fresh temp dir (in a subdirectory, to exercise its creation). */
async function openOnFile() {
  const dir = await mkdtemp(join(tmpdir(), 'pasarela-store-'));
  const path = join(dir, 'nested', 'pasarela.db');
  let store = await openSqliteStore({ path });
  return {
    dir,
    path,
    get store() {
      return store;
    },
    async reopen() {
      await store.close();
      store = await openSqliteStore({ path });
      return store;
    },
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describeStoreContract('SQLite (file)', openOnFile);

describe('SQLite store specifics', () => {
  let handle: Awaited<ReturnType<typeof openOnFile>>;
  beforeEach(async () => {
    handle = await openOnFile();
  });
  afterEach(async () => {
    await handle.cleanup();
  });

  /** A second, independent connection to inspect what the store did to the file. */
  function inspect<T>(read: (db: Database.Database) => T): T {
    const db = new Database(handle.path, { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  it('runs its own connection in WAL mode with synchronous=FULL, foreign keys and a busy timeout', async () => {
    expect(await handle.store.settings()).toEqual({
      journalMode: 'wal',
      synchronous: 2,
      foreignKeys: true,
      busyTimeoutMs: BUSY_TIMEOUT_MS,
      schemaVersion: migrations.length,
    });
    // WAL is a property of the file, so an unrelated connection sees it too.
    expect(inspect((db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  it('applies migrations once; reopening is a no-op', async () => {
    const schema = () =>
      inspect((db) => ({
        version: db.pragma('user_version', { simple: true }),
        objects: db
          .prepare<[], { type: string; name: string; sql: string | null }>(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
          )
          .all(),
      }));
    const first = schema();
    expect(first.version).toBe(migrations.length);
    expect(first.objects.map((o) => o.name)).toEqual(
      expect.arrayContaining([
        'idempotency_keys',
        'sessions',
        'sessions_created',
        'sessions_provider_ref',
        'sessions_status_next_check',
        'status_events',
        'status_events_dedupe',
      ]),
    );
    const session = makeSession();
    await handle.store.createSession(session);
    await handle.reopen();
    await handle.reopen();
    expect(schema()).toEqual(first);
    expect(await handle.store.getSession(session.id)).toEqual(session);

    const db = new Database(handle.path);
    try {
      expect(migrate(db)).toBe(0);
    } finally {
      db.close();
    }
  });

  it('rolls a failing migration back whole, and runs it once fixed', () => {
    const db = new Database(':memory:');
    try {
      const first = 'CREATE TABLE a (x INTEGER);';
      expect(() => migrate(db, [first, 'CREATE TABLE b (x INTEGER); CREATE TABLE broken ('])).toThrow();
      const tables = () =>
        db
          .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
          .all()
          .map((t) => t.name);
      expect(db.pragma('user_version', { simple: true })).toBe(1);
      expect(tables()).toEqual(['a']);
      expect(migrate(db, [first, 'CREATE TABLE b (x INTEGER);'])).toBe(1);
      expect(db.pragma('user_version', { simple: true })).toBe(2);
      expect(tables()).toEqual(['a', 'b']);
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer schema', async () => {
    await handle.store.close();
    const db = new Database(handle.path);
    db.pragma(`user_version = ${migrations.length + 1}`);
    db.close();
    await expect(openSqliteStore({ path: handle.path })).rejects.toThrow(/newer/);
  });

  it('keeps sessions, events and idempotency keys across close and reopen', async () => {
    const session = makeSession();
    await handle.store.createSession(session);
    const applied = await handle.store.applyObservation(
      session.id,
      observation(['paid'], { dedupeKey: 'd1' }),
    );
    await handle.store.claimIdempotencyKey({
      key: 'idem',
      fingerprint: 'fp',
      sessionId: null,
      response: null,
      createdAt: '2025-01-01T00:00:00.000Z',
    });
    await handle.store.completeIdempotencyKey('idem', session.id, { status: 201, body: { id: session.id } });

    const store = await handle.reopen();
    expect(await store.getSession(session.id)).toEqual(applied.session);
    expect(await store.listEvents(session.id)).toEqual(applied.events);
    expect(
      await store.claimIdempotencyKey({
        key: 'idem',
        fingerprint: 'x',
        sessionId: null,
        response: null,
        createdAt: 'z',
      }),
    ).toEqual({
      created: false,
      record: {
        key: 'idem',
        fingerprint: 'fp',
        sessionId: session.id,
        response: { status: 201, body: { id: session.id } },
        createdAt: '2025-01-01T00:00:00.000Z',
      },
    });
  });

  it('sees writes from another store on the same file', async () => {
    const other = await openSqliteStore({ path: handle.path });
    try {
      const session = makeSession();
      await other.createSession(session);
      await other.applyObservation(session.id, observation(['paid'], { dedupeKey: 'x' }));
      const dup = await handle.store.applyObservation(session.id, observation(['paid'], { dedupeKey: 'x' }));
      expect(dup).toMatchObject({ changed: false, events: [] });
      expect(dup.session.status).toBe('paid');
    } finally {
      await other.close();
    }
  });
});

describeStoreContract('SQLite (:memory:)', async () => {
  const store = await openSqliteStore({ path: ':memory:' });
  return { store, cleanup: () => store.close() };
});

describe('SQLite store in memory', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = await openSqliteStore({ path: ':memory:' });
  });
  afterEach(async () => {
    await store.close();
  });

  it('still uses synchronous=FULL and foreign keys', async () => {
    expect(await store.settings()).toMatchObject({
      journalMode: 'memory',
      synchronous: 2,
      foreignKeys: true,
      schemaVersion: migrations.length,
    });
  });

  it('rejects a fractional amount rather than storing it', async () => {
    await expect(store.createSession(makeSession({ amount: 12.5 }))).rejects.toThrow();
  });
});
