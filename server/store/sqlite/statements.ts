import type Database from 'better-sqlite3';
import type { EventRow, IdempotencyRow, SessionRow } from './rows.js';

/** The list filters, each null when unused. */
interface ListFilter {
  status: string | null;
  duplicate: number | null;
  providers: string | null;
}

type Params<P> = P extends unknown[] ? P : [P];

/**
 * The part of better-sqlite3's Statement the store uses, typed by its parameters and row. Our own
 * name, because the library's type cannot be named in the published declarations.
 */
export interface Prepared<P, R> {
  run(...params: Params<P>): Database.RunResult;
  get(...params: Params<P>): R | undefined;
  all(...params: Params<P>): R[];
}

/** Every statement the store runs, prepared once when it opens. */
export function prepareStatements(db: Database.Database) {
  const prepare = <P extends unknown[] | object, R>(sql: string): Prepared<P, R> =>
    db.prepare(sql) as unknown as Prepared<P, R>;
  return {
    insertSession: prepare<SessionRow, void>(`
      INSERT INTO sessions (
        id, provider, status, amount, currency, order_id, description, items, customer_email,
        return_url, created_at, updated_at, expires_at, action, provider_ref, provider_secret,
        provider_status, next_check_at, check_attempts, duplicate
      ) VALUES (
        @id, @provider, @status, @amount, @currency, @order_id, @description, @items, @customer_email,
        @return_url, @created_at, @updated_at, @expires_at, @action, @provider_ref, @provider_secret,
        @provider_status, @next_check_at, @check_attempts, @duplicate
      )`),
    orderSessions: prepare<[string], SessionRow>(
      'SELECT * FROM sessions WHERE order_id = ? ORDER BY created_at, id',
    ),
    // Another session of the same order already holds the money (paid or delivered).
    otherMoneySession: prepare<[string, string], { id: string }>(`
      SELECT id FROM sessions WHERE order_id = ? AND id <> ? AND status IN ('paid', 'delivered') LIMIT 1`),
    getSession: prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
    findByProviderRef: prepare<[string, string], SessionRow>(
      'SELECT * FROM sessions WHERE provider = ? AND provider_ref = ?',
    ),
    attachProvider: prepare<
      {
        id: string;
        provider_ref: string;
        provider_secret: string | null;
        action: string;
        expires_at: string | null;
        provider_status: string | null;
        updated_at: string;
        next_check_at: string | null;
      },
      void
    >(`
      UPDATE sessions SET provider_ref = @provider_ref, provider_secret = @provider_secret,
        action = @action, expires_at = @expires_at, provider_status = @provider_status,
        updated_at = @updated_at, next_check_at = @next_check_at
      WHERE id = @id`),
    updateStatus: prepare<
      {
        id: string;
        status: string;
        provider_status: string | null;
        updated_at: string;
        clear_check: number;
        duplicate: number;
      },
      void
    >(`
      UPDATE sessions SET status = @status, provider_status = @provider_status, updated_at = @updated_at,
        next_check_at = CASE WHEN @clear_check THEN NULL ELSE next_check_at END,
        duplicate = @duplicate
      WHERE id = @id`),
    scheduleCheck: prepare<[string | null, number, string], void>(
      'UPDATE sessions SET next_check_at = ?, check_attempts = ? WHERE id = ?',
    ),
    // `@status IS NULL OR …` keeps one prepared statement for the filtered and unfiltered lists.
    // `@providers` is a JSON list (SQLite binds no arrays).
    listSessions: prepare<ListFilter & { limit: number }, SessionRow>(`
      SELECT * FROM sessions WHERE (@status IS NULL OR status = @status)
        AND (@duplicate IS NULL OR duplicate = @duplicate)
        AND (@providers IS NULL OR provider IN (SELECT value FROM json_each(@providers)))
      ORDER BY created_at DESC, id DESC LIMIT @limit`),
    listSessionsBefore: prepare<ListFilter & { limit: number; created_at: string; id: string }, SessionRow>(`
      SELECT * FROM sessions WHERE (@status IS NULL OR status = @status)
        AND (@duplicate IS NULL OR duplicate = @duplicate)
        AND (@providers IS NULL OR provider IN (SELECT value FROM json_each(@providers)))
        AND (created_at < @created_at OR (created_at = @created_at AND id < @id))
      ORDER BY created_at DESC, id DESC LIMIT @limit`),
    dueForReconciliation: prepare<[string, number], SessionRow>(`
      SELECT * FROM sessions
      WHERE next_check_at IS NOT NULL AND next_check_at <= ?
      ORDER BY next_check_at, id LIMIT ?`),
    leaseCheck: prepare<[string, string], void>('UPDATE sessions SET next_check_at = ? WHERE id = ?'),

    insertEvent: prepare<Omit<EventRow, 'id'>, void>(`
      INSERT INTO status_events (session_id, at, source, from_status, to_status, provider_status, dedupe_key, detail)
      VALUES (@session_id, @at, @source, @from_status, @to_status, @provider_status, @dedupe_key, @detail)`),
    getEvent: prepare<[number | bigint], EventRow>('SELECT * FROM status_events WHERE id = ?'),
    hasDedupeKey: prepare<[string, string], { found: number }>(
      'SELECT 1 AS found FROM status_events WHERE session_id = ? AND dedupe_key = ?',
    ),
    listEvents: prepare<[string], EventRow>('SELECT * FROM status_events WHERE session_id = ? ORDER BY id'),

    insertIdempotency: prepare<IdempotencyRow, void>(`
      INSERT INTO idempotency_keys (key, fingerprint, session_id, response, created_at)
      VALUES (@key, @fingerprint, @session_id, @response, @created_at)
      ON CONFLICT (key) DO NOTHING`),
    getIdempotency: prepare<[string], IdempotencyRow>('SELECT * FROM idempotency_keys WHERE key = ?'),
    completeIdempotency: prepare<[string, string, string], void>(
      'UPDATE idempotency_keys SET session_id = ?, response = ? WHERE key = ?',
    ),
    releaseIdempotency: prepare<[string], void>('DELETE FROM idempotency_keys WHERE key = ?'),
    purgeIdempotency: prepare<[string], void>('DELETE FROM idempotency_keys WHERE created_at < ?'),

    ping: prepare<[], { ok: number }>('SELECT 1 AS ok'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
