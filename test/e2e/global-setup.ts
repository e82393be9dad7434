// Starts `npm start` once for the whole end-to-end suite, exactly as a person would, on a free
// port with its data in a temporary directory, and stops it afterwards (SIGTERM to the process
// group, bounded). The suites reach it through `inject('demo')`.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

export interface DemoServer {
  url: string;
  adminToken: string;
  dataDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    demo: DemoServer;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const startTimeoutMs = 180_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'pasarela-e2e-'));
  const port = await freePort();
  const adminToken = randomBytes(24).toString('base64url');
  const url = `http://localhost:${port}`;
  const child: ChildProcess = spawn('npm', ['start', '--silent'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: `sqlite:${join(dataDir, 'pasarela.db')}`,
      PASARELA_ADMIN_TOKEN: adminToken,
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const started = await Promise.race([
    (async () => {
      const deadline = Date.now() + startTimeoutMs;
      while (Date.now() < deadline && child.exitCode === null) {
        try {
          if ((await fetch(`${url}/healthz`)).ok && (await fetch(`${url}/pedido/none`)).status === 404)
            return true;
        } catch {
          // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      return false;
    })(),
    exited.then(() => false),
  ]);
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      process.kill(-child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  if (!started) {
    await stop();
    throw new Error(`npm start did not come up on ${url} within ${startTimeoutMs / 1000} s:\n${output}`);
  }
  const printed = () => output.includes(`on ${url}`) && output.includes('payments are simulated');
  for (let i = 0; i < 50 && !printed(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (!printed()) {
    await stop();
    throw new Error(`npm start did not print its address and the sandbox notice:\n${output}`);
  }
  project.provide('demo', { url, adminToken, dataDir });
  return stop;
}
