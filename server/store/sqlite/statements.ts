import type Database from 'better-sqlite3';
import type { EventRow, IdempotencyRow, SessionRow } from './rows.js';

/** Every statement the store runs, prepared once when it opens. */
export function prepareStatements(db: Database.Database) {
  return {
    insertSession: db.prepare<SessionRow, void>(`
      INSERT INTO sessions (
        id, provider, status, amount, currency, order_id, description, items, customer_email,
        return_url, created_at, updated_at, expires_at, action, provider_ref, provider_secret,
        provider_status, next_check_at, check_attempts
      ) VALUES (
        @id, @provider, @status, @amount, @currency, @order_id, @description, @items, @customer_email,
        @return_url, @created_at, @updated_at, @expires_at, @action, @provider_ref, @provider_secret,
        @provider_status, @next_check_at, @check_attempts
      )`),
    getSession: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
    findByProviderRef: db.prepare<[string, string], SessionRow>(
      'SELECT * FROM sessions WHERE provider = ? AND provider_ref = ?',
    ),
    attachProvider: db.prepare<
      {
        id: string;
        provider_ref: string;
        provider_secret: string | null;
        action: string;
        expires_at: string | null;
        provider_status: string | null;
        updated_at: string;
      },
      void
    >(`
      UPDATE sessions SET provider_ref = @provider_ref, provider_secret = @provider_secret,
        action = @action, expires_at = @expires_at, provider_status = @provider_status,
        updated_at = @updated_at
      WHERE id = @id`),
    updateStatus: db.prepare<
      { id: string; status: string; provider_status: string | null; updated_at: string; clear_check: number },
      void
    >(`
      UPDATE sessions SET status = @status, provider_status = @provider_status, updated_at = @updated_at,
        next_check_at = CASE WHEN @clear_check THEN NULL ELSE next_check_at END
      WHERE id = @id`),
    scheduleCheck: db.prepare<[string | null, number, string], void>(
      'UPDATE sessions SET next_check_at = ?, check_attempts = ? WHERE id = ?',
    ),
    // `@status IS NULL OR …` keeps one prepared statement for the filtered and unfiltered lists.
    listSessions: db.prepare<{ status: string | null; limit: number }, SessionRow>(`
      SELECT * FROM sessions WHERE (@status IS NULL OR status = @status)
      ORDER BY created_at DESC, id DESC LIMIT @limit`),
    listSessionsBefore: db.prepare<
      { status: string | null; limit: number; created_at: string; id: string },
      SessionRow
    >(`
      SELECT * FROM sessions WHERE (@status IS NULL OR status = @status)
        AND (created_at < @created_at OR (created_at = @created_at AND id < @id))
      ORDER BY created_at DESC, id DESC LIMIT @limit`),
    dueForReconciliation: db.prepare<[string, number], SessionRow>(`
      SELECT * FROM sessions
      WHERE status = 'pending' AND next_check_at IS NOT NULL AND next_check_at <= ?
      ORDER BY next_check_at, id LIMIT ?`),

    insertEvent: db.prepare<Omit<EventRow, 'id'>, void>(`
      INSERT INTO status_events (session_id, at, source, from_status, to_status, provider_status, dedupe_key, detail)
      VALUES (@session_id, @at, @source, @from_status, @to_status, @provider_status, @dedupe_key, @detail)`),
    getEvent: db.prepare<[number | bigint], EventRow>('SELECT * FROM status_events WHERE id = ?'),
    hasDedupeKey: db.prepare<[string, string], { found: number }>(
      'SELECT 1 AS found FROM status_events WHERE session_id = ? AND dedupe_key = ?',
    ),
    listEvents: db.prepare<[string], EventRow>(
      'SELECT * FROM status_events WHERE session_id = ? ORDER BY id',
    ),

    insertIdempotency: db.prepare<IdempotencyRow, void>(`
      INSERT INTO idempotency_keys (key, fingerprint, session_id, response, created_at)
      VALUES (@key, @fingerprint, @session_id, @response, @created_at)
      ON CONFLICT (key) DO NOTHING`),
    getIdempotency: db.prepare<[string], IdempotencyRow>('SELECT * FROM idempotency_keys WHERE key = ?'),
    completeIdempotency: db.prepare<[string, string, string], void>(
      'UPDATE idempotency_keys SET session_id = ?, response = ? WHERE key = ?',
    ),
    releaseIdempotency: db.prepare<[string], void>('DELETE FROM idempotency_keys WHERE key = ?'),
    purgeIdempotency: db.prepare<[string], void>('DELETE FROM idempotency_keys WHERE created_at < ?'),

    ping: db.prepare<[], { ok: number }>('SELECT 1 AS ok'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
