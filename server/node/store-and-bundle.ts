// Node-only edges: opening the store named by DATABASE_URL and reading the built widget bundle
// from disk.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import type { WidgetBundle } from '../routes/widget.js';
import type { Store } from '../store/store.js';

export async function openStore(database: Config['databaseUrl']): Promise<Store> {
  switch (database.kind) {
    case 'sqlite': {
      const { openSqliteStore } = await import('../store/sqlite/index.js');
      return openSqliteStore({ path: database.path });
    }
    case 'postgres': {
      const { openPostgresStore } = await import('../store/postgres/index.js');
      return openPostgresStore({ url: database.url });
    }
  }
}

/** The script-tag bundle from `npm run build`, if it exists. */
export function loadWidgetBundle(path = defaultBundlePath()): WidgetBundle | undefined {
  let code: string;
  try {
    code = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const digest = createHash('sha384').update(code).digest();
  return {
    code,
    integrity: `sha384-${digest.toString('base64')}`,
    version: digest.toString('hex').slice(0, 12),
  };
}

function defaultBundlePath(): string {
  // This file sits in server/node/ in the source tree and in dist/server/node/ in the build:
  // the package root is two or three levels up.
  const here = dirname(fileURLToPath(import.meta.url));
  const built = here.endsWith(join('dist', 'server', 'node'));
  const root = built ? join(here, '..', '..', '..') : join(here, '..', '..');
  return join(root, 'dist', 'widget', 'pasarela.js');
}
