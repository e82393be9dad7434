// The README's other commands, run exactly as written there: the standalone server against the
// sandboxes, a backup of its database, and the benchmarks (shortened with BENCH_SECONDS).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './demo-process.js';

const dir = mkdtempSync(join(tmpdir(), 'pasarela-commands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const database = `sqlite:${join(dir, 'pasarela.db')}`;

function npm(args: string[], env: Record<string, string> = {}, timeout = 120_000) {
  return spawnSync('npm', [...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout });
}

describe('README commands', () => {
  it('PASARELA_SANDBOX=1 npm run serve: the backend alone, against the sandboxes', async () => {
    const port = await freePort();
    const child = spawn('npm', ['run', 'serve', '--silent'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PASARELA_SANDBOX: '1', PORT: String(port), DATABASE_URL: database },
    });
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    try {
      let config: { providers: { id: string }[]; sandbox: boolean } | undefined;
      for (let i = 0; i < 120 && !config; i++) {
        config = await fetch(`http://127.0.0.1:${port}/api/config`).then(
          (r) => r.json() as Promise<typeof config>,
          () => undefined,
        );
        if (!config) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(config).toMatchObject({ sandbox: true, providers: [{ id: 'etpay' }, { id: 'tpaga' }] });
      // No shop here: that is npm start's.
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await closed;
    }
    expect(output).toContain('"pasarela stopped"');
  });

  it('npm run serve without an order secret stops with one line naming it', () => {
    const result = npm(['run', 'serve', '--silent'], { PASARELA_SANDBOX: '0', PASARELA_ORDER_SECRET: '' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^PASARELA_ORDER_SECRET /);
  });

  it('npm run backup -- <file>', () => {
    const file = join(dir, 'backups', 'pasarela-copy.db');
    const result = npm(['run', 'backup', '--silent', '--', file], { DATABASE_URL: database });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/backed up \d+ pages to /);
    expect(existsSync(file)).toBe(true);
    expect(npm(['run', 'backup', '--silent', '--', file], { DATABASE_URL: database }).status).toBe(1);
  });

  // Every benchmark, shortened: a few minutes on a loaded machine, so it gets its own limit.
  it('npm run bench prints its figures', { timeout: 420_000 }, () => {
    const result = npm(['run', 'bench', '--silent'], { BENCH_SECONDS: '1' }, 400_000);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/widget bundle: [\d.]+ KB minified, [\d.]+ KB gzip/);
    expect(result.stdout).toMatch(/ratio: \d\.\d\d \(target ≥ 0\.70\)/);
    expect(result.stdout).toMatch(/p50 [\d.]+ ms/);
    expect(result.stdout).toMatch(/ratio to bare Hono \d\.\d\d \(target ≥ 0\.6\)/);
    expect(result.stdout).toMatch(/status change → merchant receiver/);
  });
});
