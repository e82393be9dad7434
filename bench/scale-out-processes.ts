// Processes of bench/scale-out.bench.ts: server instances (bench/scale-out-server.ts), the load
// generator (bench/scale-out-load.ts), and the CPU time each uses (Linux's /proc).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { LoadCommand, LoadResult } from './scale-out-load.js';

export interface Instance {
  url: string;
  pid: number;
  /** Warnings and errors the instance logged (JSON lines). */
  problems: string[];
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();

/** Kills what is still running (a failure, or Ctrl-C): each instance also stops when its stdin closes. */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

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

function track(child: ChildProcess): Promise<void> {
  children.add(child);
  return new Promise((resolve) =>
    child.once('exit', () => {
      children.delete(child);
      resolve();
    }),
  );
}

/** Ends stdin (the process closes and exits), then kills it if it has not exited within 8 s. */
async function end(child: ChildProcess, exited: Promise<void>): Promise<void> {
  child.stdin!.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
  await exited;
  clearTimeout(timer);
}

/** One server instance, started with `env` only (no inherited settings but PATH). */
export async function startInstance(env: Record<string, string>, options: object): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/scale-out-server.ts'], {
    env: { PATH: process.env.PATH, ...env, BENCH_SERVER_OPTIONS: JSON.stringify(options) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = track(child);
  const problems: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => problems.push(line));
  const started = await new Promise<{ url: string; pid: number } | undefined>((resolve) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
    void exited.then(() => resolve(undefined));
  });
  if (!started) throw new Error(`a server instance did not start:\n${problems.join('\n')}`);
  return { ...started, problems, stop: () => end(child, exited) };
}

export interface LoadGenerator {
  pid: number;
  run(command: LoadCommand): Promise<LoadResult>;
  stop(): Promise<void>;
}

export function startLoadGenerator(idsFile: string): LoadGenerator {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/scale-out-load.ts'], {
    env: { ...process.env, BENCH_IDS_FILE: idsFile },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = track(child);
  const waiting: ((result: LoadResult) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  return {
    pid: child.pid!,
    run(command) {
      return new Promise((resolve, reject) => {
        waiting.push(resolve);
        child.stdin!.write(`${JSON.stringify(command)}\n`);
        void exited.then(() => reject(new Error('the load generator exited')));
      });
    },
    stop: () => end(child, exited),
  };
}

/** User + system CPU time of a process so far, in clock ticks (0 once it is gone). */
export function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * CPU of the whole machine, in clock ticks (all cores): `busy` is user, system and interrupt time;
 * `steal` is time the hypervisor gave this VM's cores to others (from /proc/stat).
 */
export function machineTicks(): { busy: number; steal: number } {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  // user nice system idle iowait irq softirq steal …
  const [user, nice, system, , , irq, softirq, steal] = cpu!.trim().split(/\s+/).slice(1).map(Number);
  return { busy: user! + nice! + system! + irq! + softirq!, steal: steal ?? 0 };
}

/** Clock ticks per second (USER_HZ): 100 on Linux. */
export const ticksPerSecond = 100;
