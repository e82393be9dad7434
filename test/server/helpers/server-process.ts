// A real Pasarela server process (test/server/helpers/serve-process.ts) that a test can kill -9
// and start again on the same port and database.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

// One way to find a free port, for every suite that starts a server process.
export { freePort } from '../../e2e/demo-process.js';

export interface ServerProcess {
  url: string;
  lines: string[];
  /** SIGKILL: no shutdown, nothing flushed or finished. */
  crash(): Promise<void>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Kills whatever a test left running (afterEach). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/server/helpers/serve-process.ts'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: string[] = [];
  let stderr = '';
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = await new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    const check = () => {
      const line = lines.find((l) => l.includes('pasarela listening'));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    };
    child.stdout!.on('data', () => setImmediate(check));
    void exited.then(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  if (!listening) {
    child.kill('SIGKILL');
    throw new Error(`the server did not start:\n${lines.join('\n')}\n${stderr}`);
  }
  const { url } = JSON.parse(listening) as { url: string };
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    running.delete(child);
  };
  return { url, lines, crash: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
