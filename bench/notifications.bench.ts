// Merchant notifications through the outbox, on loopback with a SQLite file at its production
// durability (WAL, synchronous=FULL). Latency: from just before a status change is applied
// (`payments.observe`, the webhook routes' path) to the moment the merchant's receiver has read
// the whole signed request (target p50 ≤ 50 ms). Throughput: 1,000 changes from concurrent
// writers, stored and delivered, each exactly once. The server runs here; the receiver runs in
// its own process (bench/notifications-receiver.ts), as a merchant's endpoint would.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createPasarela, newSessionId, type PasarelaApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { newPaymentSession, type PaymentSession } from '../server/core/session.js';
import { silentLogger } from '../server/log.js';
import type { ProviderObservation } from '../server/providers/provider.js';
import { openSqliteStore } from '../server/store/sqlite/index.js';
import type { Store } from '../server/store/store.js';
import type { ReceivedLine as Received } from './notifications-receiver.js';

const durationS = Number(process.env.BENCH_SECONDS ?? 8);
/** Sequential changes measured (300 at the default 8 s, fewer for a quick check), after the warm-up. */
const latencySamples = Math.max(40, Math.min(300, Math.round(durationS * 40)));
const warmup = 20;
/** Always the full count: the exactly-once check is the point of this part. */
const throughputChanges = 1_000;
const changesLabel = throughputChanges.toLocaleString('en-US');
const writers = 8;
const latencyTargetMs = 50;

const paid: ProviderObservation = { statuses: ['paid'], providerStatus: 'paid', dedupeKey: null };

interface Receiver {
  url: string;
  /** Every request read, in order of arrival, per session id. */
  bySession: Map<string, Received[]>;
  all: Received[];
  /** Resolves once `done()` holds (checked after each request); rejects after `timeoutMs`. */
  until(done: () => boolean, what: () => string, timeoutMs?: number): Promise<void>;
  /** Stops the receiver and waits until every line it wrote has been read. */
  close(): Promise<void>;
}

async function startReceiver(secret: string): Promise<Receiver> {
  const child = spawn('node_modules/.bin/tsx', ['bench/notifications-receiver.ts'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_WEBHOOK_SECRET: secret },
  });
  const lines = createInterface({ input: child.stdout! });
  const ended = new Promise<void>((resolve) => lines.once('close', resolve));
  const bySession = new Map<string, Received[]>();
  const all: Received[] = [];
  const listeners = new Set<() => void>();
  let refused: string | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the receiver exited (${code}) before listening`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  lines.on('line', (line) => {
    const received = JSON.parse(line) as Received;
    refused ??= received.error ?? undefined;
    all.push(received);
    const list = bySession.get(received.session) ?? [];
    list.push(received);
    bySession.set(received.session, list);
    for (const listener of listeners) listener();
  });
  return {
    url,
    bySession,
    all,
    until(done, what, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          // A request that did not verify fails the bench at once, rather than by a timeout.
          if (refused === undefined && !done()) return;
          listeners.delete(check);
          clearTimeout(timer);
          if (refused === undefined) resolve();
          else reject(new Error(`the receiver refused a notification: ${refused}`));
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    close() {
      child.stdin!.end();
      return ended;
    },
  };
}

function pendingSession(label: string): PaymentSession {
  const now = new Date().toISOString();
  return newPaymentSession({
    id: newSessionId(),
    provider: 'tpaga',
    amount: 12000,
    currency: 'COP',
    orderId: `OC-${label}`,
    description: 'Café de grano 500 g',
    items: [{ name: 'Café de grano 500 g', quantity: 1, amount: 12000 }],
    createdAt: now,
    action: { type: 'redirect', url: `https://pmt.example/session/${label}` },
    providerRef: `ref-${label}`,
  });
}

/** Milliseconds on the machine's monotonic clock, which the receiver's timestamps also read. */
const clock = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (delayMs: number) => new Promise((resolve) => setTimeout(resolve, delayMs));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const ascending = (a: number, b: number) => a - b;
const median = (values: number[]) => percentile(values.toSorted(ascending), 0.5);

/** Until no attempt is in flight (its record is committed), so one sample never overlaps the next. */
async function dispatcherIdle(app: PasarelaApp): Promise<void> {
  while (app.dispatcher.active > 0) await sleep(1);
}

/** Time spent in one kind of store write: how many, and their total milliseconds. */
interface WriteTally {
  calls: number;
  ms: number;
  /** Deliveries taken (claims only). */
  items: number;
}

