import type Database from 'better-sqlite3';

/**
 * Schema migrations, applied in order, each in its own transaction, tracked with
 * `PRAGMA user_version` (= number of migrations applied).
 *
 * A shipped migration is never edited: databases in the field already ran it, so a change to
 * the schema is always a new entry appended at the end.
 */
export const migrations: readonly string[] = [
  // 1: sessions, their status history and idempotency keys.
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    status TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    order_id TEXT NOT NULL,
    description TEXT,
    items TEXT NOT NULL,
    customer_email TEXT,
    return_url TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT,
    action TEXT,
    provider_ref TEXT,
    provider_secret TEXT,
    provider_status TEXT,
    next_check_at TEXT,
    check_attempts INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE UNIQUE INDEX sessions_provider_ref ON sessions (provider, provider_ref)
    WHERE provider_ref IS NOT NULL;
  CREATE INDEX sessions_status_next_check ON sessions (status, next_check_at);
  CREATE INDEX sessions_created ON sessions (created_at, id);

  CREATE TABLE status_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    provider_status TEXT,
    dedupe_key TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
  ) STRICT;
  CREATE INDEX status_events_session ON status_events (session_id, id);
  CREATE UNIQUE INDEX status_events_dedupe ON status_events (session_id, dedupe_key)
    WHERE dedupe_key IS NOT NULL;

  CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    session_id TEXT,
    response TEXT,
    created_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
  `,
  // 2: the order is the unit of payment: sessions found by order, duplicate payments flagged.
  `
  ALTER TABLE sessions ADD COLUMN duplicate INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX sessions_order ON sessions (order_id, status);
  CREATE INDEX sessions_duplicate ON sessions (created_at, id) WHERE duplicate = 1;
  -- Reconciliation also looks again at a few sessions it expired without a provider answer.
  CREATE INDEX sessions_next_check ON sessions (next_check_at) WHERE next_check_at IS NOT NULL;
  -- Written, and rolled back, by the health check: proof that the database can be written.
  CREATE TABLE health_checks (id INTEGER PRIMARY KEY, at TEXT NOT NULL) STRICT;
  `,
  // 3: the outbox. Each status change writes a notification event (the body as sent, so every
  // attempt carries the same bytes), a delivery per destination, and every attempt's record.
  `
  CREATE TABLE notification_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    status_event_id INTEGER NOT NULL REFERENCES status_events (id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  CREATE INDEX notification_events_session ON notification_events (session_id, seq);
  -- One event per stored change, never two.
  CREATE UNIQUE INDEX notification_events_change ON notification_events (status_event_id);

  CREATE TABLE notification_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_seq INTEGER NOT NULL REFERENCES notification_events (seq) ON DELETE CASCADE,
    session_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempt_count INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    window_start TEXT NOT NULL,
    claim TEXT,
    claimed_until TEXT,
    last_attempt_at TEXT,
    last_error TEXT,
    delivered_at TEXT,
    UNIQUE (event_seq, destination)
  ) STRICT;
  -- What the dispatcher looks for, and the order check within a session.
  CREATE INDEX notification_deliveries_due ON notification_deliveries (destination, next_attempt_at)
    WHERE state = 'pending';
  CREATE INDEX notification_deliveries_session ON notification_deliveries (session_id, destination, event_seq)
    WHERE state = 'pending';

  CREATE TABLE notification_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES notification_deliveries (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    http_status INTEGER,
    error TEXT,
    response TEXT
  ) STRICT;
  CREATE INDEX notification_attempts_delivery ON notification_attempts (delivery_id, id);
  `,
];

/**
 * Applies the migrations this database has not run yet; returns how many ran. `list` is a
 * parameter only so a test can show a failing migration rolls back whole.
 */
export function migrate(db: Database.Database, list: readonly string[] = migrations): number {
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > list.length) {
    // A newer build wrote this file: running on it could corrupt data this build does not know.
    throw new Error(
      `SQLite schema version ${applied} is newer than this build supports (${list.length}): ` +
        'run a newer Pasarela on this database, or point DATABASE_URL at another file.',
    );
  }
  let ran = 0;
  for (let version = applied; version < list.length; version++) {
    const sql = list[version]!;
    // One transaction per migration: it lands whole with its version number, or not at all.
    // IMMEDIATE: two processes opening the same new file must not both run a migration.
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current !== version) return;
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
      ran++;
    }).immediate();
  }
  return ran;
}
