// startServer, the Node listener behind `npm run serve` and `npm start`: a listener that cannot
// start says why in one line; routes the host adds are served beside
// Pasarela's, with the widget bundle's facts at hand.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../server/config.js';
import { startServer } from '../../server/serve.js';
import { openSqliteStore } from '../../server/store/sqlite/index.js';

const dirs: string[] = [];
let blocker: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function occupiedPort(): Promise<number> {
  return new Promise((resolve) => {
    blocker = createServer().listen(0, '127.0.0.1', () =>
      resolve((blocker!.address() as { port: number }).port),
    );
  });
}

const silent = { info() {}, warn() {}, error() {} } as never;

describe('startServer', () => {
  it('names a busy port in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pasarela-serve-'));
    dirs.push(dir);
    const port = await occupiedPort();
    const database = join(dir, 'pasarela.db');
    const start = startServer({
      env: { PASARELA_SANDBOX: '1', PORT: String(port), DATABASE_URL: `sqlite:${database}` },
      logger: silent,
    });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(`PORT ${port} is already in use on 127.0.0.1`);
    // The database it opened is usable again by the next start.
    const store = await openSqliteStore({ path: database });
    expect(await store.listSessions({})).toEqual([]);
    await store.close();
  });

  it('fails to start when the host’s routes fail to mount, with their message', async () => {
    const start = startServer({
      env: { PASARELA_SANDBOX: '1', PORT: '0', DATABASE_URL: 'sqlite::memory:' },
      logger: silent,
      routes: () => {
        throw new ConfigError('SHOP_SETTING is broken.');
      },
    });
    await expect(start).rejects.toThrow('SHOP_SETTING is broken.');
  });

  it('serves the host’s routes beside Pasarela’s, with the widget bundle’s facts', async () => {
    let seen: unknown;
    const server = await startServer({
      env: { PASARELA_SANDBOX: '1', PORT: '0', DATABASE_URL: 'sqlite::memory:' },
      logger: silent,
      reconciler: false,
      routes: (app, { widget }) => {
        seen = widget;
        app.get('/shop', (c) => c.text('shop'));
      },
    });
    try {
      expect(await (await fetch(`${server.url}/shop`)).text()).toBe('shop');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      // Present after `npm run build`, absent before; either way the same facts the routes serve.
      const bundle = await fetch(`${server.url}/pasarela.js`);
      if (seen)
        expect(bundle.headers.get('x-pasarela-integrity')).toBe((seen as { integrity: string }).integrity);
      else expect(bundle.status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
