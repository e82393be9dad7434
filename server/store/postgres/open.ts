import pg from 'pg';
import { type IdempotencyRecord, type SessionQuery, type Store, StoreUnavailableError } from '../store.js';
import { makeApplyObservation } from './apply-observation.js';
import { migrate } from './migrations.js';
import { makeOutbox } from './outbox.js';
import {
  type EventRow,
  type IdempotencyRow,
  iso,
  rowToEvent,
  rowToIdempotency,
  rowToSession,
  type SessionRow,
  sessionColumns,
  sessionValues,
} from './rows.js';
import { watchChanges } from './watch.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (query parameters such as `options=-c search_path=…` apply). */
  url: string;
  /** Connections this process opens at most (10); one more is kept for LISTEN. */
  maxConnections?: number;
  /** A statement running longer is cancelled by the server (5 s). */
  statementTimeoutMs?: number;
  /** Connecting, or waiting for a free connection, gives up after this long (5 s). */
  connectTimeoutMs?: number;
}

export const LIST_DEFAULT_LIMIT = 50;
export const LIST_MAX_LIMIT = 500;

/** A client of the pool, or the pool itself: what a statement runs on. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * The Store on PostgreSQL, for several instances sharing one database: the same contract as
 * SQLite's (one transaction for a change, its events and its outbox rows), with row locks where
 * instances could race, `SKIP LOCKED` claims for shared work, and LISTEN/NOTIFY for changes.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const connection = {
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs ?? 5_000,
    // A transaction left open by a stuck process must not hold its locks for ever.
    idle_in_transaction_session_timeout: 30_000,
    application_name: 'pasarela',
    // A connection a NAT or firewall drops without a word (the listening one above all) is found
    // out by TCP keepalive instead of staying silent for ever.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
  const pool = new pg.Pool({ ...connection, max: options.maxConnections ?? 10, idleTimeoutMillis: 30_000 });
  // An idle connection that the server drops (a restart) is an error event on the pool: without a
  // listener it would end the process. The next query opens a new connection.
  pool.on('error', () => undefined);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new Error(describeConnectError(error, options.url));
  }

  /** Runs `work` in a transaction, again (up to 3 times) when PostgreSQL picks it as a deadlock victim. */
  async function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await connect();
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        const failure = unavailable(error);
        // A connection that failed is closed rather than handed to the next caller.
        if (failure instanceof StoreUnavailableError) broken = failure;
        const code = (error as { code?: string }).code;
        if ((code === '40P01' || code === '40001') && attempt < 3) continue;
        throw failure;
      } finally {
        client.release(broken instanceof Error ? broken : undefined);
      }
    }
  }

  /** Clients already given a listener for connection errors while checked out. */
  const guarded = new WeakSet<pg.PoolClient>();

  async function connect(): Promise<pg.PoolClient> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw unavailable(error);
    }
    // A connection lost while a transaction holds it is an 'error' event on the client (the pool
    // listens only to idle ones): without a listener it would end the process. The query under
    // way fails with it, and that failure is what the caller sees.
    if (!guarded.has(client)) {
      guarded.add(client);
      client.on('error', () => undefined);
    }
    return client;
  }

  async function query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await pool.query<R>(text, values)).rows;
    } catch (error) {
      throw unavailable(error);
    }
  }

  const applyObservation = makeApplyObservation(transaction);
  const outbox = makeOutbox({ query, transaction });
  const placeholders = sessionColumns.map((_, i) => `$${i + 1}`).join(', ');
  let watching: (() => void) | undefined;
  let lastRateSweep = 0;
  let closed = false;

  const store: Store = {
    async createSession(session) {
      await query(
        `INSERT INTO sessions (${sessionColumns.join(', ')}) VALUES (${placeholders})`,
        sessionValues(session),
      );
    },
    async getSession(id) {
      const [row] = await query<SessionRow>('SELECT * FROM sessions WHERE id = $1', [id]);
      return row && rowToSession(row);
    },
    async findByProviderRef(provider, ref) {
      const [row] = await query<SessionRow>(
        'SELECT * FROM sessions WHERE provider = $1 AND provider_ref = $2',
        [provider, ref],
      );
      return row && rowToSession(row);
    },
    async attachProvider(id, attachment) {
      return transaction(async (client) => {
        const { rows } = await client.query<SessionRow>(
          `UPDATE sessions SET provider_ref = $2, provider_secret = $3, action = $4, expires_at = $5,
             provider_status = $6, updated_at = $7, next_check_at = $8
           WHERE id = $1 RETURNING *`,
          [
            id,
            attachment.providerRef,
            attachment.providerSecret,
            JSON.stringify(attachment.action),
            attachment.expiresAt,
            attachment.providerStatus,
            attachment.updatedAt,
            attachment.nextCheckAt,
          ],
        );
        if (!rows[0]) throw new Error(`attachProvider: session ${id} does not exist`);
        // What the widget sees changed (its action): other instances' caches hear of it.
        await client.query("SELECT pg_notify('pasarela_sessions', $1)", [`${id} ${attachment.updatedAt}`]);
        return rowToSession(rows[0]);
      });
    },
    applyObservation,
    async listSessions(query_: SessionQuery = {}) {
      const limit = listLimit(query_.limit);
      const filters: string[] = [];
      const values: unknown[] = [];
      const add = (clause: (n: string) => string, value: unknown) => {
        values.push(value);
        filters.push(clause(`$${values.length}`));
      };
      if (query_.status !== undefined) add((n) => `status = ${n}`, query_.status);
      if (query_.duplicate !== undefined) add((n) => `duplicate = ${n}`, query_.duplicate);
      if (query_.providers !== undefined) add((n) => `provider = ANY(${n}::text[])`, [...query_.providers]);
      if (query_.before !== undefined) {
        const [cursor] = await query<{ created_at: Date; id: string }>(
          'SELECT created_at, id FROM sessions WHERE id = $1',
          [query_.before],
        );
        // An unknown cursor has nothing "before" it that we could define: an empty page.
        if (!cursor) return [];
        values.push(cursor.created_at, cursor.id);
        filters.push(`(created_at, id) < ($${values.length - 1}, $${values.length})`);
      }
      values.push(limit);
      const where = filters.length ? `WHERE ${filters.join(' AND ')}` : '';
      const rows = await query<SessionRow>(
        `SELECT * FROM sessions ${where} ORDER BY created_at DESC, id DESC LIMIT $${values.length}`,
        values,
      );
      return rows.map(rowToSession);
    },
    async orderSessions(orderId) {
      const rows = await query<SessionRow>(
        'SELECT * FROM sessions WHERE order_id = $1 ORDER BY created_at, id',
        [orderId],
      );
      return rows.map(rowToSession);
    },
    async listEvents(sessionId) {
      const rows = await query<EventRow>('SELECT * FROM status_events WHERE session_id = $1 ORDER BY id', [
        sessionId,
      ]);
      return rows.map(rowToEvent);
    },
    async claimDueSessions(now, leaseUntil, limit) {
      // The rows as they were, then the lease: SKIP LOCKED lets concurrent claimers take others.
      const rows = await query<SessionRow>(
        `WITH due AS (
           SELECT * FROM sessions WHERE next_check_at IS NOT NULL AND next_check_at <= $1
           ORDER BY next_check_at, id LIMIT $3 FOR UPDATE SKIP LOCKED),
         leased AS (UPDATE sessions s SET next_check_at = $2 FROM due WHERE s.id = due.id)
         SELECT * FROM due ORDER BY next_check_at, id`,
        [now, leaseUntil, limit],
      );
      return rows.map(rowToSession);
    },
    async scheduleCheck(id, nextCheckAt, checkAttempts) {
      await query('UPDATE sessions SET next_check_at = $1, check_attempts = $2 WHERE id = $3', [
        nextCheckAt,
        checkAttempts,
        id,
      ]);
    },
    async claimIdempotencyKey(record: IdempotencyRecord) {
      const inserted = await query<IdempotencyRow>(
        `INSERT INTO idempotency_keys (key, fingerprint, session_id, response, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING RETURNING *`,
        [
          record.key,
          record.fingerprint,
          record.sessionId,
          record.response === null ? null : JSON.stringify(record.response),
          record.createdAt,
        ],
      );
      if (inserted[0]) return { record: rowToIdempotency(inserted[0]), created: true };
      const [stored] = await query<IdempotencyRow>('SELECT * FROM idempotency_keys WHERE key = $1', [
        record.key,
      ]);
      // Released between our insert and this read: claim it again.
      if (!stored) return store.claimIdempotencyKey(record);
      return { record: rowToIdempotency(stored), created: false };
    },
    async completeIdempotencyKey(key, sessionId, response) {
      await query('UPDATE idempotency_keys SET session_id = $1, response = $2 WHERE key = $3', [
        sessionId,
        JSON.stringify(response),
        key,
      ]);
    },
    async releaseIdempotencyKey(key) {
      await query('DELETE FROM idempotency_keys WHERE key = $1', [key]);
    },
    async purgeIdempotencyKeys(olderThan) {
      const rows = await query<{ key: string }>(
        'DELETE FROM idempotency_keys WHERE created_at < $1 RETURNING key',
        [olderThan],
      );
      return rows.length;
    },
    ...outbox,
    async addRateHits(hits, now) {
      // Keys in one order, so two instances adding the same keys never deadlock.
      const sorted = [...hits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const rows = await query<{ key: string; count: number; window_start: Date }>(
        `INSERT INTO rate_limits (key, window_start, window_ms, count)
         SELECT key, $1::timestamptz, window_ms, count
         FROM unnest($2::text[], $3::int[], $4::int[]) WITH ORDINALITY AS h (key, count, window_ms, n)
         ORDER BY n
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN rate_limits.window_start + rate_limits.window_ms * interval '1 millisecond' <= $1
             THEN EXCLUDED.count ELSE rate_limits.count + EXCLUDED.count END,
           window_start = CASE WHEN rate_limits.window_start + rate_limits.window_ms * interval '1 millisecond' <= $1
             THEN $1 ELSE rate_limits.window_start END,
           window_ms = EXCLUDED.window_ms
         RETURNING key, count, window_start`,
        [now, sorted.map((h) => h.key), sorted.map((h) => h.count), sorted.map((h) => h.windowMs)],
      );
      // Windows long over are swept now and then (every few minutes per process).
      if (Date.parse(now) - lastRateSweep > 300_000) {
        lastRateSweep = Date.parse(now);
        await query("DELETE FROM rate_limits WHERE window_start < $1::timestamptz - interval '1 hour'", [
          now,
        ]);
      }
      return rows.map((row) => ({ key: row.key, count: row.count, windowStart: iso(row.window_start) }));
    },
    watchSessions(changed, resumed) {
      watching?.();
      watching = watchChanges({ ...connection, channel: 'pasarela_sessions', changed, resumed });
      const stop = watching;
      return () => {
        stop();
        if (watching === stop) watching = undefined;
      };
    },
    async ping() {
      if (closed) return false;
      try {
        await transaction(async (client) => {
          await client.query('INSERT INTO health_checks (at) VALUES (now())');
          // Proof that it can write; nothing is kept.
          throw new RolledBack();
        });
      } catch (error) {
        if (error instanceof RolledBack) return true;
        return false;
      }
      return false;
    },
    async close() {
      if (closed) return;
      closed = true;
      watching?.();
      await pool.end();
    },
  };
  return store;
}

class RolledBack extends Error {}

function listLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return LIST_DEFAULT_LIMIT;
  return Math.min(Math.max(Math.trunc(limit), 1), LIST_MAX_LIMIT);
}

/** Connection-level failures (refused, reset, terminated, timed out) become `StoreUnavailableError`. */
function unavailable(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || error instanceof RolledBack) return error;
  const code = (error as { code?: string } | null)?.code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const connectionLost =
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN)$/.test(code) ||
    // 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 53300 too many connections.
    /^(57P0[1-3]|53300|08\d{3})$/.test(code) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    );
  return connectionLost ? new StoreUnavailableError(`PostgreSQL is not reachable: ${message}`) : error;
}

/** One line for start-up: where it tried, what went wrong, never the password. */
function describeConnectError(error: unknown, url: string): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  let where = 'PostgreSQL';
  try {
    const parsed = new URL(url);
    where = `PostgreSQL at ${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    // The URL was checked by the configuration; keep the generic name.
  }
  return `cannot use ${where}: ${message}`;
}
