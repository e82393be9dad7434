// PostgreSQL for the tests that need it: PASARELA_TEST_DATABASE_URL names a database (`.ci/run`
// sets it); each test gets a schema of its own, dropped afterwards. Without the variable those
// tests are skipped, and say why.
import pg from 'pg';

export const testDatabaseUrl = process.env.PASARELA_TEST_DATABASE_URL;

export const skipReason =
  'PostgreSQL tests skipped: set PASARELA_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test; .ci/run sets it)';

/** A fresh schema in the test database, and the URL that makes it the connection's search path. */
export async function freshSchema(): Promise<{ url: string; schema: string; drop: () => Promise<void> }> {
  if (!testDatabaseUrl) throw new Error(skipReason);
  const schema = `pasarela_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testDatabaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: testDatabaseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
