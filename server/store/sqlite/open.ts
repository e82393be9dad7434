import type { IdempotencyRecord, SessionQuery, Store } from '../store.js';
import { makeApplyObservation } from './apply-observation.js';
import { openDatabase, readSettings, type SqliteSettings } from './database.js';
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

/** A `Store` that can also report its own connection's settings (diagnostics, tests). */
export interface SqliteStore extends Store {
  settings(): Promise<SqliteSettings>;
}

export const LIST_DEFAULT_LIMIT = 50;
export const LIST_MAX_LIMIT = 500;

/** Clamps a caller's limit to 1..max; a missing or non-finite one means the default. */
function listLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return LIST_DEFAULT_LIMIT;
  return Math.min(Math.max(Math.trunc(limit), 1), LIST_MAX_LIMIT);
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
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
      if (!row) throw new Error(`attachProvider: session ${id} does not exist`);
      return rowToSession(row);
    },
    async applyObservation(id, observation) {
      return applyObservation(id, observation);
    },
    async listSessions(query: SessionQuery = {}) {
      const limit = listLimit(query.limit);
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
    async settings() {
      return readSettings(db);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
