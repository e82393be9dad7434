// `npm start` as a child process, as a person runs it: on a free port with its data in a given
// directory; stopped with SIGTERM to its process group, bounded.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface DemoProcess {
  url: string;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM to the whole group (as Ctrl-C would signal it), then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

export async function startDemo(options: {
  port: number;
  dataDir: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<DemoProcess> {
  const url = `http://localhost:${options.port}`;
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(options.port),
      DATABASE_URL: `sqlite:${join(options.dataDir, 'pasarela.db')}`,
      ...options.env,
    },
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  // 'close', not 'exit': npm may exit before the server it started, which holds the pipes open
  // until its own graceful shutdown is done.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
    process.kill(-child.pid, 'SIGTERM');
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  // Up when it answers and has printed its address and the sandbox notice (it may build first).
  const printed = () => output.includes(`on ${url}`) && output.includes('payments are simulated');
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  while (Date.now() < deadline && child.exitCode === null) {
    const healthy = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy && printed()) return { url, output: () => output, stop };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(
    `npm start did not come up on ${url} printing its address and the sandbox notice:\n${output}`,
  );
}
