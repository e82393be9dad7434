import { afterEach, describe, expect, it } from 'vitest';
import { createSandboxes, type Sandboxes } from '../../server/sandbox/index.js';
import { type Listener, listen, type Receiver, receiver } from './helpers/listen.js';

let sandboxes: Sandboxes | undefined;
let server: Listener | undefined;
let merchant: Receiver | undefined;
afterEach(async () => {
  await sandboxes?.close();
  await server?.close();
  await merchant?.close();
});

/** Listens first (the sandboxes need their public URL), then routes requests to them. */
async function start() {
  server = await listen({ fetch: (request) => sandboxes!.app.fetch(request) });
  sandboxes = createSandboxes({ publicUrl: server.url });
  return server.url;
}

const etpayAuth = { merchant_code: 'cl_sandbox_pasarela', merchant_api_token: 'sandbox-etpay-token' };
const tpagaAuth = `Basic ${btoa('pasarela-sandbox:sandbox-tpaga-password')}`;

describe('both sandboxes mounted under /sandbox', () => {
  it('serves ETpay under /sandbox/etpay/api and the funnel under /sandbox/etpay/pmt', async () => {
    const base = await start();
    const created = await fetch(`${base}/sandbox/etpay/api/session/initialize`, {
      method: 'POST',
      body: JSON.stringify({ ...etpayAuth, merchant_order_id: 'OC-1', order_amount: 50000 }),
    });
    expect(created.status).toBe(200);
    const { token } = (await created.json()) as { token: string };
    const funnel = await fetch(`${base}/sandbox/etpay/pmt/session/${token}`);
    expect(funnel.status).toBe(200);
    expect(await funnel.text()).toContain('$50.000');
  });

  it('serves Tpaga under /sandbox/tpaga/merchants/api/v1 with links to its wallet page', async () => {
    const base = await start();
    const created = await fetch(`${base}/sandbox/tpaga/merchants/api/v1/payment_requests/create`, {
      method: 'POST',
      headers: { Authorization: tpagaAuth, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        cost: '12000',
        purchase_details_url: 'https://shop.example/return',
        idempotency_token: 'ps_1',
        order_id: '1',
        terminal_id: 'web',
        purchase_description: 'Café',
        user_ip_address: '203.0.113.7',
        expires_at: new Date(Date.now() + 600_000).toISOString(),
      }),
    });
    expect(created.status).toBe(201);
    const { tpaga_payment_url } = (await created.json()) as { tpaga_payment_url: string };
    expect(tpaga_payment_url.startsWith(`${base}/sandbox/tpaga/w/`)).toBe(true);
    const wallet = await fetch(tpaga_payment_url);
    expect(await wallet.text()).toContain('data-action="approve"');
  });

  it('lists sessions on /sandbox and decides and replays from there', async () => {
    const base = await start();
    merchant = await receiver();
    const created = await fetch(`${base}/sandbox/etpay/api/session/initialize`, {
      method: 'POST',
      body: JSON.stringify({
        ...etpayAuth,
        merchant_order_id: 'OC-77',
        order_amount: 1990,
        payment_webhook_url: `${merchant.url}/webhooks/etpay`,
      }),
    });
    const { token } = (await created.json()) as { token: string };

    const listing = await (await fetch(`${base}/sandbox`)).text();
    expect(listing).toContain('OC-77');
    expect(listing).toContain('$ 1.990');

    const decide = await fetch(`${base}/sandbox/_actions/etpay/sessions/${token}/decide/0`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(decide.status).toBe(303);
    await merchant.waitFor(1);
    expect(JSON.parse(merchant.requests[0]!.body)).toHaveProperty('payment');

    const [delivery] = sandboxes!.etpay.webhooks.forSession(token);
    await fetch(`${base}/sandbox/_actions/etpay/deliveries/${delivery!.id}/replay`, {
      method: 'POST',
      redirect: 'manual',
    });
    await merchant.waitFor(2);
    expect(merchant.requests[1]!.body).toBe(merchant.requests[0]!.body);
  });

  it('answers an unknown sandbox action with 404', async () => {
    const base = await start();
    const response = await fetch(`${base}/sandbox/_actions/nope/deliveries/1/replay`, { method: 'POST' });
    expect(response.status).toBe(404);
  });
});
