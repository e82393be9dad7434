import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { IdempotencyRecord, SessionQuery, Store } from '../store.js';
import { makeApplyObservation } from './apply-observation.js';
import { migrate } from './migrations.js';
import { rowToEvent, rowToIdempotency, rowToSession, sessionToRow } from './rows.js';
import { prepareStatements } from './statements.js';

export interface SqliteStoreOptions {
  /** A file path (parent directories are created) or `:memory:`. */
  path: string;
  /**
   * Clock, kept for parity with the other stores' options. Every write takes its timestamps from
   * the caller (observation `at`, `updatedAt`, `createdAt`), so the store itself never reads it.
   */
  now?: () => number;
}

export const LIST_DEFAULT_LIMIT = 50;
export const LIST_MAX_LIMIT = 500;

/** Opens the database with durable settings; shared with tests that inspect a second connection. */
export function openDatabase(path: string): Database.Database {
  if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // WAL: readers do not block the writer. synchronous=FULL: a commit is on disk when it returns,
    // which the Store contract promises ("durable when the promise resolves").
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Another process (a second server, a CLI) may hold the write lock briefly: wait, don't fail.
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const db = openDatabase(options.path);
  const st = prepareStatements(db);
  const applyObservation = makeApplyObservation(db, st);

  const claim = db.transaction((record: IdempotencyRecord) => {
    const info = st.insertIdempotency.run({
      key: record.key,
      fingerprint: record.fingerprint,
      session_id: record.sessionId,
      response: record.response === null ? null : JSON.stringify(record.response),
      created_at: record.createdAt,
    });
    const stored = rowToIdempotency(st.getIdempotency.get(record.key)!);
    return { record: stored, created: info.changes === 1 };
  });

  // better-sqlite3 is synchronous; `async` turns its throws into rejections, as the interface expects.
  return {
    async createSession(session) {
      st.insertSession.run(sessionToRow(session));
    },
    async getSession(id) {
      const row = st.getSession.get(id);
      return row && rowToSession(row);
    },
    async findByProviderRef(provider, ref) {
      const row = st.findByProviderRef.get(provider, ref);
      return row && rowToSession(row);
    },
    async attachProvider(id, attachment) {
      const info = st.attachProvider.run({
        id,
        provider_ref: attachment.providerRef,
        provider_secret: attachment.providerSecret,
        action: JSON.stringify(attachment.action),
        expires_at: attachment.expiresAt,
        provider_status: attachment.providerStatus,
        updated_at: attachment.updatedAt,
      });
      const row = info.changes === 1 ? st.getSession.get(id) : undefined;
      if (!row) throw new Error(`attachProvider: unknown session ${id}`);
      return rowToSession(row);
    },
    async applyObservation(id, observation) {
      return applyObservation(id, observation);
    },
    async listSessions(query: SessionQuery = {}) {
      const limit = Math.min(Math.max(Math.trunc(query.limit ?? LIST_DEFAULT_LIMIT), 1), LIST_MAX_LIMIT);
      const status = query.status ?? null;
      if (query.before === undefined) return st.listSessions.all({ status, limit }).map(rowToSession);
      const cursor = st.getSession.get(query.before);
      // An unknown cursor has nothing "before" it that we could define: an empty page, not page one.
      if (!cursor) return [];
      return st.listSessionsBefore
        .all({ status, limit, created_at: cursor.created_at, id: cursor.id })
        .map(rowToSession);
    },
    async listEvents(sessionId) {
      return st.listEvents.all(sessionId).map(rowToEvent);
    },
    async dueForReconciliation(now, limit) {
      return st.dueForReconciliation.all(now, limit).map(rowToSession);
    },
    async scheduleCheck(id, nextCheckAt, checkAttempts) {
      // No-op for an unknown id: the reconciler only schedules sessions it just read.
      st.scheduleCheck.run(nextCheckAt, checkAttempts, id);
    },
    async claimIdempotencyKey(record) {
      return claim.immediate(record);
    },
    async completeIdempotencyKey(key, sessionId, response) {
      st.completeIdempotency.run(sessionId, JSON.stringify(response), key);
    },
    async releaseIdempotencyKey(key) {
      st.releaseIdempotency.run(key);
    },
    async purgeIdempotencyKeys(olderThan) {
      return st.purgeIdempotency.run(olderThan).changes;
    },
    async ping() {
      return st.ping.get()?.ok === 1;
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
