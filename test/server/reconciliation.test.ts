import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adminToken, orderSecret, startTestServer, type TestServer } from './app.fixture.js';
import { created, etpayFunnel, statusOf, tpagaWallet } from './flows.fixture.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const cop = { currency: 'COP', amount: 12000 };
const minutes = (n: number) => n * 60_000;

/** A server whose reconciler runs only when the test calls it, on a clock the test moves. */
async function withClock() {
  const clock = { now: Date.now() };
  server = await startTestServer({
    options: { now: () => clock.now, reconciler: { intervalMs: 3_600_000 } },
  });
  return clock;
}

describe('reconciliation', () => {
  it('brings a Tpaga session to paid when the webhook was lost', async () => {
    const clock = await withClock();
    server!.sandboxes.tpaga.setWebhookBehaviour({ mode: 'drop' });
    const session = await created(server!, 'tpaga', cop);
    await tpagaWallet(session, 'approve');
    expect(await server!.app.reconciler!.runOnce()).toBe(0);
    clock.now += minutes(2);
    expect(await server!.app.reconciler!.runOnce()).toBe(1);
    expect(await statusOf(server!, session.id)).toBe('paid');
    expect((await server!.store.listEvents(session.id)).map((e) => e.source)).toEqual(['reconcile']);
  });

  it('brings an ETpay session to paid from check_payment_status when the notification was lost', async () => {
    const clock = await withClock();
    server!.sandboxes.etpay.setWebhookBehaviour({ mode: 'drop' });
    const session = await created(server!, 'etpay');
    await etpayFunnel(session, 'approve');
    clock.now += minutes(2);
    await server!.app.reconciler!.runOnce();
    expect(await statusOf(server!, session.id)).toBe('paid');
  });

  it('expires an abandoned ETpay session after its 30-minute lifetime', async () => {
    const clock = await withClock();
    const session = await created(server!, 'etpay');
    clock.now += minutes(31);
    await server!.app.reconciler!.runOnce();
    expect(await statusOf(server!, session.id)).toBe('expired');
    clock.now += minutes(60);
    expect(await server!.app.reconciler!.runOnce()).toBe(0);
  });

  it('expires a Tpaga link left unpaid', async () => {
    const clock = await withClock();
    const session = await created(server!, 'tpaga', cop);
    server!.sandboxes.tpaga.expire((await server!.store.getSession(session.id))!.providerRef!);
    clock.now += minutes(31);
    await server!.app.reconciler!.runOnce();
    expect(await statusOf(server!, session.id)).toBe('expired');
  });

  it('backs off while the provider is down and leaves the session pending', async () => {
    const clock = await withClock();
    const session = await created(server!, 'tpaga', cop);
    clock.now += minutes(2);
    server!.sandboxes.tpaga.failApi('5xx', 3);
    await server!.app.reconciler!.runOnce();
    const after = (await server!.store.getSession(session.id))!;
    expect(after.status).toBe('pending');
    expect(after.checkAttempts).toBe(1);
    expect(Date.parse(after.nextCheckAt!)).toBeGreaterThan(clock.now + minutes(1));
  });

  it('expires a session whose provider never answers, then looks for a late success (money wins)', async () => {
    const clock = await withClock();
    server!.sandboxes.tpaga.setWebhookBehaviour({ mode: 'drop' });
    const session = await created(server!, 'tpaga', cop);
    await tpagaWallet(session, 'approve'); // paid at Tpaga; Pasarela never heard
    server!.sandboxes.tpaga.failApi('5xx', 10_000);
    const expiresAt = Date.parse((await server!.store.getSession(session.id))!.expiresAt!);

    // Within the grace period after expiry it stays pending and is asked again.
    clock.now = expiresAt + minutes(5);
    await server!.app.reconciler!.runOnce();
    expect(await statusOf(server!, session.id)).toBe('pending');

    // Past it, expired by reconciliation with the reason, though Tpaga never said so.
    clock.now = expiresAt + minutes(11);
    await server!.app.reconciler!.runOnce();
    expect(await statusOf(server!, session.id)).toBe('expired');
    const events = await server!.store.listEvents(session.id);
    expect(events.at(-1)).toMatchObject({
      source: 'reconcile',
      to: 'expired',
      detail: { reason: 'provider_unanswered' },
    });

    // Tpaga answers again; the next late look finds the payment.
    server!.sandboxes.tpaga.resetBehaviours();
    expect(await server!.app.reconciler!.runOnce()).toBe(0);
    clock.now += minutes(61);
    expect(await server!.app.reconciler!.runOnce()).toBe(1);
    expect(await statusOf(server!, session.id)).toBe('paid');
    expect((await server!.store.getSession(session.id))!.nextCheckAt).toBeNull();
  });

  it('stops looking after a few late looks when the provider still does not answer', async () => {
    const clock = await withClock();
    const session = await created(server!, 'tpaga', cop);
    server!.sandboxes.tpaga.failApi('5xx', 100_000);
    const expiresAt = Date.parse((await server!.store.getSession(session.id))!.expiresAt!);
    clock.now = expiresAt + minutes(11);
    await server!.app.reconciler!.runOnce();
    expect(await statusOf(server!, session.id)).toBe('expired');
    let looks = 0;
    for (let hour = 1; hour <= 48; hour++) {
      clock.now = expiresAt + minutes(10) + hour * minutes(60) + 1;
      looks += await server!.app.reconciler!.runOnce();
    }
    expect(looks).toBe(3);
    expect((await server!.store.getSession(session.id))!.nextCheckAt).toBeNull();
    expect(await statusOf(server!, session.id)).toBe('expired');
  });

  it('follows the schedule it is given: first check and the cap on the backoff', async () => {
    const clock = { now: Date.now() };
    server = await startTestServer({
      options: {
        now: () => clock.now,
        reconciler: { intervalMs: 3_600_000, firstCheckDelayMs: 3_000, maxCheckDelayMs: 5_000 },
      },
    });
    server.sandboxes.tpaga.setWebhookBehaviour({ mode: 'drop' });
    const session = await created(server, 'tpaga', cop);
    const first = Date.parse((await server.store.getSession(session.id))!.nextCheckAt!);
    expect(first - clock.now).toBeGreaterThanOrEqual(2_400);
    expect(first - clock.now).toBeLessThanOrEqual(3_600);
    for (let attempt = 0; attempt < 4; attempt++) {
      clock.now += 6_000;
      expect(await server.app.reconciler!.runOnce()).toBe(1);
    }
    const capped = (await server.store.getSession(session.id))!;
    expect(capped.checkAttempts).toBe(4);
    expect(Date.parse(capped.nextCheckAt!) - clock.now).toBeLessThanOrEqual(6_000);
    await tpagaWallet(session, 'approve');
    clock.now += 6_000;
    await server.app.reconciler!.runOnce();
    expect(await statusOf(server, session.id)).toBe('paid');
  });
});

