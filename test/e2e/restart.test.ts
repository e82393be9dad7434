// `npm start` itself: its own port, the notice that payments are simulated, the merchant-view
// link when it makes the admin token up, data kept across a restart, and a graceful stop on SIGTERM.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startDemo } from './demo-process.js';

/** Resolves once `check` answers true; fails after 15 s (generous, for a loaded machine). */
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'pasarela-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start', () => {
  it('keeps orders and payments in its data directory across a restart', async () => {
    const port = await freePort();
    const first = await startDemo({ port, dataDir, env: { PASARELA_ADMIN_TOKEN: '' } });
    let orderPage: string;
    let sessionId: string;
    try {
      expect(first.output()).toContain(`Tostaduría Andina (Pasarela demo) on http://localhost:${port}`);
      expect(first.output()).toMatch(
        new RegExp(`merchant view +http://localhost:${port}/comercio/#token=[\\w-]{32}`),
      );

      const bought = await fetch(`${first.url}/comprar`, {
        method: 'POST',
        body: new URLSearchParams({ pais: 'co', producto: 'cafe-huila', cantidad: '1' }),
        redirect: 'manual',
      });
      orderPage = `${first.url}${bought.headers.get('location')}`;
      const token = (await (await fetch(orderPage)).text()).match(/<pasarela-checkout order="([^"]+)"/)![1];
      const created = await fetch(`${first.url}/api/sessions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ provider: 'tpaga', order: token }),
      });
      const session = (await created.json()) as { id: string; action: { url: string } };
      sessionId = session.id;
      // The buyer pays on the wallet page; the sandbox notifies the server, which queries Tpaga.
      const wallet = await fetch(session.action.url, {
        method: 'POST',
        body: new URLSearchParams({ action: 'approve' }),
        redirect: 'manual',
      });
      expect(wallet.status).toBe(303);
      // The shop hears of it by signed notification, a moment after Pasarela stored it.
      await until(async () => (await (await fetch(orderPage)).text()).includes('data-order-status="paid"'));
    } finally {
      await first.stop();
    }
    // The server's own graceful shutdown ran (requests finished, store closed).
    expect(first.output()).toContain('"pasarela stopped"');

    const second = await startDemo({ port, dataDir });
    try {
      expect(await (await fetch(orderPage)).text()).toContain('data-order-status="paid"');
      const session = (await (await fetch(`${second.url}/api/sessions/${sessionId}`)).json()) as {
        status: string;
      };
      expect(session.status).toBe('paid');
    } finally {
      await second.stop();
    }
  });
});

describe('npm start, when it cannot start', () => {
  it('names a busy port in one line', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    );
    try {
      const result = spawnSync('npm', ['start', '--silent'], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, PORT: String(port), DATABASE_URL: `sqlite:${join(dataDir, 'busy.db')}` },
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n').at(-1)).toBe(
        `PORT ${port} is already in use on 127.0.0.1: stop what uses it, or set PORT to a free port.`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('says which order book file is broken', () => {
    const broken = mkdtempSync(join(tmpdir(), 'pasarela-broken-'));
    try {
      writeFileSync(join(broken, 'shop-orders.json'), '[{"id": ');
      const result = spawnSync('npm', ['start', '--silent'], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, PORT: '0', DATABASE_URL: `sqlite:${join(broken, 'pasarela.db')}` },
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('shop-orders.json is not an order book (a JSON list): move it away');
      expect(result.stderr).not.toContain('    at ');
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
