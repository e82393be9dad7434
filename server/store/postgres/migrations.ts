import type pg from 'pg';

/**
 * PostgreSQL schema migrations, applied in order, each in its own transaction, tracked in
 * `pasarela_migrations`. The same rule as SQLite's: a shipped migration is never edited, a change
 * is a new entry at the end. Instances starting together take an advisory lock (one per schema),
 * so exactly one runs each migration and the others wait for it.
 */
export const migrations: readonly string[] = [
  // 1: everything the SQLite store has after its migration 3: sessions, their history,
  // idempotency keys, the outbox, and the health check's table.
  `
  CREATE TABLE sessions (
    id text PRIMARY KEY,
    provider text NOT NULL,
    status text NOT NULL,
    amount bigint NOT NULL,
    currency text NOT NULL,
    order_id text NOT NULL,
    description text,
    items text NOT NULL,
    customer_email text,
    return_url text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    expires_at timestamptz,
    action text,
    provider_ref text,
    provider_secret text,
    provider_status text,
    next_check_at timestamptz,
    check_attempts integer NOT NULL DEFAULT 0,
    duplicate boolean NOT NULL DEFAULT false
  );
  CREATE UNIQUE INDEX sessions_provider_ref ON sessions (provider, provider_ref) WHERE provider_ref IS NOT NULL;
  CREATE INDEX sessions_created ON sessions (created_at, id);
  CREATE INDEX sessions_order ON sessions (order_id, status);
  CREATE INDEX sessions_next_check ON sessions (next_check_at) WHERE next_check_at IS NOT NULL;
  CREATE INDEX sessions_duplicate ON sessions (created_at, id) WHERE duplicate;

  CREATE TABLE status_events (
    id bigserial PRIMARY KEY,
    session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    at timestamptz NOT NULL,
    source text NOT NULL,
    from_status text NOT NULL,
    to_status text NOT NULL,
    provider_status text,
    dedupe_key text,
    detail jsonb NOT NULL DEFAULT '{}'
  );
  CREATE INDEX status_events_session ON status_events (session_id, id);
  CREATE UNIQUE INDEX status_events_dedupe ON status_events (session_id, dedupe_key) WHERE dedupe_key IS NOT NULL;

  CREATE TABLE idempotency_keys (
    key text PRIMARY KEY,
    fingerprint text NOT NULL,
    session_id text,
    response text,
    created_at timestamptz NOT NULL
  );
  CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

  CREATE TABLE notification_events (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    status_event_id bigint NOT NULL UNIQUE REFERENCES status_events (id) ON DELETE CASCADE,
    type text NOT NULL,
    created_at timestamptz NOT NULL,
    body text NOT NULL
  );
  CREATE INDEX notification_events_session ON notification_events (session_id, seq);

  CREATE TABLE notification_deliveries (
    id bigserial PRIMARY KEY,
    event_seq bigint NOT NULL REFERENCES notification_events (seq) ON DELETE CASCADE,
    session_id text NOT NULL,
    destination text NOT NULL,
    state text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempt_count integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    window_start timestamptz NOT NULL,
    claim text,
    claimed_until timestamptz,
    last_attempt_at timestamptz,
    last_error text,
    delivered_at timestamptz,
    UNIQUE (event_seq, destination)
  );
  CREATE INDEX notification_deliveries_due ON notification_deliveries (destination, next_attempt_at)
    WHERE state = 'pending';
  CREATE INDEX notification_deliveries_session ON notification_deliveries (session_id, destination, event_seq)
    WHERE state = 'pending';

  CREATE TABLE notification_attempts (
    id bigserial PRIMARY KEY,
    delivery_id bigint NOT NULL REFERENCES notification_deliveries (id) ON DELETE CASCADE,
    at timestamptz NOT NULL,
    duration_ms integer NOT NULL,
    http_status integer,
    error text,
    response text
  );
  CREATE INDEX notification_attempts_delivery ON notification_attempts (delivery_id, id);

  CREATE TABLE health_checks (id bigserial PRIMARY KEY, at timestamptz NOT NULL);
  `,
  // 2: rate-limit counts shared by the instances (a window per key, from its first request).
  `
  CREATE TABLE rate_limits (
    key text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    window_ms integer NOT NULL,
    count integer NOT NULL
  );
  CREATE INDEX rate_limits_window ON rate_limits (window_start);
  `,
];

/** Applies the migrations this database has not run yet; returns how many ran. */
export async function migrate(pool: pg.Pool, list: readonly string[] = migrations): Promise<number> {
  const client = await pool.connect();
  // A connection lost now fails the query under way; without a listener it would end the process.
  client.on('error', () => undefined);
  try {
    // One lock per schema, held on this connection until the end: a second instance starting now
    // waits here, then finds nothing left to do.
    await client.query("SELECT pg_advisory_lock(hashtext(current_schema() || '.pasarela_migrations'))");
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS pasarela_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await client.query<{ version: number | null }>(
        'SELECT max(version) AS version FROM pasarela_migrations',
      );
      const applied = rows[0]?.version ?? 0;
      if (applied > list.length) {
        throw new Error(
          `PostgreSQL schema version ${applied} is newer than this build supports (${list.length}): run a newer Pasarela on this database.`,
        );
      }
      let ran = 0;
      for (let version = applied; version < list.length; version++) {
        await client.query('BEGIN');
        try {
          await client.query(list[version]!);
          await client.query('INSERT INTO pasarela_migrations (version) VALUES ($1)', [version + 1]);
          await client.query('COMMIT');
          ran++;
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
      return ran;
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext(current_schema() || '.pasarela_migrations'))");
    }
  } finally {
    client.release();
  }
}
