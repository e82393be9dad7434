// Two and three real server processes (server/serve.ts, as `npm run serve` starts it) on one
// PostgreSQL database, talking to one pair of sandboxes: shared work is done once, nothing
// acknowledged is lost when one of them is killed.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { signOrder } from '../../server/orders.js';
import { sandboxCredentials } from '../../server/providers/index.js';
import { createSandboxes, type Sandboxes } from '../../server/sandbox/index.js';
import { providerEnv } from './cluster.fixture.js';
import { eventually } from './helpers/eventually.js';
import { type Listener, listen } from './helpers/listen.js';
import { freshSchema, skipReason, testDatabaseUrl } from './helpers/postgres.js';
import { type ScriptedReceiver, scriptedReceiver } from './helpers/scripted-receiver.js';
import { freePort, killAll, type ServerProcess, startServerProcess } from './helpers/server-process.js';

const orderSecret = 'scale-out-order-secret-of-at-least-32-bytes';
const adminToken = 'scale-out-admin-token-0123456789';
const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;

interface Setup {
  servers: ServerProcess[];
  sandboxes: Sandboxes;
  receiver: ScriptedReceiver;
  /** Tpaga `/info` calls the sandbox answered, per payment-request token. */
  infoCalls: Map<string, number>;
  env: (port: number) => Record<string, string>;
  order(claims?: Record<string, unknown>): Promise<string>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  killAll();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  count: number,
  timings: { notifications?: object; reconciler?: object } = {},
): Promise<Setup> {
  const schema = await freshSchema();
  cleanups.push(schema.drop);
  const infoCalls = new Map<string, number>();
  let sandboxes: Sandboxes | undefined;
  const sandboxListener: Listener = await listen({
    fetch: (request, e) => {
      const info = /\/payment_requests\/(pr-[0-9a-f]+)\/info$/.exec(new URL(request.url).pathname);
      if (info) infoCalls.set(info[1]!, (infoCalls.get(info[1]!) ?? 0) + 1);
      return sandboxes!.app.fetch(request, e);
    },
  });
  sandboxes = createSandboxes({ publicUrl: sandboxListener.url });
  cleanups.push(async () => {
    await sandboxes!.close();
    await sandboxListener.close();
  });
  const receiver = await scriptedReceiver();
  cleanups.push(receiver.close);

  const ports = await Promise.all(Array.from({ length: count }, freePort));
  const env = (port: number) => ({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: schema.url,
    PASARELA_ORDER_SECRET: orderSecret,
    PASARELA_ADMIN_TOKEN: adminToken,
    PASARELA_WEBHOOK_URL: receiver.url,
    PASARELA_WEBHOOK_SECRET: webhookSecret,
    ...providerEnv(sandboxListener.url),
    PASARELA_TEST_NOTIFICATIONS: JSON.stringify(
      timings.notifications ?? { retry: { delaysMs: [200], jitter: 0 }, leaseMs: 2_000, pollMs: 100 },
    ),
    ...(timings.reconciler && { PASARELA_TEST_RECONCILER: JSON.stringify(timings.reconciler) }),
  });
  // Started together: one migrates the new schema, the others wait on its lock.
  const servers = await Promise.all(ports.map((port) => startServerProcess(env(port))));
  sandboxes.tpaga.setWebhookBase(sandboxCredentials.tpaga.username, `${servers[0]!.url}/webhooks/tpaga`);
  let orders = 0;
  return {
    servers,
    sandboxes,
    receiver,
    infoCalls,
    env,
    order: (claims = {}) =>
      signOrder(
        { order_id: `SO-${++orders}`, amount: 21_000, currency: 'COP', ...claims } as never,
        orderSecret,
      ),
  };
}

