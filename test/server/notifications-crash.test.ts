// kill -9 a real server process around a merchant notification, start it again on the same
// database: what was stored is announced all the same, at least once, with the same webhook-id.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../server/index.js';
import { signOrder } from '../../server/orders.js';
import { type ScriptedReceiver, scriptedReceiver } from './helpers/scripted-receiver.js';
import { freePort, killAll, type ServerProcess, startServerProcess } from './helpers/server-process.js';

const orderSecret = 'crash-test-order-secret-at-least-32-bytes';
const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;

let receiver: ScriptedReceiver | undefined;
const dirs: string[] = [];
afterEach(async () => {
  killAll();
  await receiver?.close();
  receiver = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The same server each time: one port, one SQLite file, quick retries and a short claim lease. */
async function environment(hookUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), 'pasarela-crash-'));
  dirs.push(dir);
  const port = await freePort();
  const env = {
    PASARELA_SANDBOX: '1',
    PORT: String(port),
    DATABASE_URL: `sqlite:${join(dir, 'pasarela.db')}`,
    PASARELA_ORDER_SECRET: orderSecret,
    PASARELA_WEBHOOK_URL: hookUrl,
    PASARELA_WEBHOOK_SECRET: webhookSecret,
    PASARELA_TEST_NOTIFICATIONS: JSON.stringify({
      retry: { delaysMs: [200], jitter: 0 },
      timeoutMs: 20_000,
      leaseMs: 1_500,
      pollMs: 100,
    }),
  };
  return { env, start: () => startServerProcess(env) };
}

/** A Tpaga session paid on the sandbox's wallet page; resolves once the server stored it. */
async function pay(server: ServerProcess, orderId: string): Promise<string> {
  const order = await signOrder({ order_id: orderId, amount: 25_000, currency: 'COP' }, orderSecret);
  const created = await fetch(`${server.url}/api/sessions`, {
    method: 'POST',
    body: JSON.stringify({ provider: 'tpaga', order }),
  });
  expect(created.status).toBe(201);
  const session = (await created.json()) as { id: string; action: { url: string } };
  // The sandbox posts its webhook before answering; the server answers it once the change and its
  // outbox rows are committed.
  const wallet = await fetch(session.action.url, {
    method: 'POST',
    body: new URLSearchParams({ action: 'approve' }),
    redirect: 'manual',
  });
  expect(wallet.status).toBe(303);
  const status = await (await fetch(`${server.url}/api/sessions/${session.id}`)).json();
  expect(status.status).toBe('paid');
  return session.id;
}

describe('notifications across kill -9', () => {
  it('a change stored while the endpoint is down is announced after a crash and restart', async () => {
    receiver = await scriptedReceiver();
    await receiver.stop(); // down: connections refused
    const { start } = await environment(receiver.url);
    const first = await start();
    const sessionId = await pay(first, 'CRASH-1');
    await first.crash();

    await receiver.start();
    const second = await start();
    const [request] = await receiver.waitFor(1);
    const verified = await verifyWebhook<{ type: string; data: { id: string } }>(
      request!.body,
      request!.headers,
      webhookSecret,
    );
    expect(verified.payload).toMatchObject({ type: 'session.paid', data: { id: sessionId, status: 'paid' } });
    await second.stop();
  });

  it('a crash in the middle of a delivery means a redelivery with the same webhook-id', async () => {
    receiver = await scriptedReceiver();
    receiver.script = [{ hang: true }];
    const { start } = await environment(receiver.url);
    const first = await start();
    const sessionId = await pay(first, 'CRASH-2');
    const [inFlight] = await receiver.waitFor(1);
    await first.crash();

    const second = await start();
    const [, again] = await receiver.waitFor(2);
    expect(again!.headers['webhook-id']).toBe(inFlight!.headers['webhook-id']);
    expect(again!.body).toBe(inFlight!.body);
    expect(JSON.parse(again!.body).data.id).toBe(sessionId);
    await second.stop();
  });
});
