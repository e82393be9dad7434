// The crash battery (issue 13, "Faults: Crash"): under a steady stream of session creations,
// provider notifications and merchant notifications, a real server process is killed with
// SIGKILL at random moments and started again on the same port and database, twenty times and
// more per store. Afterwards every acknowledged session and notification is stored, each session
// has exactly its transitions, and each transition reached the merchant, signed, at least once.
//
// The providers' sandboxes run here, in the test process, and not in the killed server (as
// PASARELA_SANDBOX=1 would mount them): a provider outlives a crash of its merchant's server, and
// the sandboxes' own state survives only a graceful shutdown, and only beside a SQLite file. So
// both ETpay (a signed JWT posted to /webhooks/etpay) and Tpaga (a hint posted to
// /webhooks/tpaga/<token>, then the server asks the sandbox `/info`) are workable on both stores.
//
// Replay a failure with PASARELA_CRASH_SEED=<the seed it printed>.
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signOrder } from '../../server/orders.js';
import { createSandboxes, type Sandboxes } from '../../server/sandbox/index.js';
import { providerEnv } from './cluster.fixture.js';
import {
  type Counts,
  expectEveryDelivered,
  gate,
  type Provider,
  plans,
  random,
  summary,
  type Tracked,
} from './helpers/crash-load.js';
import { listen } from './helpers/listen.js';
import { freshSchema, skipReason, testDatabaseUrl } from './helpers/postgres.js';
import { type ScriptedReceiver, scriptedReceiver } from './helpers/scripted-receiver.js';
import { freePort, killAll, type ServerProcess, startServerProcess } from './helpers/server-process.js';

