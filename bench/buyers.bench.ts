// 500 buyers at once (issue 13): each creates a session with a signed order, pays on the
// sandbox's buyer page, and follows its status until `paid`, most over the event stream and every
// fifth by polling. The server (bench/buyers-server.ts) runs in its own process in sandbox mode,
// on a SQLite file in a temp directory, with the sandboxes' webhooks going to it over loopback.
// Checks that no transition is lost or duplicated (on every stream, in every session's stored
// history) and reports webhook → browser latency and the server's peak memory.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { PublicSession, StatusEvent } from '../server/core/session.js';
import { signOrder } from '../server/orders.js';
import type { SentWebhook } from './buyers-server.js';

const quick = Number(process.env.BENCH_SECONDS ?? 8) < 4;
const buyers = quick ? 50 : 500;
/** Every fifth buyer polls `GET /api/sessions/:id` instead of following the event stream. */
const pollsEvery = 5;
const pollMs = 500;
/** The whole run, creation to the last check, must end within this (then it fails). */
const deadlineMs = quick ? 60_000 : 180_000;
const orderSecret = 'buyers-bench-order-secret-of-32-bytes!!';
const run = Date.now().toString(36);

const dir = mkdtempSync(join(tmpdir(), 'pasarela-buyers-'));
let child: ChildProcess | undefined;
process.on('exit', () => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
const fail = (message: string): never => {
  console.error(`buyers bench failed: ${message}`);
  process.exit(1);
};
const deadline = setTimeout(() => fail(`not finished within ${deadlineMs / 1000} s`), deadlineMs);
deadline.unref();

const nowNs = () => process.hrtime.bigint();
const ms = (from: bigint, to: bigint) => Number(to - from) / 1e6;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(2);
  return `p50 ${f(percentile(sorted, 0.5))} ms, p99 ${f(percentile(sorted, 0.99))} ms, max ${f(sorted.at(-1)!)} ms`;
};
const address = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${(n & 255) + 1}`;

let stopping = false;
child = spawn(process.execPath, ['--import', 'tsx', 'bench/buyers-server.ts'], {
  stdio: ['pipe', 'pipe', 'inherit'],
  env: { ...process.env, BENCH_DIR: dir, BENCH_ORDER_SECRET: orderSecret },
});
child.once('exit', (code) => {
  if (!stopping) fail(`the server exited early (code ${code})`);
});
const lines = createInterface({ input: child.stdout! });
const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
const { url, pid, adminToken } = JSON.parse(await next()) as { url: string; pid: number; adminToken: string };
const origin = new URL(url);

// Requests (creation, payment, polls, admin) on kept-alive sockets; each stream on its own.
const calls = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
const streams = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

function call(
  method: string,
  target: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; text: string }> {
  const where = new URL(target, url);
  if (where.host !== origin.host) throw new Error(`not loopback to the server: ${target}`);
  return new Promise((resolve, reject) => {
    const req = request(
      { agent: calls, method, host: '127.0.0.1', port: where.port, path: where.pathname + where.search },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    for (const [name, value] of Object.entries(options.headers ?? {})) req.setHeader(name, value);
    req.on('error', reject);
    req.end(options.body);
  });
}

/** An event stream, parsed: each `event: status` with the time its chunk arrived. */
function follow(id: string, ip: string) {
  const seen: { status: string; at: bigint }[] = [];
  let first: () => void = () => undefined;
  const opened = new Promise<void>((resolve, reject) => {
    first = resolve;
    setTimeout(() => reject(new Error(`stream ${id}: no first event within 30 s`)), 30_000).unref();
  });
  const ended = new Promise<void>((resolve, reject) => {
    const req = request(
      {
        agent: streams,
        host: '127.0.0.1',
        port: origin.port,
        path: `/api/sessions/${id}/events`,
        headers: { 'x-forwarded-for': ip, accept: 'text/event-stream' },
      },
      (response) => {
        if (response.statusCode !== 200) reject(new Error(`stream ${id}: ${response.statusCode}`));
        response.setEncoding('utf8');
        let buffer = '';
        response.on('data', (chunk: string) => {
          const at = nowNs();
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            if (!block.split('\n').includes('event: status')) continue;
            const data = block.split('\n').find((line) => line.startsWith('data: '));
            seen.push({ status: (JSON.parse(data!.slice(6)) as PublicSession).status, at });
            first();
          }
        });
        // The server ends the stream after a final status.
        response.on('end', () => resolve());
        response.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
  return { seen, opened, ended };
}

interface Buyer {
  index: number;
  provider: 'etpay' | 'tpaga';
  polls: boolean;
  session?: PublicSession;
  createMs?: number;
  payAt?: bigint;
  /** When the buyer first saw `paid` (stream chunk or poll answer). */
  paidAt?: bigint;
  /** `paid` events on the buyer's stream. */
  paidEvents?: number;
}

async function buy(buyer: Buyer): Promise<void> {
  const ip = address(buyer.index);
  const etpay = buyer.provider === 'etpay';
  const order = await signOrder(
    {
      order_id: `BUY-${run}-${buyer.index}`,
      amount: etpay ? 12_990 : 21_000,
      currency: etpay ? 'CLP' : 'COP',
    },
    orderSecret,
  );
  const started = nowNs();
  const created = await call('POST', '/api/sessions', {
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ provider: buyer.provider, order }),
  });
  buyer.createMs = ms(started, nowNs());
  if (created.status !== 201)
    throw new Error(`buyer ${buyer.index}: creation ${created.status} ${created.text}`);
  const session = JSON.parse(created.text) as PublicSession;
  buyer.session = session;

  const stream = buyer.polls ? undefined : follow(session.id, ip);
  // Pay only once the buyer follows the session (the stream's first event), as the widget does.
  await stream?.opened;
  const payPage = etpay ? `${session.action!.url}/decision` : session.action!.url;
  buyer.payAt = nowNs();
  const paid = await call('POST', payPage, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
    body: 'action=approve',
  });
  if (paid.status !== 303) throw new Error(`buyer ${buyer.index}: the buyer page answered ${paid.status}`);

  if (stream) {
    await stream.ended;
    const paidEvents = stream.seen.filter((event) => event.status === 'paid');
    buyer.paidEvents = paidEvents.length;
    buyer.paidAt = paidEvents[0]?.at;
    return;
  }
  for (;;) {
    const read = await call('GET', `/api/sessions/${session.id}`, { headers: { 'x-forwarded-for': ip } });
    if (read.status !== 200) throw new Error(`buyer ${buyer.index}: poll ${read.status}`);
    if ((JSON.parse(read.text) as PublicSession).status === 'paid') {
      buyer.paidAt = nowNs();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

const buyer = (index: number): Buyer => ({
  index,
  provider: index % 2 ? 'tpaga' : 'etpay',
  polls: index % pollsEvery === pollsEvery - 1,
});
// Warm-up: four buyers one after another (both providers, stream and poll), not counted, so the
// figures are not the first requests' compilation and SQLite's first pages.
const warmUp = 4;
for (let index = buyers; index < buyers + warmUp; index++)
  await buy({ ...buyer(index), polls: index % 2 === 0 });
const all = Array.from({ length: buyers }, (_, index) => buyer(index));
const started = nowNs();
const results = await Promise.allSettled(all.map(buy));
const wall = ms(started, nowNs());
const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
if (failures.length) fail(`${failures.length} buyers failed, first: ${failures[0]}`);

// Every stream showed `paid` exactly once.
const streamers = all.filter((buyer) => !buyer.polls);
const wrongStreams = streamers.filter((buyer) => buyer.paidEvents !== 1);
if (wrongStreams.length) {
  fail(
    `${wrongStreams.length} streams did not show paid exactly once (e.g. session ${wrongStreams[0]!.session!.id}: ${wrongStreams[0]!.paidEvents})`,
  );
}

// Exactly one notification per session, each acknowledged; matched to its session by the
// provider's token (Tpaga's is the webhook path's last segment, ETpay's the JWT's session_token).
child.stdin!.write('\n');
const sent = JSON.parse(await next()) as SentWebhook[];
const tokenOf = (webhook: SentWebhook): string => {
  if (webhook.body === null) return webhook.url.split('/').at(-1)!;
  const jwt = (JSON.parse(webhook.body) as { payment: string }).payment;
  return (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { session_token: string })
    .session_token;
};
const byToken = new Map<string, SentWebhook[]>();
for (const webhook of sent)
  byToken.set(tokenOf(webhook), [...(byToken.get(tokenOf(webhook)) ?? []), webhook]);
if (sent.some((webhook) => webhook.status !== 200)) fail('a webhook was not answered 200');

// The stored history: exactly one transition into paid per session, and it is pending → paid.
const admin = { authorization: `Bearer ${adminToken}` };
const latency = { stream: [] as number[], poll: [] as number[], click: [] as number[] };
const byProvider = { ETpay: [] as number[], Tpaga: [] as number[] };
let checked = 0;
for (let from = 0; from < all.length; from += 25) {
  await Promise.all(
    all.slice(from, from + 25).map(async (buyer) => {
      const id = buyer.session!.id;
      const answer = await call('GET', `/api/admin/sessions/${id}`, { headers: admin });
      if (answer.status !== 200) fail(`admin history of ${id}: ${answer.status}`);
      const { session, events } = JSON.parse(answer.text) as {
        session: { providerRef: string };
        events: StatusEvent[];
      };
      const intoPaid = events.filter((event) => event.to === 'paid' && event.from !== 'paid');
      if (intoPaid.length !== 1 || intoPaid[0]!.from !== 'pending') {
        fail(
          `session ${id}: ${intoPaid.map((e) => `${e.from}→${e.to}`).join(', ') || 'no transition'} into paid`,
        );
      }
      const hooks = byToken.get(session.providerRef) ?? [];
      if (hooks.length !== 1) fail(`session ${id}: ${hooks.length} webhooks sent`);
      const paidAt = buyer.paidAt!;
      const delay = ms(BigInt(hooks[0]!.sentAt), paidAt);
      latency[buyer.polls ? 'poll' : 'stream'].push(delay);
      if (!buyer.polls) byProvider[buyer.provider === 'etpay' ? 'ETpay' : 'Tpaga'].push(delay);
      if (!buyer.polls) latency.click.push(ms(buyer.payAt!, paidAt));
      checked++;
    }),
  );
}

const status = readFileSync(`/proc/${pid}/status`, 'utf8');
const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
const etpays = all.filter((buyer) => buyer.provider === 'etpay').length;
console.log(
  `${buyers} buyers at once (${etpays} ETpay, ${buyers - etpays} Tpaga; ${streamers.length} on event streams, ${buyers - streamers.length} polling every ${pollMs} ms), sandbox mode, SQLite:`,
);
console.log(
  `  all paid in ${(wall / 1000).toFixed(1)} s; every stream showed paid exactly once; one webhook per session (${sent.length - warmUp} sent, and ${warmUp} in the warm-up), all answered 200`,
);
console.log(`  stored history: exactly one pending → paid in each of ${checked} sessions`);
console.log(`  session creation: ${summary(all.map((buyer) => buyer.createMs!))}`);
console.log(`  webhook sent → paid on the buyer's stream: ${summary(latency.stream)}`);
for (const [provider, values] of Object.entries(byProvider))
  console.log(`    ${provider}: ${summary(values)}`);
console.log(`  pay click → paid on the buyer's stream: ${summary(latency.click)}`);
console.log(`  webhook sent → paid seen by a poll: ${summary(latency.poll)}`);
console.log(
  `  server peak memory (VmHWM): ${(kb('VmHWM') / 1024).toFixed(1)} MB (RSS at the end ${(kb('VmRSS') / 1024).toFixed(1)} MB)`,
);

stopping = true;
const exited = new Promise((resolve) => child.once('exit', resolve));
child.stdin!.end();
await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
calls.destroy();
streams.destroy();
process.exit(0);
