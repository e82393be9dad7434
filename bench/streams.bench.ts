// What an open event stream costs the server: 2,000 buyers following their payment live, opened
// from another process in steps; after each step the server collects garbage and reports its heap
// and RSS, so the figures are what the streams hold.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

const quick = Number(process.env.BENCH_SECONDS ?? 8) < 4;
const steps = quick ? [100, 200] : [500, 1_000, 2_000];
const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/streams-server.ts'], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const lines = createInterface({ input: child.stdout! });
const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
const { port, ids } = JSON.parse(await next()) as { port: number; ids: string[] };
const memory = async () => {
  child.stdin!.write('\n');
  return JSON.parse(await next()) as { heap: number; rss: number };
};

const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
const open = (i: number) =>
  new Promise<void>((resolve, reject) => {
    const req = request(
      {
        agent,
        port,
        host: '127.0.0.1',
        path: `/api/sessions/${ids[i % ids.length]}/events`,
        // One address per buyer: a stream cap per address (50) applies.
        headers: { 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
      },
      (response) => {
        if (response.statusCode !== 200) reject(new Error(`stream ${i}: ${response.statusCode}`));
        response.once('data', () => resolve());
      },
    );
    req.on('error', reject);
    req.end();
  });

console.log('open event streams, server memory after garbage collection, per stream:');
let opened = 0;
let last = await memory();
for (const target of steps) {
  const from = opened;
  await Promise.all(Array.from({ length: target - from }, (_, i) => open(from + i)));
  opened = target;
  const now = await memory();
  const heap = (now.heap - last.heap) / (target - from) / 1024;
  const rss = (now.rss - last.rss) / (target - from) / 1024;
  console.log(
    `  ${String(from).padStart(5)} → ${String(target).padEnd(5)} heap ${heap.toFixed(1)} KB, RSS ${rss.toFixed(1)} KB${target === steps.at(-1) ? ` (target ≤ 16 KB: ${heap <= 16 ? 'ok' : 'ABOVE TARGET'})` : ''}`,
  );
  last = now;
}
child.stdin!.end();
child.kill();
agent.destroy();
process.exit(0);
