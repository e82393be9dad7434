import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

/** How long a write waits for another connection's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/** A connection's durability settings as SQLite itself reports them. */
export interface SqliteSettings {
  /** `wal` for a file, `memory` for `:memory:`. */
  journalMode: string;
  /** 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
  synchronous: number;
  foreignKeys: boolean;
  busyTimeoutMs: number;
  /** `PRAGMA user_version`: how many migrations this file has run. */
  schemaVersion: number;
}

function isMemory(path: string): boolean {
  return path === ':memory:' || path === '';
}

/** Opens the database with durable settings and an up-to-date schema. */
export function openDatabase(path: string): Database.Database {
  if (!isMemory(path) && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // WAL: readers do not block the writer. SQLite keeps the old mode silently when it cannot
    // switch (a network filesystem), which would quietly change locking: refuse instead.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (!isMemory(path) && mode !== 'wal') {
      throw new Error(
        `SQLite could not use WAL journal mode for ${path} (it stayed in ${String(mode)}): ` +
          'put the database on a local filesystem.',
      );
    }
    // FULL: a commit is on disk when it returns, which the Store contract promises ("durable when
    // the promise resolves"). NORMAL, WAL's usual partner, may lose the last commits on power loss.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Another process (a second server, a CLI) may hold the write lock briefly: wait, don't fail.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export function readSettings(db: Database.Database): SqliteSettings {
  const pragma = (name: string): unknown => db.pragma(name, { simple: true });
  return {
    journalMode: String(pragma('journal_mode')),
    synchronous: Number(pragma('synchronous')),
    foreignKeys: pragma('foreign_keys') === 1,
    busyTimeoutMs: Number(pragma('busy_timeout')),
    schemaVersion: Number(pragma('user_version')),
  };
}