/**
 * The store the app uses, timing the writes of the notification path. better-sqlite3 works
 * synchronously and this store runs each write within the call, so the time a call takes before
 * it returns its promise is time the event loop spent blocked in SQLite, fsync included.
 * Also notes when the last claim that took a delivery started and ended (the latency's split).
 */
function instrumented(store: Store) {
  const lastClaim = { start: 0, end: 0 };
  const tally = (): WriteTally => ({ calls: 0, ms: 0, items: 0 });
  const writes = { changes: tally(), claims: tally(), records: tally() };
  const timed = <T>(into: WriteTally, operation: () => Promise<T>) => {
    const start = clock();
    const result = operation();
    into.calls++;
    into.ms += clock() - start;
    return result;
  };
  const wrapped: Store = {
    ...store,
    applyObservation: (...args) => timed(writes.changes, () => store.applyObservation(...args)),
    recordAttempt: (...args) => timed(writes.records, () => store.recordAttempt(...args)),
    async claimDeliveries(request) {
      const start = clock();
      const pending = store.claimDeliveries(request);
      const end = clock();
      const claimed = await pending;
      if (!claimed.length) return claimed;
      Object.assign(lastClaim, { start, end });
      writes.claims.calls++;
      writes.claims.ms += end - start;
      writes.claims.items += claimed.length;
      return claimed;
    },
  };
  const reset = () => {
    for (const into of Object.values(writes)) Object.assign(into, tally());
  };
  return { wrapped, lastClaim, writes, reset };
}

async function latency(
  app: PasarelaApp,
  store: Store,
  receiver: Receiver,
  last: { start: number; end: number },
) {
  const totals: number[] = [];
  const split = { store: [] as number[], wake: [] as number[], claim: [] as number[], send: [] as number[] };
  for (let i = 0; i < warmup + latencySamples; i++) {
    const session = pendingSession(`latency-${i}`);
    await store.createSession(session);
    await dispatcherIdle(app);
    const started = clock();
    await app.payments.observe(session, paid, 'webhook');
    const stored = clock();
    await receiver.until(
      () => receiver.bySession.has(session.id),
      () => `the notification of ${session.id}`,
    );
    const request = receiver.bySession.get(session.id)![0]!;
    if (i < warmup) continue;
    totals.push(request.at - started);
    split.store.push(stored - started);
    split.wake.push(last.start - stored);
    split.claim.push(last.end - last.start);
    split.send.push(request.at - last.end);
  }
  await dispatcherIdle(app);
  return { sorted: totals.sort(ascending), split };
}

async function throughput(app: PasarelaApp, store: Store, receiver: Receiver) {
  const sessions = Array.from({ length: throughputChanges }, (_, i) => pendingSession(`throughput-${i}`));
  for (const session of sessions) await store.createSession(session);
  await dispatcherIdle(app);
  const ids = new Set(sessions.map((session) => session.id));
  const ours = (received: Received) => ids.has(received.session);
  const arrived = () => receiver.all.filter(ours).length;

  const started = clock();
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < sessions.length) await app.payments.observe(sessions[next++]!, paid, 'webhook');
    }),
  );
  const stored = clock();
  await receiver.until(
    () => sessions.every((session) => receiver.bySession.has(session.id)),
    () => `${throughputChanges} notifications (${arrived()} arrived)`,
    120_000,
  );
  const lastDelivery = receiver.all
    .filter(ours)
    .reduce((latest, received) => Math.max(latest, received.at), 0);
  // Nothing left to send: whatever else arrives now would be a duplicate, and is counted below.
  await dispatcherIdle(app);
  const pending = await store.pendingDestinations();
  return { started, stored, lastDelivery, sessions, ours, pending };
}

/** The ids of the stored notification events of these sessions. */
async function storedEventIds(store: Store, sessions: ReadonlySet<string>): Promise<Set<string>> {
  const found = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await store.listNotifications({ limit: 500, ...(after && { after }) });
    for (const event of page) if (sessions.has(event.sessionId)) found.add(event.id);
    if (page.length < 500) return found;
    after = page.at(-1)!.id;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'pasarela-bench-notify-'));
