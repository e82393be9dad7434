// `npm run backup`: a consistent copy of the SQLite database while the server writes to it.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDatabase } from '../../server/backup.js';
import { openSqliteStore } from '../../server/store/sqlite/index.js';
import { startTestServer, type TestServer } from './app.fixture.js';
import { created, tpagaWallet } from './flows.fixture.js';

let server: TestServer | undefined;
let dir: string;
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('database backup', () => {
  it('copies sessions and their history from a running server, WAL included', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pasarela-backup-'));
    const storePath = join(dir, 'pasarela.db');
    server = await startTestServer({ storePath });
    const session = await created(server, 'tpaga', { currency: 'COP', amount: 12_000 });
    await tpagaWallet(session, 'approve');

    const copy = join(dir, 'backups', 'pasarela-copy.db');
    expect(await backupDatabase({ DATABASE_URL: `sqlite:${storePath}` }, copy)).toBeGreaterThan(0);
    const restored = await openSqliteStore({ path: copy });
    try {
      expect((await restored.getSession(session.id))?.status).toBe('paid');
      expect(await restored.listEvents(session.id)).toHaveLength(1);
    } finally {
      await restored.close();
    }
  });

  it('refuses to overwrite a file, a missing database, and PostgreSQL, with one clear line', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pasarela-backup-'));
    const existing = join(dir, 'taken.db');
    writeFileSync(existing, 'keep me');
    const storePath = join(dir, 'pasarela.db');
    (await openSqliteStore({ path: storePath })).close();
    await expect(backupDatabase({ DATABASE_URL: `sqlite:${storePath}` }, existing)).rejects.toThrow(
      /taken\.db already exists/,
    );
    await expect(
      backupDatabase({ DATABASE_URL: `sqlite:${join(dir, 'nope.db')}` }, join(dir, 'b.db')),
    ).rejects.toThrow(/does not exist/);
    await expect(backupDatabase({ DATABASE_URL: 'postgres://u@h/db' }, join(dir, 'b.db'))).rejects.toThrow(
      /pg_dump/,
    );
    await expect(backupDatabase({ DATABASE_URL: 'mysql://x' }, join(dir, 'b.db'))).rejects.toThrow(
      /^DATABASE_URL must be/,
    );
    expect(existsSync(join(dir, 'b.db'))).toBe(false);
  });
});
