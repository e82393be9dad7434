import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

/**
 * How long one attempt waits for another connection's lock before SQLITE_BUSY. Short, because
 * better-sqlite3 waits synchronously: the whole process stops while it does. The store retries
 * asynchronously instead (`BUSY_BUDGET_MS` in all), so other requests go on meanwhile.
 */
export const BUSY_TIMEOUT_MS = 20;
/** How long an operation keeps retrying a busy database before giving up with `StoreBusyError`. */
export const BUSY_BUDGET_MS = 5_000;

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
    // Opening may wait for another process (a second server migrating the same new file): nothing
    // else runs yet, so a blocking wait is fine here.
    db.pragma(`busy_timeout = ${BUSY_BUDGET_MS}`);
    migrate(db);
    assertWritable(db, path);
    // From now on each attempt waits a moment; the store's asynchronous retries wait longer.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * True when a write would go through: a row is written in a transaction that is rolled back
 * (nothing reaches the disk). False for a read-only file, directory or filesystem.
 */
export function canWrite(db: Database.Database): boolean {
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    if (isBusy(error)) throw error;
    return false;
  }
  try {
    db.prepare('INSERT INTO health_checks (at) VALUES (?)').run(new Date().toISOString());
    return true;
  } catch (error) {
    if (isBusy(error)) throw error;
    return false;
  } finally {
    db.exec('ROLLBACK');
  }
}

function assertWritable(db: Database.Database, path: string): void {
  if (isMemory(path) || canWrite(db)) return;
  throw new Error(
    `SQLite cannot write to ${path}: check that the file, its directory and the disk are writable by this user.`,
  );
}

/** SQLITE_BUSY or SQLITE_LOCKED (and their extended codes): another connection holds the lock. */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/**
 * The database cannot take the operation for now, whatever is retried at once: the disk is full
 * (SQLITE_FULL), the file or its filesystem is read-only (SQLITE_READONLY…), the disk failed
 * (SQLITE_IOERR…) or the file cannot be opened (SQLITE_CANTOPEN). Nothing was written: SQLite
 * rolls the statement (or its transaction) back.
 */
export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN)/.test(code);
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