const cycles = 20;
const seed = Number(process.env.PASARELA_CRASH_SEED) || randomInt(2 ** 31);
const orderSecret = 'crash-cycles-order-secret-of-32-bytes!!';
const adminToken = 'crash-cycles-admin-token-0123456789';
const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  killAll();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function battery(label: string, databaseUrl: string, storeSeed: number): Promise<Counts> {
  const rand = random(storeSeed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

  let sandboxes: Sandboxes | undefined;
  const sandboxListener = await listen({ fetch: (request, e) => sandboxes!.app.fetch(request, e) });
  sandboxes = createSandboxes({ publicUrl: sandboxListener.url });
  cleanups.push(async () => {
    await sandboxes!.close();
    await sandboxListener.close();
  });
  // The test posts every provider notification itself, so it knows which ones were answered 2xx.
  sandboxes.etpay.setWebhookBehaviour({ mode: 'drop' });
  sandboxes.tpaga.setWebhookBehaviour({ mode: 'drop' });
  const receiver: ScriptedReceiver = await scriptedReceiver();
  cleanups.push(receiver.close);

  const port = await freePort();
  const env = {
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    PASARELA_ORDER_SECRET: orderSecret,
    PASARELA_ADMIN_TOKEN: adminToken,
    PASARELA_WEBHOOK_URL: receiver.url,
    PASARELA_WEBHOOK_SECRET: webhookSecret,
    PASARELA_RATE_LIMIT_CREATE: '0',
    PASARELA_RATE_LIMIT_READ: '0',
    ...providerEnv(sandboxListener.url),
    PASARELA_TEST_NOTIFICATIONS: JSON.stringify({
      retry: { delaysMs: [200], jitter: 0 },
      timeoutMs: 5_000,
      leaseMs: 1_500,
      pollMs: 100,
    }),
    // Reconciliation soon and often, so its queries race the provider's notifications too.
    PASARELA_TEST_RECONCILER: JSON.stringify({
      intervalMs: 500,
      firstCheckDelayMs: 2_000,
      maxCheckDelayMs: 10_000,
      leaseMs: 2_000,
    }),
  };

  const server = gate();
  const tracked: Tracked[] = [];
  const counts: Counts = {
    cycles: 0,
    created: 0,
    acknowledged: 0,
    transitions: 0,
    received: 0,
    duplicates: 0,
    inFlightAtKills: 0,
    serverErrors: 0,
    unacknowledgedStored: 0,
    hintsStoredLater: 0,
    hintsAnsweredEarly: 0,
  };
  let inFlight = 0;
  let orders = 0;

  /** A request to whichever server is up; `undefined` when it died under the request. */
  const send = async (path: string, init: RequestInit = {}): Promise<Response | undefined> => {
    await server.wait();
    const url = server.url;
    if (!url) return undefined;
    inFlight++;
    try {
      const response = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
      // The body is part of the answer: a server killed mid-body has not answered.
      const text = await response.text();
      return new Response(text, { status: response.status });
    } catch {
      return undefined;
    } finally {
      inFlight--;
    }
  };
  /** A valid request refused (4xx) is a defect; a 5xx is counted, and the request is not acknowledged. */
  const refused = (response: Response, what: string) => {
    if (response.status >= 500) counts.serverErrors++;
    else if (response.status >= 400) throw new Error(`${what} was answered ${response.status}`);
  };
  const admin = async <T>(path: string): Promise<T | undefined> => {
    const response = await send(`/api/admin${path}`, { headers: { Authorization: `Bearer ${adminToken}` } });
    return response?.ok ? ((await response.json()) as T) : undefined;
  };

  const create = async () => {
    const provider = pick<Provider>(['etpay', 'tpaga']);
    const order = await signOrder(
      {
        order_id: `CC-${label}-${++orders}`,
        amount: provider === 'etpay' ? 15_000 : 25_000,
        currency: provider === 'etpay' ? 'CLP' : 'COP',
      },
      orderSecret,
    );
    const plan = pick(plans[provider]);
    const response = await send('/api/sessions', {
      method: 'POST',
      body: JSON.stringify({ provider, order }),
    });
    if (response) refused(response, `creating a ${provider} session`);
    if (response?.status !== 201) return;
    const { id } = (await response.json()) as { id: string };
    counts.created++;
    tracked.push({
      id,
      provider,
      steps: plan.map(([word, status]) => ({ word, status, made: false })),
      next: 0,
      busy: false,
    });
  };

  /** The provider's next notification for one session: decided once, posted until answered 2xx. */
  const advance = async (session: Tracked) => {
    session.busy = true;
    try {
      if (!session.token) {
        const detail = await admin<{ session: { providerRef: string | null } }>(`/sessions/${session.id}`);
        if (!detail?.session.providerRef) return;
        session.token = detail.session.providerRef;
      }
      const step = session.steps[session.next]!;
      if (!step.made) {
        if (session.provider === 'etpay') {
          step.jwt = (await sandboxes!.etpay.attempt(session.token, step.word)).jwt;
        } else if (step.word === 'pay') {
          await sandboxes!.tpaga.pay(session.token);
        } else {
          await sandboxes!.tpaga.fail(session.token);
        }
        step.made = true;
      }
      const response =
        session.provider === 'etpay'
          ? await send('/webhooks/etpay', {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ payment: step.jwt }),
            })
          : await send(`/webhooks/tpaga/${session.token}`, { method: 'POST' });
      if (!response) return;
      refused(response, `the ${session.provider} webhook for ${session.id}`);
      // A 5xx is an answer the provider retries, as it retries a dead connection.
      if (!response.ok) return;
      counts.acknowledged++;
      session.next++;
      // Stored before its 200? Strictly for a verified ETpay JWT; a Tpaga hint may be answered
      // before its query (see below), which is counted.
      const read = await send(`/api/sessions/${session.id}`);
      const status = read?.ok ? ((await read.json()) as { status: string }).status : undefined;
      step.acknowledgedAt = new Date().toISOString();
      step.readAfter = status ?? 'no answer (killed)';
      if (status !== undefined && status !== step.status) {
        if (session.provider === 'tpaga') counts.hintsAnsweredEarly++;
        else
          throw new Error(
            `ETpay's ${step.word} for ${session.id} was answered 2xx, the session is ${status}`,
          );
      }
    } finally {
      session.busy = false;
    }
  };

  const unfinished = () => tracked.filter((s) => s.next < s.steps.length);
  let creating = true;
  /** Creations sent and not yet answered: each may still add a session whose steps must be made. */
  let creations = 0;
  let running = true;
  let failure: unknown;
  const worker = async () => {
    while (running) {
      const ready = unfinished().filter((s) => !s.busy);
      if (creating && (ready.length === 0 || rand() < 0.4)) {
        creations++;
        await create().finally(() => creations--);
      } else if (ready.length) await advance(pick(ready));
      // A short pause between load requests; the loop ends with the run.
      await new Promise((resolve) => setTimeout(resolve, 5 + rand() * 20));
    }
  };
  const workers = Array.from({ length: 4 }, () =>
    worker().catch((error: unknown) => {
      failure ??= error;
      running = false;
    }),
  );

  const start = async () => {
    const started: ServerProcess = await startServerProcess(env);
    server.open(started.url);
    return started;
  };
  try {
    for (let cycle = 0; cycle < cycles && running; cycle++) {
      const current = await start();
      await new Promise((resolve) => setTimeout(resolve, 150 + rand() * 1_200));
      counts.inFlightAtKills += inFlight;
      server.close();
      await current.crash();
      counts.cycles++;
    }

    // The last start: no more new sessions; the provider retries what it saw fail until answered.
    creating = false;
    const last = await start();
    cleanups.push(last.stop);
    const deadline = Date.now() + 60_000;
    // A creation sent before `creating` turned false may still be answered: its session is
    // followed like the others (a run once ended with one whose step was never made).
    while (running && (creations > 0 || unfinished().length)) {
      if (Date.now() > deadline)
        throw new Error(`${unfinished().length} sessions never got their webhooks answered`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    running = false;
    if (!server.url) server.open();
    await Promise.all(workers);
  }
  if (failure) throw failure;
  // What follows checks each session against all its steps: every one must have been answered.
  expect(
    unfinished().map((s) => s.id),
    'sessions with a provider step never answered',
  ).toEqual([]);

  // Every session stored, acknowledged or not (a 201 lost with the process may still be stored).
  const stored = new Set<string>();
  for (let before: string | undefined; ; ) {
    const page = await admin<{ sessions: { id: string }[] }>(
      `/sessions?limit=500${before ? `&before=${before}` : ''}`,
    );
    if (!page) throw new Error('the admin API did not list the sessions');
    for (const s of page.sessions) stored.add(s.id);
    if (page.sessions.length < 500) break;
    before = page.sessions.at(-1)!.id;
  }
  for (const session of tracked) expect(stored.has(session.id), `${session.id} (a 201) is stored`).toBe(true);
  counts.unacknowledgedStored = stored.size - tracked.length;

  interface Detail {
    session: { status: string };
    events: { from: string; to: string }[];
    notifications: { id: string; type: string; sessionId: string }[];
  }
  const byId = new Map(tracked.map((s) => [s.id, s]));
  const notifications = new Map<string, { type: string; sessionId: string }>();
  // An ETpay JWT is applied before its 200. A Tpaga webhook is a hint: within the hint gap of the
  // session's last query (a reconciliation, say) it is answered at once and the query follows
  // the gap, with the session's next check stored first, so a crash does not lose it. Those
  // sessions get a bounded wait; anything else must already be exact.
  let waiting = [...stored];
  const settleBy = Date.now() + 45_000;
  while (waiting.length) {
    const again: string[] = [];
    for (const id of waiting) {
      const detail = await admin<Detail>(`/sessions/${id}`);
      if (!detail) throw new Error(`the admin API did not answer for ${id}`);
      const session = byId.get(id);
      // Sessions whose 201 was lost were never notified: they stay pending.
      const expected = session?.steps.map((step) => step.status) ?? [];
      const transitions = detail.events.filter((e) => e.from !== e.to).map((e) => e.to);
      const behind =
        session?.provider === 'tpaga' &&
        transitions.length < expected.length &&
        transitions.every((status, i) => status === expected[i]);
      if (behind && Date.now() < settleBy) {
        again.push(id);
        continue;
      }
      expect(
        transitions,
        `the transitions of ${session?.provider ?? 'unacknowledged'} session ${id}; ` +
          `steps ${JSON.stringify(session?.steps.map(({ jwt: _, ...step }) => step))}; ` +
          `stored ${JSON.stringify(detail)}`,
      ).toEqual(expected);
      expect(
        detail.notifications.map((n) => n.type),
        `the notification events of ${id}`,
      ).toEqual(transitions.map((status) => `session.${status}`));
      counts.transitions += transitions.length;
      for (const n of detail.notifications) notifications.set(n.id, n);
    }
    if (waiting.length === stored.size) counts.hintsStoredLater = again.length;
    waiting = again;
    if (waiting.length) await new Promise((resolve) => setTimeout(resolve, 250));
  }

  // Each one delivered, signed, at least once.
  await expectEveryDelivered(receiver, notifications, webhookSecret);
  counts.received = receiver.requests.length;
  counts.duplicates = counts.received - new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size;
  return counts;
}

async function run(label: string, databaseUrl: string, storeSeed: number) {
  const started = Date.now();
  let counts: Counts;
  try {
    counts = await battery(label, databaseUrl, storeSeed);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${label} crash battery failed (replay with PASARELA_CRASH_SEED=${seed}): ${message}`, {
      cause: error,
    });
  }
  console.log(summary(label, seed, counts, Date.now() - started));
  expect(counts.cycles).toBeGreaterThanOrEqual(cycles);
}

describe('kill -9 and restart under load', () => {
  it('loses nothing acknowledged on SQLite, doubles no transition, announces every one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pasarela-crash-cycles-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    await run('sqlite', `sqlite:${join(dir, 'pasarela.db')}`, seed);
  }, 240_000);

  if (!testDatabaseUrl) {
    it.skip(skipReason, () => undefined);
  } else {
    it('loses nothing acknowledged on PostgreSQL, doubles no transition, announces every one', async () => {
      const schema = await freshSchema();
      cleanups.push(schema.drop);
      await run('postgres', schema.url, seed + 1);
    }, 240_000);
  }
});
