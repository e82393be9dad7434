import type Database from 'better-sqlite3';
import {
  type IdempotencyRecord,
  type SessionQuery,
  type Store,
  StoreBusyError,
  StoreUnavailableError,
} from '../store.js';
import { makeApplyObservation } from './apply-observation.js';
import {
  BUSY_BUDGET_MS,
  canWrite,
  isBusy,
  isUnavailable,
  openDatabase,
  readSettings,
  type SqliteSettings,
} from './database.js';
import { prepareOutbox } from './outbox.js';
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
  /** How long an operation retries a database locked by another connection (5 s). */
  busyBudgetMs?: number;
  /**
   * Tests only: called once with the store's own connection, to set connection-level pragmas
   * (`max_page_count` for a full disk, `query_only` for a read-only file) that another
   * connection to the same file cannot.
   */
  connectionForTests?: (db: Database.Database) => void;
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
  options.connectionForTests?.(db);
  const st = prepareStatements(db);
  const outbox = prepareOutbox(db);
  const applyObservation = makeApplyObservation(db, st, outbox.announce);

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

  const claimDue = db.transaction((now: string, leaseUntil: string, limit: number) => {
    const due = st.dueForReconciliation.all(now, limit).map(rowToSession);
    for (const session of due) st.leaseCheck.run(leaseUntil, session.id);
    return due;
  });

  const budget = options.busyBudgetMs ?? BUSY_BUDGET_MS;
  /**
   * Runs one synchronous operation, retrying while another connection holds the lock. Each try
   * blocks for at most the short busy_timeout; between tries the event loop is free, so status
   * reads, health checks and streams carry on. Past the budget: `StoreBusyError`. A full disk or
   * a read-only or failing file is not retried: `StoreUnavailableError` at once.
   */
  async function run<T>(operation: () => T): Promise<T> {
    const deadline = Date.now() + budget;
    for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
      try {
        return operation();
      } catch (error) {
        if (isUnavailable(error)) {
          const message = error instanceof Error ? error.message : String(error);
          throw new StoreUnavailableError(
            `SQLite cannot write or read its file (${(error as { code: string }).code}): ${message}`,
          );
        }
        if (!isBusy(error)) throw error;
        if (Date.now() + pause > deadline) {
          throw new StoreBusyError(`the database stayed locked for ${budget} ms by another connection`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  const store: SqliteStore = {
    createSession(session) {
      return run(() => {
        st.insertSession.run(sessionToRow(session));
      });
    },
    getSession(id) {
      return run(() => {
        const row = st.getSession.get(id);
        return row && rowToSession(row);
      });
    },
    findByProviderRef(provider, ref) {
      return run(() => {
        const row = st.findByProviderRef.get(provider, ref);
        return row && rowToSession(row);
      });
    },
    attachProvider(id, attachment) {
      return run(() => {
        const info = st.attachProvider.run({
          id,
          provider_ref: attachment.providerRef,
          provider_secret: attachment.providerSecret,
          action: JSON.stringify(attachment.action),
          expires_at: attachment.expiresAt,
          provider_status: attachment.providerStatus,
          updated_at: attachment.updatedAt,
          next_check_at: attachment.nextCheckAt,
        });
        const row = info.changes === 1 ? st.getSession.get(id) : undefined;
        if (!row) throw new Error(`attachProvider: session ${id} does not exist`);
        return rowToSession(row);
      });
    },
    applyObservation(id, observation) {
      return run(() => applyObservation(id, observation));
    },
    listSessions(query: SessionQuery = {}) {
      return run(() => {
        const limit = listLimit(query.limit);
        const status = query.status ?? null;
        const duplicate = query.duplicate === undefined ? null : query.duplicate ? 1 : 0;
        const providers = query.providers ? JSON.stringify(query.providers) : null;
        if (query.before === undefined) {
          return st.listSessions.all({ status, duplicate, providers, limit }).map(rowToSession);
        }
        const cursor = st.getSession.get(query.before);
        // An unknown cursor has nothing "before" it that we could define: an empty page, not page one.
        if (!cursor) return [];
        return st.listSessionsBefore
          .all({ status, duplicate, providers, limit, created_at: cursor.created_at, id: cursor.id })
          .map(rowToSession);
      });
    },
    orderSessions(orderId) {
      return run(() => st.orderSessions.all(orderId).map(rowToSession));
    },
    listEvents(sessionId) {
      return run(() => st.listEvents.all(sessionId).map(rowToEvent));
    },
    claimDueSessions(now, leaseUntil, limit) {
      return run(() => claimDue.immediate(now, leaseUntil, limit));
    },
    scheduleCheck(id, nextCheckAt, checkAttempts) {
      return run(() => {
        // No-op for an unknown id: the reconciler only schedules sessions it just read.
        st.scheduleCheck.run(nextCheckAt, checkAttempts, id);
      });
    },
    claimIdempotencyKey(record) {
      return run(() => claim.immediate(record));
    },
    completeIdempotencyKey(key, sessionId, response) {
      return run(() => {
        st.completeIdempotency.run(sessionId, JSON.stringify(response), key);
      });
    },
    releaseIdempotencyKey(key) {
      return run(() => {
        st.releaseIdempotency.run(key);
      });
    },
    purgeIdempotencyKeys(olderThan) {
      return run(() => st.purgeIdempotency.run(olderThan).changes);
    },
    claimDeliveries(request) {
      return run(() => outbox.operations.claimDeliveries(request));
    },
    recordAttempt(deliveryId, claim, attempt, outcome) {
      return run(() => outbox.operations.recordAttempt(deliveryId, claim, attempt, outcome));
    },
    listNotifications(query) {
      return run(() => outbox.operations.listNotifications(query));
    },
    getNotification(id) {
      return run(() => outbox.operations.getNotification(id));
    },
    redeliver(eventId, destinations, now) {
      return run(() => outbox.operations.redeliver(eventId, destinations, now));
    },
    pendingDestinations() {
      return run(() => outbox.operations.pendingDestinations());
    },
    ping() {
      return run(() => st.ping.get()?.ok === 1 && canWrite(db));
    },
    async settings() {
      return readSettings(db);
    },
    async close() {
      if (db.open) db.close();
    },
  };
  return store;
}
