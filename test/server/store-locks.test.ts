// A database locked by another process, or one that cannot be written: the server stays
// responsive, answers 503 with Retry-After instead of 500, and its health check tells the truth.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../server/config.js';
import { startServer } from '../../server/serve.js';
import { openSqliteStore } from '../../server/store/sqlite/index.js';
import { startTestServer, type TestServer } from './app.fixture.js';

let dir: string;
let server: TestServer | undefined;
let other: Database.Database | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pasarela-locks-'));
});
afterEach(async () => {
  if (other?.inTransaction) other.exec('ROLLBACK');
  other?.close();
  other = undefined;
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Another process's connection holding the write lock until `release`. */
function holdWriteLock(path: string) {
  other = new Database(path);
  other.exec('BEGIN IMMEDIATE');
  other.prepare("UPDATE sessions SET updated_at = updated_at WHERE id = 'none'").run();
  return () => other!.exec('COMMIT');
}

describe('a database locked by another connection', () => {
  it('keeps answering reads while a write waits, and the write lands once the lock is gone', async () => {
    const path = join(dir, 'pasarela.db');
    server = await startTestServer({ storePath: path, busyBudgetMs: 60_000 });
    const release = holdWriteLock(path);
    let createSettled = false;
    const creating = server.createSession('etpay').finally(() => {
      createSettled = true;
    });
    // The event loop is free: configuration and status reads answer while the write waits.
    expect((await fetch(`${server.url}/api/config`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/sessions/ps_AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect(createSettled).toBe(false);
    release();
    expect((await creating).status).toBe(201);
  });

  it('answers 503 store_busy with Retry-After once its wait is over, and stores nothing', async () => {
    const path = join(dir, 'pasarela.db');
    server = await startTestServer({ storePath: path, busyBudgetMs: 200 });
    const release = holdWriteLock(path);
    const response = await server.createSession('etpay');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ error: { code: 'store_busy' } });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    release();
    expect(await server.store.listSessions()).toEqual([]);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

/**
 * Makes the database file unwritable, as a read-only mount or an immutable file would: immutable
 * for root (whom permissions do not stop), read-only permissions otherwise. Returns the undo.
 */
function makeReadOnly(path: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', path]);
    return () => execFileSync('chattr', ['-i', path]);
  }
  chmodSync(path, 0o444);
  chmodSync(dir, 0o555);
  return () => {
    chmodSync(dir, 0o755);
    chmodSync(path, 0o644);
  };
}

describe('a database that cannot be written', () => {
  it('is refused when the store opens, with a message that says what to check', async () => {
    const path = join(dir, 'pasarela.db');
    await (await openSqliteStore({ path })).close();
    const undo = makeReadOnly(path);
    try {
      await expect(openSqliteStore({ path })).rejects.toThrow(/^SQLite cannot write to .*writable/);
    } finally {
      undo();
    }
  });

  it('stops start-up with one line naming DATABASE_URL (it used to start and answer /healthz 200)', async () => {
    const path = join(dir, 'pasarela.db');
    await (await openSqliteStore({ path })).close();
    const undo = makeReadOnly(path);
    try {
      const error = await startServer({
        env: { PASARELA_SANDBOX: '1', PORT: '0', DATABASE_URL: `sqlite:${path}` },
        logger: { info() {}, warn() {}, error() {} } as never,
      }).then(
        async (running) => {
          await running.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^DATABASE_URL: SQLite cannot write to /);
      expect((error as Error).message).not.toContain('\n');
    } finally {
      undo();
    }
  });

  it('passes the health check when it can write', async () => {
    server = await startTestServer({ storePath: join(dir, 'pasarela.db') });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
  });
});
