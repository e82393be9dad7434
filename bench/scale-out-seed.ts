// The sessions bench/scale-out.bench.ts stores before the first instance starts, and the
// PostgreSQL schema it stores them in.

import pg from 'pg';
import { newSessionId } from '../server/app.js';
import { newPaymentSession, type PaymentSession } from '../server/core/session.js';
import { openPostgresStore } from '../server/store/postgres/index.js';
import { sessionColumns, sessionValues } from '../server/store/postgres/rows.js';
import { openDatabase } from '../server/store/sqlite/database.js';
import { sessionToRow } from '../server/store/sqlite/rows.js';
import { applicationName, databaseUrl, runId } from './scale-out-settings.js';

// ── sessions, sandboxes, instances ──────────────────────────────────────────────────────────────

export function storedSession(i: number): PaymentSession {
  const created = new Date().toISOString();
  return newPaymentSession({
    id: newSessionId(),
    provider: i % 2 ? 'etpay' : 'tpaga',
    amount: 1000 + i,
    currency: i % 2 ? 'CLP' : 'COP',
    orderId: `OC-${i}`,
    description: 'Café de grano 500 g',
    items: [{ name: 'Café de grano 500 g', quantity: 1, amount: 1000 + i }],
    createdAt: created,
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    action: { type: 'redirect', url: `https://pmt.example/session/${'x'.repeat(64)}` },
    providerRef: `ref-${i}`,
  });
}

/** The same sessions in SQLite (one transaction) and in PostgreSQL (multi-row inserts). */
export async function seed(sessions: PaymentSession[], sqlitePath: string, postgresUrl: string | undefined) {
  const db = openDatabase(sqlitePath);
  const columns = Object.keys(sessionToRow(sessions[0]!));
  const insert = db.prepare(
    `INSERT INTO sessions (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  db.transaction(() => {
    for (const session of sessions) insert.run(sessionToRow(session));
  })();
  db.close();
  if (!postgresUrl) return;
  await (await openPostgresStore({ url: postgresUrl })).close(); // creates the tables
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (let start = 0; start < sessions.length; start += 500) {
      const batch = sessions.slice(start, start + 500);
      const rows = batch.map(
        (_, row) =>
          `(${sessionColumns.map((_, col) => `$${row * sessionColumns.length + col + 1}`).join(', ')})`,
      );
      await client.query(
        `INSERT INTO sessions (${sessionColumns.join(', ')}) VALUES ${rows.join(', ')}`,
        batch.flatMap(sessionValues),
      );
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

/** Times of the last webhook the Tpaga sandbox sent (payments are made one at a time). */

/** A fresh schema in the bench database, or why PostgreSQL is out of reach. */
export async function postgresSchema(): Promise<
  { url: string; admin: pg.Client; drop: () => Promise<void> } | { skipped: string }
> {
  const admin = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: 3_000,
    application_name: applicationName('admin'),
  });
  admin.on('error', () => undefined);
  const schema = `pasarela_bench_${runId}`;
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
  } catch (error) {
    await admin.end().catch(() => undefined);
    const where = new URL(databaseUrl);
    where.password = '';
    return { skipped: `${where.toString()} is not reachable (${(error as Error).message || String(error)})` };
  }
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    admin,
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}
