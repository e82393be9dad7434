import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LIST_MAX_LIMIT,
  migrations,
  openDatabase,
  openSqliteStore,
} from '../../server/store/sqlite/index.js';
import type { Store } from '../../server/store/store.js';
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

  it('runs in WAL mode with synchronous=FULL', async () => {
    // journal_mode=WAL is persistent in the file, so a fresh connection sees it.
    expect(inspect((db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
    // The other pragmas are per connection: check them on a connection from `openDatabase`, the
    // helper `openSqliteStore` opens its own with.
    const db = openDatabase(handle.path);
    try {
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('applies migrations once; reopening is a no-op', async () => {
    const tables = () =>
      inspect((db) => ({
        version: db.pragma('user_version', { simple: true }),
        tables: db
          .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
          .all()
          .map((t) => t.name),
      }));
    const first = tables();
    expect(first.version).toBe(migrations.length);
    expect(first.tables).toEqual(expect.arrayContaining(['idempotency_keys', 'sessions', 'status_events']));
    const session = makeSession();
    await handle.store.createSession(session);
    await handle.reopen();
    await handle.reopen();
    expect(tables()).toEqual(first);
    expect(await handle.store.getSession(session.id)).toEqual(session);
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

  it('close is idempotent', async () => {
    await handle.store.close();
    await handle.store.close();
    await expect(handle.store.ping()).rejects.toThrow();
  });
});

describe('SQLite store in memory', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openSqliteStore({ path: ':memory:' });
  });
  afterEach(async () => {
    await store.close();
  });

  it('caps listSessions at the maximum limit', async () => {
    for (let i = 0; i <= LIST_MAX_LIMIT; i++) await store.createSession(makeSession({ providerRef: null }));
    expect(await store.listSessions({ limit: LIST_MAX_LIMIT + 100 })).toHaveLength(LIST_MAX_LIMIT);
  });

  it('rejects a fractional amount rather than storing it', async () => {
    await expect(store.createSession(makeSession({ amount: 12.5 }))).rejects.toThrow();
  });
});
