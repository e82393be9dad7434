import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './helpers/server-process.js';

let child: ChildProcess | undefined;
const dirs: string[] = [];
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function run(env: Record<string, string>) {
  const proc = spawn('node_modules/.bin/tsx', ['server/cli.ts'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  const lines: string[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => lines.push(line));
  let stderr = '';
  proc.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, lines, exited, stderr: () => stderr };
}

async function waitFor(predicate: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm run serve (server/cli.ts)', () => {
  it('stops with one line naming the variable when the configuration is wrong', async () => {
    const server = run({ PASARELA_SANDBOX: '0', ETPAY_MERCHANT_CODE: 'cl_x', ETPAY_API_TOKEN: 't' });
    expect(await server.exited).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^PASARELA_ORDER_SECRET /);
  });

  it('serves in sandbox mode, then on SIGTERM ends live streams, closes the store and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pasarela-cli-'));
    dirs.push(dir);
    const port = await freePort();
    const server = run({
      PASARELA_SANDBOX: '1',
      PORT: String(port),
      DATABASE_URL: `sqlite:${join(dir, 'pasarela.db')}`,
      PASARELA_ORDER_SECRET: 'cli-test-secret-at-least-32-bytes-long!!',
    });
    await waitFor(() => server.lines.some((line) => line.includes('pasarela listening')));
    const url = `http://localhost:${port}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const { signOrder } = await import('../../server/orders.js');
    const order = await signOrder(
      { order_id: 'CLI-1', amount: 12000, currency: 'COP' },
      'cli-test-secret-at-least-32-bytes-long!!',
    );
    const created = await fetch(`${url}/api/sessions`, {
      method: 'POST',
      body: JSON.stringify({ provider: 'tpaga', order }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const stream = await fetch(`${url}/api/sessions/${id}/events`);
    const reading = stream.text();

    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(await reading).toContain('event: status');
    expect(server.lines.some((line) => line.includes('pasarela stopped'))).toBe(true);
  });
});
