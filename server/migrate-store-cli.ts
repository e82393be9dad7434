// `npm run migrate-store -- --from sqlite:./data/pasarela.db --to postgres://…`: copies a SQLite
// store into an empty PostgreSQL database (see migrate-store.ts), then prints what it copied.
import { parseArgs } from 'node:util';
import { databaseUrl } from './config-schemas.js';
import { MigrateStoreError, migrateStore } from './migrate-store.js';

const usage =
  'Usage: npm run migrate-store -- --from sqlite:<path> --to postgres://user:password@host/database';

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

let values: { from?: string | undefined; to?: string | undefined };
try {
  ({ values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } }, strict: true }));
} catch (error) {
  fail(`${error instanceof Error ? error.message : String(error)}\n${usage}`, 2);
}
if (!values.from || !values.to) fail(usage, 2);
const from = databaseUrl.safeParse(values.from);
const to = databaseUrl.safeParse(values.to);
if (!from.success || from.data.kind !== 'sqlite')
  fail('--from must be sqlite:<path>, e.g. sqlite:./data/pasarela.db');
if (!to.success || to.data.kind !== 'postgres') fail('--to must be postgres://user:password@host/database');

try {
  const counts = await migrateStore({ from: from.data.path, to: to.data.url });
  console.log(
    `copied and verified: ${Object.entries(counts)
      .map(([table, n]) => `${n} ${table}`)
      .join(', ')}`,
  );
} catch (error) {
  if (!(error instanceof MigrateStoreError)) throw error;
  fail(error.message);
}
