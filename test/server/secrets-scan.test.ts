// No secret leaves the server (issue 13, "Secrets"): both providers' flows, the admin API, the
// merchant notifications and a round of attacks, then every answer this test received (status,
// headers, body), every log line, every merchant notification (headers and body) and the widget
// (its sources, and its bundle when built) are scanned for every credential the server holds. The server's own calls to the
// sandboxes are not scanned: ETpay's initialize answer carries the signature_token by design.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { builtInSettings } from '../../server/providers/index.js';
import { adminToken, orderSecret, startTestServer, type TestServer } from './app.fixture.js';
import { webhookSecret } from './config.fixture.js';
import { type ScriptedReceiver, scriptedReceiver } from './helpers/scripted-receiver.js';

let server: TestServer | undefined;
let receiver: ScriptedReceiver | undefined;
afterEach(async () => {
  await server?.close();
  await receiver?.close();
  server = receiver = undefined;
});

/** Everything this test was answered, as text: status line, headers, body. */
const answers: string[] = [];

async function call(url: string, init: RequestInit = {}): Promise<{ response: Response; text: string }> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  const text = await response.text();
  answers.push(
    `${response.status} ${url}\n${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}`,
  );
  return { response, text };
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('secrets', () => {
  it('never appear in an answer, a log line, a merchant notification or the widget script', async () => {
    receiver = await scriptedReceiver();
    server = await startTestServer({
      env: { PASARELA_WEBHOOK_URL: receiver.url, PASARELA_WEBHOOK_SECRET: webhookSecret },
    });
    const base = server.url;
    const admin = (path: string, init: RequestInit = {}) =>
      call(`${base}/api/admin${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${adminToken}`, ...(init.headers ?? {}) },
      });
    const create = async (provider: 'etpay' | 'tpaga', orderId: string) => {
      const order = await server!.order({
        order_id: orderId,
        currency: provider === 'etpay' ? 'CLP' : 'COP',
      });
      const { response, text } = await call(`${base}/api/sessions`, json({ provider, order }));
      expect(response.status).toBe(201);
      return JSON.parse(text) as { id: string; action: { url: string } };
    };

    // ETpay: the funnel, the notification, the buyer's return with its ?jwt=.
    const etpay = await create('etpay', 'SEC-1');
    await call(`${etpay.action.url}/bank`, {
      method: 'POST',
      body: new URLSearchParams({ bank_code: 'cl_bch' }),
    });
    const decision = await call(`${etpay.action.url}/decision`, {
      method: 'POST',
      body: new URLSearchParams({ action: 'approve', user_rut: '11111111-1' }),
    });
    expect(decision.response.status).toBe(303);
    await call(decision.response.headers.get('location')!);
    // Tpaga: the wallet page, the webhook hint.
    const tpaga = await create('tpaga', 'SEC-2');
    await call(tpaga.action.url);
    const paid = await call(tpaga.action.url, {
      method: 'POST',
      body: new URLSearchParams({ action: 'approve' }),
    });
    expect(paid.response.status).toBe(303);
    const rejected = await create('etpay', 'SEC-3');
    const etpayStored = (await server.store.getSession(etpay.id))!;
    const otherStored = (await server.store.getSession(rejected.id))!;
    const tpagaStored = (await server.store.getSession(tpaga.id))!;
    expect(etpayStored.status).toBe('paid');
    expect(tpagaStored.status).toBe('paid');

    // Attacks.
    const claims = {
      session_token: etpayStored.providerRef,
      merchant_order_id: 'SEC-1',
      payment_token: 'p'.repeat(64),
      payment_status: 'success',
    };
    const signed = (key: string, alg = 'HS256', extra = {}) =>
      new SignJWT({ ...claims, ...extra }).setProtectedHeader({ alg }).sign(new TextEncoder().encode(key));
    for (const payment of [
      await signed('a-wrong-key-of-some-length-000000'),
      await signed(otherStored.providerSecret!),
      await signed(etpayStored.providerSecret!, 'HS512'),
      await signed(etpayStored.providerSecret!, 'HS256', { merchant_order_id: 'SEC-9' }),
      `${btoa('{"alg":"none"}')}.${btoa(JSON.stringify(claims))}.`,
    ]) {
      expect((await call(`${base}/webhooks/etpay`, json({ payment }))).response.status).toBe(401);
    }
    await call(`${base}/webhooks/etpay`, json('{"payment": '));
    await call(`${base}/webhooks/etpay`, json({ payment: 'x'.repeat(2_000_000) }));
    await call(`${base}/webhooks/tpaga/${tpagaStored.providerRef}`, { method: 'POST' });
    await call(`${base}/webhooks/tpaga/pr-${'0'.repeat(72)}`, { method: 'POST' });
    await call(`${base}/return/${etpay.id}?jwt=${await signed('a-wrong-key-of-some-length-000000')}`);
    await call(`${base}/return/${etpay.id}?jwt=garbage`);
    await call(`${base}/api/sessions`, json({ provider: 'etpay', order: 'not.a.token' }));
    await call(
      `${base}/api/sessions`,
      json({ provider: 'etpay', order: await signed(orderSecret.slice(1)) }),
    );
    await call(`${base}/api/admin/sessions`, {
      headers: { Authorization: `Bearer ${'x'.repeat(adminToken.length)}` },
    });
    await call(`${base}/api/admin/sessions`, {
      headers: { Authorization: `Basic ${btoa(`admin:${adminToken}x`)}` },
    });

    // The admin API, everything it shows.
    await admin('/sessions');
    await admin('/sessions?awaiting_delivery=true');
    for (const id of [etpay.id, tpaga.id, rejected.id]) await admin(`/sessions/${id}`);
    await admin(`/sessions/${tpaga.id}/deliver`, { method: 'POST' });
    await admin(`/sessions/${tpaga.id}/refund`, { method: 'POST' });
    await admin(`/sessions/${etpay.id}/refund`, { method: 'POST' });
    const events = JSON.parse((await admin('/events')).text) as { events: { id: string }[] };
    expect(events.events.length).toBeGreaterThanOrEqual(2);
    for (const event of events.events) {
      await admin(`/events/${event.id}`);
      await admin(`/events/${event.id}/redeliver`, { method: 'POST' });
    }
    // Public reads, the widget and the documents.
    for (const path of [
      `/api/sessions/${etpay.id}`,
      `/api/sessions/${tpaga.id}`,
      '/api/config',
      '/api/openapi.json',
      '/healthz',
      '/pasarela.js',
      '/merchant',
    ]) {
      await call(`${base}${path}`);
    }
    // paid ×2, delivered, refunded, and the redeliveries: at least the two payments.
    const notifications = await receiver.waitFor(2);

    const basic = (user: string, password: string) => btoa(`${user}:${password}`);
    const tpagaConfig = builtInSettings(server.config).tpaga!;
    const secrets = {
      orderSecret,
      adminToken,
      webhookSecret,
      webhookKey: webhookSecret.slice('whsec_'.length),
      etpayApiToken: builtInSettings(server.config).etpay!.apiToken,
      tpagaPassword: tpagaConfig.password,
      tpagaBasic: basic(tpagaConfig.username, tpagaConfig.password),
      etpaySignatureToken: etpayStored.providerSecret!,
      otherSignatureToken: otherStored.providerSecret!,
    };
    for (const [name, value] of Object.entries(secrets))
      expect(value.length, name).toBeGreaterThanOrEqual(12);

    // The widget as shipped when it is built (npm run build), and the sources it is built from.
    const widgetFiles = readdirSync('widget', { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.(ts|css|html)$/.test(file))
      .map((file) => join('widget', file));
    if (existsSync('dist/widget/pasarela.js')) widgetFiles.push('dist/widget/pasarela.js');
    expect(widgetFiles.length).toBeGreaterThan(5);
    const places = {
      answers,
      widget: widgetFiles.map((file) => readFileSync(file, 'utf8')),
      logs: server.logs,
      notifications: notifications.map((n) => `${JSON.stringify(n.headers)}\n${n.body}`),
    };
    // Not vacuous: what was recorded holds the sessions and the payments.
    expect(answers.join('\n')).toContain(etpay.id);
    expect(server.logs.join('\n')).toContain(tpaga.id);
    expect(places.notifications.join('\n')).toContain('session.paid');
    for (const [place, texts] of Object.entries(places)) {
      const all = texts.join('\n');
      for (const [name, value] of Object.entries(secrets)) {
        expect(all.includes(value), `${name} found in ${place}`).toBe(false);
      }
    }
  }, 60_000);
});