async function create(server: ServerProcess, provider: 'tpaga' | 'etpay', order: string) {
  const response = await fetch(`${server.url}/api/sessions`, {
    method: 'POST',
    body: JSON.stringify({ provider, order }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; action: { url: string } };
}

const admin = (server: ServerProcess, path: string) =>
  fetch(`${server.url}/api/admin${path}`, { headers: { Authorization: `Bearer ${adminToken}` } }).then((r) =>
    r.json(),
  );

if (!testDatabaseUrl) {
  describe('server processes on one PostgreSQL', () => {
    it.skip(skipReason, () => undefined);
  });
} else {
  describe('server processes on one PostgreSQL', () => {
    it('serve the same sessions, and a webhook received by one reaches an event stream on another', async () => {
      const { servers, order } = await setup(2);
      const [a, b] = servers;
      const session = await create(a!, 'tpaga', await order());
      const fromA = await (await fetch(`${a!.url}/api/sessions/${session.id}`)).json();
      expect(await (await fetch(`${b!.url}/api/sessions/${session.id}`)).json()).toEqual(fromA);

      const stream = await fetch(`${b!.url}/api/sessions/${session.id}/events`);
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!text.includes('event: status')) text += (await reader.read()).value ?? '';
      // Tpaga notifies A, which asks Tpaga and stores the payment; B's stream hears of it.
      const paid = Date.now();
      await fetch(session.action.url, {
        method: 'POST',
        body: new URLSearchParams({ action: 'approve' }),
        redirect: 'manual',
      });
      while (!text.includes('"status":"paid"')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      expect(text).toContain('"status":"paid"');
      console.log(`webhook on A → SSE on B: ${Date.now() - paid} ms`);
      await reader.cancel();
    });

    it('make one transition and one merchant notification of the same notification sent to all at once', async () => {
      const { servers, sandboxes, receiver, order } = await setup(3);
      const session = await create(servers[0]!, 'etpay', await order({ currency: 'CLP' }));
      const token = (await admin(servers[0]!, `/sessions/${session.id}`)).session.providerRef as string;
      sandboxes.etpay.setSessionWebhookBehaviour(token, { mode: 'drop' });
      const { jwt } = await sandboxes.etpay.attempt(token, 'success');
      const answers = await Promise.all(
        [...servers, ...servers].map((server) =>
          fetch(`${server.url}/webhooks/etpay`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ payment: jwt }),
          }).then((r) => r.status),
        ),
      );
      expect(answers).toEqual(Array(6).fill(200));
      const detail = await admin(servers[1]!, `/sessions/${session.id}`);
      expect(detail.session.status).toBe('paid');
      expect(
        detail.events.filter((e: { to: string; from: string }) => e.to === 'paid' && e.from !== 'paid'),
      ).toHaveLength(1);
      expect(detail.notifications.map((n: { type: string }) => n.type)).toEqual(['session.paid']);
      await receiver.waitFor(1);
      // However long the three keep going, one event reaches the merchant (at least once: here once).
      await eventually(
        async () =>
          (await admin(servers[2]!, `/events/${detail.notifications[0].id}`)).event.deliveries[0].state ===
          'delivered',
        'the delivery',
      );
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    });

    it('query each pending session once per reconciliation round across three instances', async () => {
      const { servers, sandboxes, infoCalls, order } = await setup(3, {
        // Every instance looks every 100 ms; a new session is first due after 1 s, the next time
        // not before 1.6 s after that (2 s, less jitter).
        reconciler: { intervalMs: 100, firstCheckDelayMs: 1_000, maxCheckDelayMs: 60_000 },
      });
      sandboxes.tpaga.setWebhookBehaviour({ mode: 'drop' });
      const tokens: string[] = [];
      for (let i = 0; i < 12; i++) {
        const session = await create(servers[i % 3]!, 'tpaga', await order());
        tokens.push((await admin(servers[0]!, `/sessions/${session.id}`)).session.providerRef);
      }
      await eventually(
        () => tokens.every((t) => (infoCalls.get(t) ?? 0) >= 1),
        'every session to be queried',
      );
      expect(tokens.map((t) => infoCalls.get(t))).toEqual(Array(12).fill(1));
    });

    it('lose nothing acknowledged when one instance is killed mid-run; the others take its claimed work over', async () => {
      const { servers, sandboxes, receiver, order, env } = await setup(2, {
        notifications: {
          retry: { delaysMs: [200], jitter: 0 },
          leaseMs: 1_500,
          pollMs: 100,
          timeoutMs: 30_000,
        },
        reconciler: { intervalMs: 100, firstCheckDelayMs: 300, maxCheckDelayMs: 60_000, leaseMs: 1_500 },
      });
      // The merchant's endpoint hangs: each instance holds the deliveries it claimed when A dies.
      receiver.fallback = { hang: true };
      const [a, b] = servers;
      const acknowledged: { id: string; paid: boolean }[] = [];
      // Webhooks dropped for some: those are left to reconciliation, which A may hold when it dies.
      for (let i = 0; i < 10; i++) {
        const target = i % 2 ? b! : a!;
        const session = await create(target, 'tpaga', await order());
        const token = (await admin(target, `/sessions/${session.id}`)).session.providerRef as string;
        if (i % 3 === 0) sandboxes.tpaga.setSessionWebhookBehaviour(token, { mode: 'drop' });
        const wallet = await fetch(session.action.url, {
          method: 'POST',
          body: new URLSearchParams({ action: 'approve' }),
          redirect: 'manual',
        });
        acknowledged.push({ id: session.id, paid: wallet.status === 303 });
      }
      await receiver.waitFor(2);
      await a!.crash();
      // The endpoint recovers (its hung connections drop): B retries its own deliveries at once,
      // and A's after their lease.
      receiver.fallback = { status: 200 };
      await receiver.stop();
      await receiver.start();
      // B alone, after the leases: every session paid, every payment announced.
      for (const { id } of acknowledged) {
        await eventually(
          async () => (await (await fetch(`${b!.url}/api/sessions/${id}`)).json()).status === 'paid',
          `${id} to be paid`,
        );
      }
      await eventually(
        () => new Set(receiver.requests.map((r) => JSON.parse(r.body).data.id)).size === acknowledged.length,
        'every payment to reach the merchant',
      );
      expect(new Set(receiver.requests.map((r) => JSON.parse(r.body).data.id))).toEqual(
        new Set(acknowledged.map((s) => s.id)),
      );
      // A comes back and finds nothing left to do twice: no new event for what B finished.
      const again = await startServerProcess(env(Number(new URL(a!.url).port)));
      const events = await admin(again, '/events?limit=500');
      expect(events.events.filter((e: { type: string }) => e.type === 'session.paid')).toHaveLength(
        acknowledged.length,
      );
      await again.stop();
    });
  });
}
