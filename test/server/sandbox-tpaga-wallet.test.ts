import { afterEach, describe, expect, it } from 'vitest';
import {
  type TpagaMerchant,
  type TpagaSandbox,
  TpagaSandboxMerchant,
} from '../../server/sandbox/tpaga/index.js';
import type { Receiver } from './helpers/listen.js';
import { basicAuth, startTpaga, type TpagaFixture } from './sandbox-tpaga.fixture.js';

let fixture: TpagaFixture | undefined;
let sandbox: TpagaSandbox | undefined;
let merchant: Receiver | undefined;
let base = '';
afterEach(async () => {
  await fixture?.close();
  fixture = sandbox = merchant = undefined;
});

async function start(config: Partial<TpagaMerchant> = {}): Promise<TpagaSandbox> {
  fixture = await startTpaga((url) => ({
    merchants: [{ ...TpagaSandboxMerchant, webhookBase: `${url}/webhooks/tpaga`, ...config }],
  }));
  ({ sandbox, merchant, base } = fixture);
  return sandbox;
}

const auth = basicAuth();

let serial = 0;
async function create(overrides: Record<string, unknown> = {}) {
  const res = await fetch(`${base}/merchants/api/v1/payment_requests/create`, {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      cost: '12000',
      purchase_details_url: 'https://pay.shop.example/return/ps_1',
      idempotency_token: `ps_wallet_${++serial}`,
      order_id: '348820',
      terminal_id: 'web',
      purchase_description: 'Compra en <Tienda X>',
      purchase_items: [{ name: '2 x Café molido 500 g', value: '12000' }],
      user_ip_address: '203.0.113.7',
      expires_at: '2099-11-22T15:30:00.000+00:00',
      ...overrides,
    }),
  });
  return (await res.json()) as { token: string; tpaga_payment_url: string };
}

function decide(url: string, action: string) {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ action }).toString(),
  });
}

async function status(token: string): Promise<string> {
  const res = await fetch(`${base}/merchants/api/v1/payment_requests/${token}/info`, {
    headers: { Authorization: auth },
  });
  return (await res.json()).status;
}

describe('Tpaga sandbox wallet page', () => {
  it('shows the payment widget of a created request', async () => {
    await start();
    const pr = await create();
    const res = await fetch(pr.tpaga_payment_url);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('pasarela');
    expect(page).toContain('Compra en &lt;Tienda X&gt;');
    expect(page).toContain('$ 12.000');
    expect(page).toContain('2 x Café molido 500 g');
    expect(page).toContain('22/11/2099 10:30');
    expect(page).toContain('<button name="action" value="approve" data-action="approve">Pagar</button>');
    expect(page).toContain('<button name="action" value="reject" data-action="reject">Rechazar</button>');
  });

  it('answers 404 for malformed links, other link types, a wrong slug and unknown tokens', async () => {
    await start();
    const pr = await create();
    const links = [
      'not-base64!',
      btoa('{"m":{"o":"MA"},"d":{"s":"pasarela","prt":"x"}}'),
      btoa(`{"m":{"o":"PR"},"d":{"s":"otra-tienda","prt":"${pr.token}"}}`),
      btoa('{"m":{"o":"PR"},"d":{"s":"pasarela","prt":"pr-0000"}}'),
    ];
    for (const link of links) {
      const res = await fetch(`${base}/w/${link}`);
      expect(res.status, link).toBe(404);
      expect(await res.text()).toContain('Solicitud de pago no encontrada');
      expect((await decide(`${base}/w/${link}`, 'approve')).status).toBe(404);
    }
  });

  it('names the status of a request that can no longer be paid, without buttons', async () => {
    const tpaga = await start();
    const pr = await create();
    tpaga.expire(pr.token);
    const page = await (await fetch(pr.tpaga_payment_url)).text();
    expect(page).toContain('data-status="expired"');
    expect(page).toContain('vencida');
    expect(page).not.toContain('<button');
  });
});

describe('Tpaga sandbox wallet decision', () => {
  it('marks an approved request paid, posts an empty unauthenticated webhook, then redirects with 303', async () => {
    await start();
    const pr = await create();
    const res = await decide(pr.tpaga_payment_url, 'approve');
    // Normal mode: the webhook is answered before the buyer is redirected.
    expect(merchant!.requests).toHaveLength(1);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://pay.shop.example/return/ps_1');
    const [hook] = merchant!.requests;
    expect(hook).toMatchObject({ method: 'POST', path: `/webhooks/tpaga/${pr.token}`, body: '' });
    expect(hook?.headers.authorization).toBeUndefined();
    expect(hook?.headers['content-type']).toBeUndefined();
    expect(await status(pr.token)).toBe('paid');
  });

  it('marks a rejected request failed, for good', async () => {
    await start();
    const pr = await create();
    const res = await decide(pr.tpaga_payment_url, 'reject');
    expect(res.status).toBe(303);
    expect(merchant!.requests.map((r) => r.path)).toEqual([`/webhooks/tpaga/${pr.token}`]);
    expect(await status(pr.token)).toBe('failed');
    const again = await decide(pr.tpaga_payment_url, 'approve');
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('data-status="failed"');
    expect(await status(pr.token)).toBe('failed');
  });

  it('refuses an action other than approve or reject', async () => {
    await start();
    const pr = await create();
    expect((await decide(pr.tpaga_payment_url, 'maybe')).status).toBe(400);
    expect(await status(pr.token)).toBe('created');
  });

  it('redirects without a webhook when the merchant is set up for redirects only', async () => {
    await start({ notify: 'redirect' });
    const pr = await create();
    const res = await decide(pr.tpaga_payment_url, 'approve');
    expect(res.status).toBe(303);
    // A notification is logged before it is sent, and `normal` mode sends it before redirecting.
    expect(sandbox!.getSession(pr.token)?.deliveries).toEqual([]);
    expect(merchant!.requests).toHaveLength(0);
  });

  it('shows "Pago recibido" instead of redirecting when the merchant takes webhooks only', async () => {
    await start({ notify: 'webhook' });
    const pr = await create();
    const res = await decide(pr.tpaga_payment_url, 'approve');
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('Pago recibido');
    expect(merchant!.requests).toHaveLength(1);
  });

  it('sends no webhook when the merchant has no webhook base', async () => {
    await start({ webhookBase: undefined });
    const pr = await create();
    expect((await decide(pr.tpaga_payment_url, 'approve')).status).toBe(303);
    expect(sandbox!.getSession(pr.token)?.deliveries).toEqual([]);
    expect(merchant!.requests).toHaveLength(0);
  });

  it('sends webhooks to the base the server registers', async () => {
    const tpaga = await start({ webhookBase: undefined });
    tpaga.setWebhookBase(TpagaSandboxMerchant.username, `${merchant!.url}/registered/`);
    const pr = await create();
    await decide(pr.tpaga_payment_url, 'approve');
    expect(merchant!.requests.map((r) => r.path)).toEqual([`/registered/${pr.token}`]);
  });

  it('refuses to decide an expired request', async () => {
    const tpaga = await start();
    const pr = await create();
    tpaga.expire(pr.token);
    const res = await decide(pr.tpaga_payment_url, 'approve');
    expect(res.status).toBe(409);
    expect(merchant!.requests).toHaveLength(0);
  });
});
