import { describe, expect, it } from 'vitest';
import {
  type TpagaMerchant,
  type TpagaSandbox,
  TpagaSandboxMerchant,
} from '../../server/sandbox/tpaga/index.js';
import { type TpagaFixture, tpagaPerTest } from './sandbox-tpaga.fixture.js';

const startTpaga = tpagaPerTest();
let t: TpagaFixture;

async function start(config: Partial<TpagaMerchant> = {}): Promise<TpagaSandbox> {
  t = await startTpaga((url) => ({
    merchants: [{ ...TpagaSandboxMerchant, webhookBase: `${url}/webhooks/tpaga`, ...config }],
  }));
  return t.sandbox;
}

/** A description the wallet page must escape. */
const create = (overrides: Record<string, unknown> = {}) =>
  t.create({ purchase_description: 'Compra en <Tienda X>', ...overrides });

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
      const res = await fetch(`${t.base}/w/${link}`);
      expect(res.status, link).toBe(404);
      expect(await res.text()).toContain('Solicitud de pago no encontrada');
      expect((await t.decide(`${t.base}/w/${link}`, 'approve')).status).toBe(404);
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
    const res = await t.decide(pr.tpaga_payment_url, 'approve');
    // Normal mode: the webhook is answered before the buyer is redirected.
    expect(t.merchant.requests).toHaveLength(1);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://pay.shop.example/return/ps_1');
    const [hook] = t.merchant.requests;
    expect(hook).toMatchObject({ method: 'POST', path: `/webhooks/tpaga/${pr.token}`, body: '' });
    expect(hook?.headers.authorization).toBeUndefined();
    expect(hook?.headers['content-type']).toBeUndefined();
    expect(await t.status(pr.token)).toBe('paid');
  });

  it('marks a rejected request failed, for good', async () => {
    await start();
    const pr = await create();
    const res = await t.decide(pr.tpaga_payment_url, 'reject');
    expect(res.status).toBe(303);
    expect(t.merchant.requests.map((r) => r.path)).toEqual([`/webhooks/tpaga/${pr.token}`]);
    expect(await t.status(pr.token)).toBe('failed');
    const again = await t.decide(pr.tpaga_payment_url, 'approve');
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('data-status="failed"');
    expect(await t.status(pr.token)).toBe('failed');
  });

  it('refuses an action other than approve or reject', async () => {
    await start();
    const pr = await create();
    expect((await t.decide(pr.tpaga_payment_url, 'maybe')).status).toBe(400);
    expect(await t.status(pr.token)).toBe('created');
  });

  it('redirects without a webhook when the merchant is set up for redirects only', async () => {
    await start({ notify: 'redirect' });
    const pr = await create();
    const res = await t.decide(pr.tpaga_payment_url, 'approve');
    expect(res.status).toBe(303);
    // A notification is logged before it is sent, and `normal` mode sends it before redirecting.
    expect(t.sandbox.getSession(pr.token)?.deliveries).toEqual([]);
    expect(t.merchant.requests).toHaveLength(0);
  });

  it('shows "Pago recibido" instead of redirecting when the merchant takes webhooks only', async () => {
    await start({ notify: 'webhook' });
    const pr = await create();
    const res = await t.decide(pr.tpaga_payment_url, 'approve');
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('Pago recibido');
    expect(t.merchant.requests).toHaveLength(1);
  });

  it('sends no webhook when the merchant has no webhook base', async () => {
    await start({ webhookBase: undefined });
    const pr = await create();
    expect((await t.decide(pr.tpaga_payment_url, 'approve')).status).toBe(303);
    expect(t.sandbox.getSession(pr.token)?.deliveries).toEqual([]);
    expect(t.merchant.requests).toHaveLength(0);
  });

  it('sends webhooks to the base the server registers', async () => {
    const tpaga = await start({ webhookBase: undefined });
    tpaga.setWebhookBase(TpagaSandboxMerchant.username, `${t.merchant.url}/registered/`);
    const pr = await create();
    await t.decide(pr.tpaga_payment_url, 'approve');
    expect(t.merchant.requests.map((r) => r.path)).toEqual([`/registered/${pr.token}`]);
  });

  it('refuses to decide an expired request', async () => {
    const tpaga = await start();
    const pr = await create();
    tpaga.expire(pr.token);
    const res = await t.decide(pr.tpaga_payment_url, 'approve');
    expect(res.status).toBe(409);
    expect(t.merchant.requests).toHaveLength(0);
  });
});
