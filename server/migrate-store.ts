// Moving from SQLite to PostgreSQL: every session, status event, idempotency key and outbox row
// (notification events, deliveries, attempts) copied in one PostgreSQL transaction, ids kept, into
// an empty database; then the counts on both sides compared.
import type Database from 'better-sqlite3';
import pg from 'pg';
import { migrate } from './store/postgres/migrations.js';
import { openDatabase } from './store/sqlite/database.js';

/** The tables copied, in an order that satisfies their references, with their id sequence. */
const tables = [
  { name: 'sessions', order: 'created_at, id', serial: null },
  { name: 'status_events', order: 'id', serial: 'id' },
  { name: 'idempotency_keys', order: 'created_at, key', serial: null },
  { name: 'notification_events', order: 'seq', serial: 'seq' },
  { name: 'notification_deliveries', order: 'id', serial: 'id' },
  { name: 'notification_attempts', order: 'id', serial: 'id' },
] as const;

export type TableName = (typeof tables)[number]['name'];
export type Counts = Record<TableName, number>;

export class MigrateStoreError extends Error {
  override readonly name = 'MigrateStoreError';
}

/** SQLite keeps booleans as 0/1 and JSON as text; PostgreSQL wants them typed. */
function toPostgres(table: TableName, row: Record<string, unknown>): Record<string, unknown> {
  if (table === 'sessions') return { ...row, duplicate: row.duplicate === 1 };
  if (table === 'status_events') return { ...row, detail: JSON.parse(String(row.detail)) };
  return row;
}

export interface MigrateStoreOptions {
  /** The SQLite file (it is brought to the current schema first, as the server would). */
  from: string;
  /** The PostgreSQL URL; its schema is created, and must hold no data. */
  to: string;
  /** Rows per INSERT (500). */
  batchSize?: number;
}

export async function migrateStore(options: MigrateStoreOptions): Promise<Counts> {
  let source: Database.Database;
  try {
    source = openDatabase(options.from);
  } catch (error) {
    throw new MigrateStoreError(`--from: cannot open ${options.from}: ${firstLine(error)}`);
  }
  const pool = new pg.Pool({ connectionString: options.to, max: 1, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined);
  try {
    try {
      await migrate(pool);
    } catch (error) {
      throw new MigrateStoreError(`--to: cannot use ${where(options.to)}: ${firstLine(error)}`);
    }
    const client = await pool.connect();
    client.on('error', () => undefined);
    try {
      await client.query('BEGIN');
      for (const { name } of tables) {
        const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`);
        if (Number(rows[0]!.n) > 0) {
          throw new MigrateStoreError(
            `--to: ${where(options.to)} already holds ${name} (${rows[0]!.n} rows): copy into an empty database, so nothing is mixed or lost.`,
          );
        }
      }
      const copied = {} as Counts;
      const size = options.batchSize ?? 500;
      for (const { name, order, serial } of tables) {
        const read = source.prepare(`SELECT * FROM ${name} ORDER BY ${order}`);
        let batch: Record<string, unknown>[] = [];
        const flush = async () => {
          if (batch.length === 0) return;
          // Columns matched by name: the row objects become rows of the target table.
          await client.query(`INSERT INTO ${name} SELECT * FROM json_populate_recordset(null::${name}, $1)`, [
            JSON.stringify(batch),
          ]);
          batch = [];
        };
        copied[name] = 0;
        for (const row of read.iterate() as IterableIterator<Record<string, unknown>>) {
          batch.push(toPostgres(name, row));
          copied[name]++;
          if (batch.length >= size) await flush();
        }
        await flush();
        if (serial) {
          // New rows continue after the copied ids.
          await client.query(
            `SELECT setval(pg_get_serial_sequence('${name}', '${serial}'), coalesce(max(${serial}), 1), max(${serial}) IS NOT NULL) FROM ${name}`,
          );
        }
      }
      for (const { name } of tables) {
        const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`);
        if (Number(rows[0]!.n) !== copied[name]) {
          throw new MigrateStoreError(
            `${name}: ${copied[name]} rows read from SQLite but ${rows[0]!.n} in PostgreSQL; nothing was committed.`,
          );
        }
      }
      await client.query('COMMIT');
      return copied;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  } finally {
    source.close();
    await pool.end();
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** A PostgreSQL URL for a message: host, port and database, never the password. */
function where(url: string): string {
  try {
    const parsed = new URL(url);
    return `PostgreSQL at ${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}
