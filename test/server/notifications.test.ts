// Merchant notifications end to end on real listeners: the sandboxes pay, the server stores the
// change with its outbox rows, the dispatcher signs and delivers to a receiver on 127.0.0.1 that
// misbehaves as real endpoints do. Short test delays; the production schedule is in retry.test.ts.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { type PasarelaOptions, verifyWebhook } from '../../server/index.js';
import { startTestServer, type TestServer } from './app.fixture.js';
import { created, tpagaWallet } from './flows.fixture.js';
import { eventually } from './helpers/eventually.js';
import { type ScriptedReceiver, scriptedReceiver } from './helpers/scripted-receiver.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const cop = { currency: 'COP', amount: 12000 };
/** Retries within a test's time: 100 ms, then 200 ms, for as long as a test runs. */
const quick = {
  retry: { delaysMs: [100, 200], jitter: 0 },
  timeoutMs: 1_500,
  pollMs: 50,
};

let server: TestServer | undefined;
const receivers: ScriptedReceiver[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function endpoint(): Promise<ScriptedReceiver> {
  const receiver = await scriptedReceiver();
  receivers.push(receiver);
  return receiver;
}

function start(urls: string[], options: Partial<PasarelaOptions> = {}) {
  return startTestServer({
    env: { PASARELA_WEBHOOK_URL: urls.join(','), PASARELA_WEBHOOK_SECRET: secret },
    options: { notifications: quick, ...options },
  });
}

async function paidTpaga(on: TestServer) {
  const session = await created(on, 'tpaga', cop);
  await tpagaWallet(session, 'approve');
  return session;
}

const typeOf = (body: string) => (JSON.parse(body) as { type: string }).type;

describe('signed webhooks to the merchant', () => {
  it('send the Standard Webhooks v1 format, verified by the reference library and by verifyWebhook', async () => {
    const receiver = await endpoint();
    server = await start([receiver.url]);
    const session = await paidTpaga(server);
    const [request] = await receiver.waitFor(1);
    const current = await (await fetch(`${server.url}/api/sessions/${session.id}`)).json();
    const expected = { type: 'session.paid', timestamp: current.updatedAt, data: current };

    expect(new Webhook(secret).verify(request!.body, request!.headers)).toEqual(expected);
    const verified = await verifyWebhook(request!.body, request!.headers, secret);
    expect(verified.payload).toEqual(expected);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['webhook-id']).toMatch(/^evt_[A-Za-z0-9]{22}$/);
    expect(verified.id).toBe(request!.headers['webhook-id']);
    expect(Math.abs(Number(request!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('retry through a 500, a timeout, a dropped connection, a refused one and a redirect: same id, never again after a 2xx', async () => {
    const receiver = await endpoint();
    receiver.script = [
      { status: 500 },
      { hang: true },
      { drop: true },
      { status: 301, headers: { location: 'https://elsewhere.example/hook' } },
    ];
    // A long wait after the redirect, while the endpoint goes away.
    server = await start([receiver.url], {
      notifications: { ...quick, retry: { delaysMs: [100, 200, 200, 1_000, 200], jitter: 0 } },
    });
    const session = await paidTpaga(server);
    await receiver.waitFor(4);
    // The endpoint goes away: the next attempt is refused; back a moment later, it answers 200.
    await receiver.stop();
    const id = receiver.requests[0]!.headers['webhook-id']!;
    const refused = await eventually(async () => {
      const { event } = await (await server!.admin(`/events/${id}`)).json();
      const attempts = event.deliveries[0].attempts as { error: string | null }[];
      return attempts.length >= 5 && attempts;
    }, 'the refused attempt');
    expect(refused[4]!.error).toMatch(/refused/);
    await receiver.start();
    const all = await receiver.waitFor(5);

    expect(all.map((r) => r.headers['webhook-id'])).toEqual(Array(5).fill(id));
    expect(all.map((r) => r.body)).toEqual(Array(5).fill(all[0]!.body));
    const { event } = await (await server.admin(`/events/${id}`)).json();
    expect(event).toMatchObject({ sessionId: session.id, type: 'session.paid' });
    const delivery = event.deliveries[0];
    expect(delivery).toMatchObject({ destination: receiver.url, state: 'delivered', nextAttemptAt: null });
    const attempts = delivery.attempts as {
      httpStatus: number | null;
      error: string | null;
      response: string;
    }[];
    expect(attempts.slice(0, 4).map((a) => a.httpStatus)).toEqual([500, null, null, 301]);
    expect(attempts[1]!.error).toMatch(/no answer in time/);
    expect(attempts[2]!.error).toMatch(/closed|reset/);
    expect(attempts[3]!.error).toMatch(/redirect.*not followed/);
    // Refused while the endpoint was away (once, or more on a slow machine), then delivered.
    for (const refusal of attempts.slice(4, -1)) expect(refusal.error).toMatch(/refused/);
    expect(attempts.at(-1)).toMatchObject({ httpStatus: 200, error: null, response: 'ok' });
    expect(delivery.attemptCount).toBe(attempts.length);

    // Delivered: nothing more is sent, however long we look.
    await server.app.dispatcher.stop();
    expect(receiver.requests).toHaveLength(5);
  });

  it("deliver one session's events in order, even when the first needs retries", async () => {
    const receiver = await endpoint();
    receiver.script = [{ status: 503 }, { status: 503 }];
    server = await start([receiver.url]);
    const session = await paidTpaga(server);
    const refund = await server.admin(`/sessions/${session.id}/refund`, { method: 'POST' });
    expect(refund.status).toBe(200);
    const all = await receiver.waitFor(4);
    expect(all.map((r) => typeOf(r.body))).toEqual([
      'session.paid',
      'session.paid',
      'session.paid',
      'session.refunded',
    ]);
  });

  it('a dead endpoint holds up neither another endpoint nor another session', async () => {
    const dead = await endpoint();
    dead.fallback = { hang: true };
    const healthy = await endpoint();
    server = await start([dead.url, healthy.url], {
      notifications: { ...quick, timeoutMs: 20_000, shutdownGraceMs: 100 },
    });
    const sessions = [await paidTpaga(server), await paidTpaga(server), await paidTpaga(server)];
    const received = await healthy.waitFor(3);
    expect(received.map((r) => JSON.parse(r.body).data.id).sort()).toEqual(sessions.map((s) => s.id).sort());
    // Every session's event is in flight at the dead endpoint at once: none waits for another.
    const hanging = await dead.waitFor(3);
    expect(new Set(hanging.map((r) => JSON.parse(r.body).data.id)).size).toBe(3);
  });

  it('mark a delivery failed after its last try, and a redelivery sends the same event again', async () => {
    const receiver = await endpoint();
    receiver.fallback = { status: 410 };
    server = await start([receiver.url], {
      notifications: { ...quick, retry: { delaysMs: [50], jitter: 0, retryForMs: 300 } },
    });
    await paidTpaga(server);
    const [first] = await receiver.waitFor(1);
    const id = first!.headers['webhook-id']!;
    const failed = await eventually(async () => {
      const { event } = await (await server!.admin(`/events/${id}`)).json();
      return event.deliveries[0].state === 'failed' && event.deliveries[0];
    }, 'the delivery to fail');
    expect(failed.attempts.length).toBeGreaterThanOrEqual(2);
    expect(failed).toMatchObject({ lastError: 'answered 410', nextAttemptAt: null });

    receiver.fallback = { status: 200 };
    const count = receiver.requests.length;
    const redeliver = await server.admin(`/events/${id}/redeliver`, { method: 'POST' });
    expect(redeliver.status).toBe(202);
    const again = (await receiver.waitFor(count + 1))[count]!;
    expect(again.headers['webhook-id']).toBe(id);
    expect(again.body).toBe(first!.body);
    await eventually(async () => {
      const { event } = await (await server!.admin(`/events/${id}`)).json();
      return event.deliveries[0].state === 'delivered';
    }, 'the redelivery');
  });

  it('keep attempts in flight through a shutdown and deliver them first after a restart', async () => {
    const receiver = await endpoint();
    receiver.script = [{ hang: true }];
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'pasarela-notify-'));
    try {
      const storePath = join(dir, 'pasarela.db');
      const setup = {
        env: { PASARELA_WEBHOOK_URL: receiver.url, PASARELA_WEBHOOK_SECRET: secret },
        storePath,
      };
      server = await startTestServer({
        ...setup,
        options: { notifications: { ...quick, timeoutMs: 30_000, shutdownGraceMs: 100 } },
      });
      await paidTpaga(server);
      const [hung] = await receiver.waitFor(1);
      await server.close();
      server = await startTestServer({ ...setup, options: { notifications: quick } });
      const [, again] = await receiver.waitFor(2);
      expect(again!.headers['webhook-id']).toBe(hung!.headers['webhook-id']);
      const { event } = await (await server.admin(`/events/${hung!.headers['webhook-id']}`)).json();
      expect(event.deliveries[0].attempts.map((a: { error: string | null }) => a.error)).toEqual([
        'interrupted by shutdown',
        null,
      ]);
    } finally {
      await server?.close();
      server = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
