// A CPU profile of the deployed server (server/cli.ts, as bench/deployed.bench.ts starts it) under
// status reads at a fixed rate from many client addresses, summarised by self time per function
// and per package. `npx tsx bench/profile-deployed.ts [rate] [seconds]` (rate 0: as fast as it goes); the .cpuprofile file is
// kept for Chrome's DevTools. Environment variables given to this command reach the server
// (e.g. LOG_LEVEL=warn, PASARELA_RATE_LIMIT_READ=0 for an A/B).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { toPublicSession } from '../server/core/session.js';
import { openSqliteStore } from '../server/store/sqlite/index.js';
import { benchSessions } from './sessions.js';

const rate = Number(process.argv[2] ?? 4_000);
const seconds = Number(process.argv[3] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'pasarela-profile-'));
const store = await openSqliteStore({ path: join(dir, 'pasarela.db') });
const ids: string[] = [];
const bodies: Record<string, unknown> = {};
for (const session of benchSessions(1_000, 'PROF')) {
  await store.createSession(session);
  ids.push(session.id);
  bodies[session.id] = toPublicSession(session);
}
await store.close();
writeFileSync(join(dir, 'sessions.json'), JSON.stringify(bodies));

const port = 40_000 + Math.floor(Math.random() * 10_000);
const profiling = process.env.BENCH_NO_PROFILE !== '1';
// BENCH_TARGET=hono or http: one of bench/deployed-bare.ts's servers instead, for comparison.
const bare = process.env.BENCH_TARGET;
// BENCH_LOG_PIPE=1: the log goes into a pipe read by `cat` (on this process's core), as in
// bench/deployed.bench.ts; otherwise to /dev/null.
const sink =
  process.env.BENCH_LOG_PIPE === '1'
    ? spawn('sh', ['-c', `exec cat > "${join(dir, 'server.log')}"`], { stdio: ['pipe', 'ignore', 'inherit'] })
    : undefined;
// Pinned as in bench/deployed.bench.ts: the server on the last core, this process on the first.
const pinned = spawnSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' }).status === 0;
const child = spawn(
  pinned ? 'taskset' : process.execPath,
  [
    ...(pinned ? ['-c', String(availableParallelism() - 1), process.execPath] : []),
    ...(profiling ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []),
    '--import',
    'tsx',
    ...(bare
      ? ['bench/deployed-bare.ts', bare, join(dir, 'sessions.json'), String(port)]
      : ['server/cli.ts']),
  ],
  {
    env: {
      PASARELA_SANDBOX: '1',
      PORT: String(port),
      DATABASE_URL: `sqlite:${join(dir, 'pasarela.db')}`,
      PASARELA_TRUST_PROXY: '1',
      PASARELA_ORDER_SECRET: 'profile-order-secret-of-32-bytes-long!!',
      ...process.env,
    },
    stdio: [bare ? 'pipe' : 'ignore', sink ? sink.stdin! : 'ignore', 'inherit'],
  },
);
process.on('exit', () => {
  child.kill('SIGKILL');
  sink?.kill('SIGKILL');
});
const url = `http://127.0.0.1:${port}`;
for (let attempt = 0; ; attempt++) {
  if (
    await fetch(`${url}/healthz`).then(
      () => true,
      () => false,
    )
  )
    break;
  if (attempt === 300) throw new Error('the server did not start');
  await new Promise((resolve) => setTimeout(resolve, 100));
}
/** CPU time (ms) of each of the server's threads, by thread name (other than the main one), from /proc. */
function threadCpu(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const name =
        task === String(pid) ? 'main thread' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
      byName.set(name, (byName.get(name) ?? 0) + ms);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return byName;
}
const address = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const load = (duration: number) =>
  autocannon({
    url,
    connections: 50,
    duration,
    ...(rate > 0 && { overallRate: rate }),
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          path: `/api/sessions/${ids[Math.floor(Math.random() * ids.length)]}`,
          headers: { 'x-forwarded-for': address(Math.floor(Math.random() * 100_000)) },
        }),
      },
    ],
  });
await load(2); // warm-up: the JIT, the caches
// The profile's sample times are on the same monotonic clock (µs): only the measured load counts.
const window = { from: Number(process.hrtime.bigint() / 1000n), to: 0 };
const cpuBefore = threadCpu(child.pid!);
const result = await load(seconds);
const cpuAfter = threadCpu(child.pid!);
window.to = Number(process.hrtime.bigint() / 1000n);
console.log(`${result.requests.total} reads, ${result.non2xx} non-2xx; server CPU per read by thread:`);
let sum = 0;
for (const [name, ms] of cpuAfter) {
  const used = ((ms - (cpuBefore.get(name) ?? 0)) * 1000) / result.requests.total;
  sum += used;
  if (used > 0) console.log(`  ${name.padEnd(16)} ${used.toFixed(1)} µs`);
}
console.log(`  ${'all'.padEnd(16)} ${sum.toFixed(1)} µs`);
// The bare servers end with their standard input, the real one on SIGTERM: both write the profile.
if (bare) child.stdin!.end();
else child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));

if (!profiling) {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}
// The main thread's profile is the largest (the module loader's thread writes one too).
const file = readdirSync(dir)
  .filter((name) => name.endsWith('.cpuprofile'))
  .sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0]!;
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
  nodes: Node[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
};
// Hits counted again from the samples taken within the measured window.
const hits = new Map<number, number>();
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i]!;
  if (at >= window.from && at <= window.to) hits.set(id, (hits.get(id) ?? 0) + 1);
});
if (hits.size === 0) throw new Error('no profile sample falls within the measured window (another clock?)');
for (const node of profile.nodes) node.hitCount = hits.get(node.id) ?? 0;
const total = profile.nodes.reduce((sum, node) => sum + node.hitCount, 0);
// Wall time of the main thread per read: a sample in a system call counts though the thread may
// have waited there (the /proc figures above are CPU time).
const perRead = (samples: number) => ((window.to - window.from) * samples) / total / result.requests.total;
const idle = profile.nodes.filter((node) => node.callFrame.functionName === '(idle)');
const busy = total - idle.reduce((sum, node) => sum + node.hitCount, 0);
console.log(
  `${total} samples in the measured window; main thread busy ${perRead(busy).toFixed(1)} µs a read`,
);
const place = (u: string) =>
  u.includes('node_modules/')
    ? u.slice(u.lastIndexOf('node_modules/') + 13).replace(/\/.*$/, '')
    : u.replace(/^file:\/\/.*?\/(server|bench)\//, '$1/') || '(native)';
const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
for (const node of profile.nodes) {
  const { functionName, url: u, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${place(u)}${u ? `:${lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + node.hitCount);
  byPlace.set(place(u), (byPlace.get(place(u)) ?? 0) + node.hitCount);
}
const top = (map: Map<string, number>, n: number) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, hits]) => `  ${perRead(hits).toFixed(2).padStart(6)} µs  ${key}`)
    .join('\n');
console.log(`self time a read, by place:\n${top(byPlace, 15)}\nby function:\n${top(byFunction, 40)}`);
// For comparing two runs: every function's µs a read.
const summary = join(dir, 'profile-summary.json');
writeFileSync(
  summary,
  JSON.stringify(Object.fromEntries([...byFunction].map(([key, hits]) => [key, perRead(hits)]))),
);
console.log(`profile: ${join(dir, file)}\nsummary: ${summary}`);
// The log reader (BENCH_LOG_PIPE) would keep this process waiting.
sink?.kill('SIGKILL');
