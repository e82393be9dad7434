// startServer, the Node listener behind `npm run serve` and `npm start`: a listener that cannot
// start says why in one line; routes the host adds are served beside
// Pasarela's, with the widget bundle's facts at hand.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../server/config.js';
import { signOrder } from '../../server/orders.js';
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
  it('names unknown settings with its prefixes in a warning, and starts', async () => {
    const warnings: { message: string; fields: Record<string, unknown> }[] = [];
    const logger = {
      info() {},
      error() {},
      warn: (message: string, fields: Record<string, unknown>) => warnings.push({ message, fields }),
    } as never;
    const running = await startServer({
      env: {
        PASARELA_SANDBOX: '1',
        PORT: '0',
        DATABASE_URL: 'sqlite::memory:',
        PASARELA_WEBHOOK_SECERT: 'whsec_typo',
        PASARELA_TEST_DATABASE_URL: 'postgres://127.0.0.1/test',
      },
      logger,
    });
    await running.close();
    expect(warnings).toContainEqual(
      expect.objectContaining({
        message: 'unknown settings ignored (a typo?)',
        fields: expect.objectContaining({ variables: 'PASARELA_WEBHOOK_SECERT' }),
      }),
    );
    // The name is given, never the value.
    expect(JSON.stringify(warnings)).not.toContain('whsec_typo');
  });

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

describe('startServer in sandbox mode with a database file', () => {
  it('keeps the sandboxes’ sessions beside it across a restart, so stored payments can still be asked about', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pasarela-serve-'));
    dirs.push(dir);
    // The providers' sandboxes are called over PUBLIC_URL, so the port must be known.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const env = {
      PASARELA_SANDBOX: '1',
      PORT: String(port),
      DATABASE_URL: `sqlite:${join(dir, 'pasarela.db')}`,
      PASARELA_ORDER_SECRET: 'serve-test-order-secret-of-32-bytes!!',
      PASARELA_ADMIN_TOKEN: 'serve-test-admin-token-0123',
    };
    const admin = { Authorization: `Bearer ${env.PASARELA_ADMIN_TOKEN}` };
    let running = await startServer({ env, logger: silent });
    const order = await signOrder(
      { order_id: 'OC-RESTART', amount: 38_000, currency: 'COP' },
      env.PASARELA_ORDER_SECRET,
    );
    const response = await fetch(`${running.url}/api/sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider: 'tpaga', order }),
    });
    expect(response.status).toBe(201);
    const session = (await response.json()) as { id: string; action: { url: string } };
    await running.close();

    running = await startServer({ env, logger: silent });
    try {
      const synced = await fetch(`${running.url}/api/admin/sessions/${session.id}/sync`, {
        method: 'POST',
        headers: admin,
      });
      expect(synced.status, await synced.clone().text()).toBe(200);
      expect(((await synced.json()) as { session: { status: string } }).session.status).toBe('pending');
      // The wallet link handed out before the restart still pays.
      const paid = await fetch(session.action.url, {
        method: 'POST',
        body: new URLSearchParams({ action: 'approve' }),
        redirect: 'manual',
      });
      expect(paid.status).toBe(303);
      // Tpaga's notification came within moments of the sync: its query follows the short gap.
      const statusNow = async () =>
        ((await (await fetch(`${running.url}/api/sessions/${session.id}`)).json()) as { status: string })
          .status;
      let status = await statusNow();
      for (let i = 0; i < 400 && status === 'pending'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = await statusNow();
      }
      expect(status).toBe('paid');
    } finally {
      await running.close();
    }
  });
});