describe('durability', () => {
  it('keeps sessions and their history across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pasarela-restart-'));
    try {
      const storePath = join(dir, 'pasarela.db');
      server = await startTestServer({ storePath });
      const session = await created(server, 'tpaga', cop);
      await tpagaWallet(session, 'approve');
      await server.close();
      server = await startTestServer({ storePath });
      const response = await fetch(`${server.url}/api/sessions/${session.id}`);
      expect(((await response.json()) as { status: string }).status).toBe('paid');
      expect(await server.store.listEvents(session.id)).toHaveLength(1);
    } finally {
      await server?.close();
      server = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('secrets', () => {
  it('never writes a secret to the log or a response', async () => {
    server = await startTestServer({ env: { TPAGA_AUTO_DELIVERY: '1' } });
    const etpay = await created(server, 'etpay');
    const back = await etpayFunnel(etpay, 'approve');
    await fetch(back, { redirect: 'manual' });
    const tpaga = await created(server, 'tpaga', cop);
    await tpagaWallet(tpaga, 'approve');
    await fetch(`${server.url}/webhooks/etpay`, { method: 'POST', body: '{"payment":"a.b.c"}' });
    await server.admin('/sessions');

    const stored = (await server.store.getSession(etpay.id))!;
    const secrets = [
      stored.providerSecret!,
      orderSecret,
      adminToken,
      'sandbox-etpay-token',
      'sandbox-tpaga-password',
      btoa('pasarela-sandbox:sandbox-tpaga-password'),
      back.split('jwt=')[1]!,
    ];
    const responses = [
      await (await fetch(`${server.url}/api/sessions/${etpay.id}`)).text(),
      await (await server.admin(`/sessions/${etpay.id}`)).text(),
      await (await fetch(`${server.url}/api/config`)).text(),
    ];
    expect(server.logs.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      for (const line of server.logs) expect(line).not.toContain(secret);
      for (const body of responses) expect(body).not.toContain(secret);
    }
  });
});
