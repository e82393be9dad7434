// A web-test-runner plugin that runs the real Pasarela server (sandbox mode, both sandboxes) for
// the widget's live suite, and tells the test page its URL and signed orders. It starts with the
// test run and stops with it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';

const orderSecret = 'wtr-live-server-order-secret-32-bytes-long';

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Pasarela server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the Pasarela server did not become healthy in time');
}

export function liveServerPlugin() {
  let child;
  let dir;
  let url;
  return {
    name: 'pasarela-live-server',
    async serverStart({ config }) {
      const port = await freePort();
      dir = mkdtempSync(join(tmpdir(), 'pasarela-wtr-'));
      url = `http://127.0.0.1:${port}`;
      const pageOrigins = [`http://localhost:${config.port}`, `http://127.0.0.1:${config.port}`];
      child = spawn('node_modules/.bin/tsx', ['server/cli.ts'], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PASARELA_SANDBOX: '1',
          HOST: '127.0.0.1',
          PORT: String(port),
          PUBLIC_URL: url,
          PASARELA_ALLOWED_ORIGINS: pageOrigins.join(','),
          DATABASE_URL: `sqlite:${join(dir, 'pasarela.db')}`,
          PASARELA_ORDER_SECRET: orderSecret,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      await waitForHealth(url, child);
    },
    async serverStop() {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
    async serve(context) {
      if (context.path === '/__pasarela/server.json') return { body: JSON.stringify({ url }), type: 'json' };
      if (context.path === '/__pasarela/order') {
        const currency = context.query.currency === 'CLP' ? 'CLP' : 'COP';
        const amount = Number(context.query.amount ?? 12000);
        const order = await new SignJWT({
          order_id: `WTR-${Date.now().toString(36)}`,
          amount,
          currency,
          description: 'Café de grano 500 g',
        })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setExpirationTime('10m')
          .sign(new TextEncoder().encode(orderSecret));
        return { body: JSON.stringify({ order }), type: 'json' };
      }
      return undefined;
    },
  };
}
