// A consistent copy of the SQLite database that DATABASE_URL names,
// taken with SQLite's online backup API, so it is safe while the server runs (WAL included):
// copying the .db file by hand is not. Refuses to overwrite an existing file.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, loadDatabaseUrl } from './config.js';

export async function backupDatabase(
  env: Record<string, string | undefined>,
  destination: string,
): Promise<number> {
  const database = loadDatabaseUrl(env);
  if (database.kind !== 'sqlite')
    throw new ConfigError('DATABASE_URL is PostgreSQL: back it up with pg_dump.');
  if (database.path === ':memory:')
    throw new ConfigError('DATABASE_URL is :memory:, which has nothing to back up.');
  if (!existsSync(database.path))
    throw new ConfigError(`DATABASE_URL names ${database.path}, which does not exist.`);
  if (existsSync(destination)) throw new ConfigError(`${destination} already exists: name a new file.`);
  if (resolve(destination) === resolve(database.path))
    throw new ConfigError('The backup must be a different file.');
  await mkdir(dirname(resolve(destination)), { recursive: true });
  const db = new Database(database.path, { fileMustExist: true });
  try {
    const { totalPages } = await db.backup(destination);
    return totalPages;
  } finally {
    db.close();
  }
}