const secret = `whsec_${randomBytes(32).toString('base64')}`;
let receiver: Receiver | undefined;
let app: PasarelaApp | undefined;
let store: Awaited<ReturnType<typeof openSqliteStore>> | undefined;
try {
  receiver = await startReceiver(secret);
  store = await openSqliteStore({ path: join(dir, 'pasarela.db') });
  const settings = await store.settings();
  if (settings.journalMode !== 'wal' || settings.synchronous !== 2) {
    throw new Error(`expected WAL with synchronous=FULL, got ${JSON.stringify(settings)}`);
  }
  const config = loadConfig({
    PASARELA_SANDBOX: '1',
    PASARELA_ORDER_SECRET: 'bench-order-secret-at-least-32-bytes!!',
    PASARELA_WEBHOOK_URL: receiver.url,
    PASARELA_WEBHOOK_SECRET: secret,
  });
  const probe = instrumented(store);
  // Production notification settings (10 s timeout, 1 s poll, 8 attempts in flight per destination).
  app = createPasarela({ config, store: probe.wrapped, logger: silentLogger, reconciler: false });

  const measured = await latency(app, store, receiver, probe.lastClaim);
  const p50 = percentile(measured.sorted, 0.5);
  const { split } = measured;
  console.log(
    `status change → merchant receiver, loopback, SQLite file (WAL, synchronous=FULL), ${latencySamples} sequential changes after ${warmup} of warm-up:`,
  );
  console.log(
    `  p50 ${p50.toFixed(2)} ms, p90 ${percentile(measured.sorted, 0.9).toFixed(2)} ms, p99 ${percentile(measured.sorted, 0.99).toFixed(2)} ms, max ${measured.sorted.at(-1)!.toFixed(2)} ms (target p50 ≤ ${latencyTargetMs} ms) ${p50 <= latencyTargetMs ? 'ok' : 'ABOVE TARGET'}`,
  );
  console.log(
    `  medians of its parts: store the change ${median(split.store).toFixed(2)} ms, dispatcher wake-up ${median(split.wake).toFixed(2)} ms, claim ${median(split.claim).toFixed(2)} ms, sign + POST + read ${median(split.send).toFixed(2)} ms`,
  );

  probe.reset();
  const run = await throughput(app, store, receiver);
  const { changes, claims, records } = probe.writes;
  await app.close();
  app = undefined;
  // Every line the receiver wrote is in once it has exited: late duplicates are counted too.
  await receiver.close();
  const ids = new Set(run.sessions.map((session) => session.id));
  const requests = receiver.all.filter(run.ours);
  const webhookIds = new Set(requests.map((request) => request.id));
  const expected = await storedEventIds(store, ids);
  const refused = requests.filter((request) => request.error);
  const problems = [
    requests.length !== throughputChanges &&
      `${requests.length} requests for ${throughputChanges} changes (a loss or a duplicate)`,
    webhookIds.size !== throughputChanges && `${webhookIds.size} distinct webhook-ids`,
    [...webhookIds].some((id) => !expected.has(id)) && 'a webhook-id that is not a stored event',
    expected.size !== throughputChanges && `${expected.size} stored events`,
    refused.length && `${refused.length} requests refused by the receiver: ${refused[0]!.error}`,
    run.pending.length && `deliveries still pending: ${JSON.stringify(run.pending)}`,
  ].filter(Boolean);
  const storeS = (run.stored - run.started) / 1000;
  const deliverS = (run.lastDelivery - run.started) / 1000;
  console.log(
    `outbox throughput, ${changesLabel} changes from ${writers} concurrent writers, one destination:`,
  );
  console.log(`  stored:    ${(throughputChanges / storeS).toFixed(0)} changes/s (${storeS.toFixed(2)} s)`);
  console.log(
    `  delivered: ${(throughputChanges / deliverS).toFixed(0)} events/s (first change → last delivery, ${deliverS.toFixed(2)} s)`,
  );
  console.log(
    `  event loop blocked in SQLite writes meanwhile: ${((changes.ms + claims.ms + records.ms) / 1000).toFixed(2)} s — ${changes.calls} changes ${(changes.ms / 1000).toFixed(2)} s, ${claims.calls} claims ${(claims.ms / 1000).toFixed(2)} s (${(claims.items / Math.max(1, claims.calls)).toFixed(1)} deliveries each), ${records.calls} attempt records ${(records.ms / 1000).toFixed(2)} s`,
  );
  if (problems.length) {
    console.log(`  FAILED: ${problems.join('; ')}`);
    process.exitCode = 1;
  } else {
    console.log(`  ${changesLabel} distinct webhook-ids, one request each, all signatures verified: ok`);
  }
} finally {
  await app?.close();
  await store?.close();
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
}
