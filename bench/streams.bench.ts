// What an open event stream costs the server: 2,000 buyers following their payment live, opened
// from another process in steps; after each step the server collects garbage and reports its heap
// and RSS, so the figures are what the streams hold. Then the fan-out: 2,000 more streams all on
// one session, one payment of it (a signed ETpay webhook), and how long until every stream has it.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { SignJWT } from 'jose';

const quick = Number(process.env.BENCH_SECONDS ?? 8) < 4;
const steps = quick ? [100, 200] : [500, 1_000, 2_000];
const fanOutStreams = quick ? 200 : 2_000;
const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/streams-server.ts'], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
// The server goes with the bench, however the bench ends; no wait is unbounded.
process.on('exit', () => child.kill('SIGKILL'));
const fail = (message: string): never => {
  console.error(`streams bench failed: ${message}`);
  process.exit(1);
};
setTimeout(() => fail('not finished within 5 minutes'), 300_000).unref();
const lines = createInterface({ input: child.stdout! });
const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
const { port, ids, fanOut } = JSON.parse(await next()) as {
  port: number;
  ids: string[];
  fanOut: { id: string; token: string; secret: string; orderId: string };
};
const memory = async () => {
  child.stdin!.write('\n');
  return JSON.parse(await next()) as { heap: number; rss: number };
};

const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
/** Opens stream `i`; resolves at its first event. `onText` sees everything it reads afterwards. */
const open = (i: number, session = ids[i % ids.length]!, onText?: (text: string, at: bigint) => void) =>
  new Promise<void>((resolve, reject) => {
    const req = request(
      {
        agent,
        port,
        host: '127.0.0.1',
        path: `/api/sessions/${session}/events`,
        // One address per buyer: a stream cap per address (50) applies.
        headers: { 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
      },
      (response) => {
        if (response.statusCode !== 200) reject(new Error(`stream ${i}: ${response.statusCode}`));
        response.once('data', () => resolve());
        if (onText) {
          response.setEncoding('utf8');
          response.on('data', (text: string) => onText(text, process.hrtime.bigint()));
        }
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

// The fan-out: more streams, each from its own address, all following one session; then that
// session is paid by a signed ETpay webhook sent from here, timed from just before the request is
// written to when each stream's chunk holding `paid` is read. The times are this process's, so
// they include its own turn through thousands of sockets, as each browser would have its own.
const paidAt: (bigint | undefined)[] = [];
await Promise.all(
  Array.from({ length: fanOutStreams }, (_, i) => {
    let text = '';
    return open(opened + i, fanOut.id, (chunk, at) => {
      text += chunk;
      if (paidAt[i] === undefined && text.includes('"status":"paid"')) paidAt[i] = at;
    });
  }),
);
const everyonePaid = new Promise<void>((resolve) => {
  const check = setInterval(() => {
    if (paidAt.filter(Boolean).length === fanOutStreams) {
      clearInterval(check);
      resolve();
    }
  }, 1);
});
const jwt = await new SignJWT({
  session_token: fanOut.token,
  merchant_order_id: fanOut.orderId,
  payment_token: 'fan-out-payment',
  payment_status: 'success',
  user_rut: '11111111-1',
})
  .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
  .setIssuedAt()
  .sign(new TextEncoder().encode(fanOut.secret));
const body = JSON.stringify({ payment: jwt });
const sentAt = process.hrtime.bigint();
const answeredAt = await new Promise<bigint>((resolve, reject) => {
  const req = request(
    {
      port,
      host: '127.0.0.1',
      method: 'POST',
      path: '/webhooks/etpay',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    },
    (response) => {
      response.resume();
      if (response.statusCode !== 200) reject(new Error(`the webhook was answered ${response.statusCode}`));
      else response.on('end', () => resolve(process.hrtime.bigint()));
    },
  );
  req.on('error', reject);
  req.end(body);
});
await Promise.race([
  everyonePaid,
  new Promise((resolve) => setTimeout(resolve, 30_000).unref()).then(() =>
    fail(`${fanOutStreams - paidAt.filter(Boolean).length} streams had no paid within 30 s`),
  ),
]);
const delays = paidAt.map((at) => Number(at! - sentAt) / 1e6).sort((a, b) => a - b);
const at = (p: number) => delays[Math.min(delays.length - 1, Math.floor(delays.length * p))]!.toFixed(2);
console.log(
  `one change fanned out to ${fanOutStreams} streams on one session (ETpay webhook sent → paid read on each stream):`,
);
console.log(
  `  first ${at(0)} ms, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms: all ${fanOutStreams} had it ${at(1)} ms after the webhook (answered after ${(Number(answeredAt - sentAt) / 1e6).toFixed(2)} ms)`,
);

child.stdin!.end();
child.kill();
agent.destroy();
process.exit(0);
