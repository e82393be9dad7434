import { afterEach, describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '../../server/providers/http.js';
import { ProviderRejectedError } from '../../server/providers/provider.js';
import { EtpaySandboxMerchant } from '../../server/sandbox/etpay/index.js';
import { type EtpayClientFixture, startEtpayClient } from './provider-etpay.fixture.js';

let etpay: EtpayClientFixture | undefined;
afterEach(async () => {
  await etpay?.close();
  etpay = undefined;
});

async function start(...args: Parameters<typeof startEtpayClient>) {
  etpay = await startEtpayClient(...args);
  return etpay;
}

function sentBody(fixture: EtpayClientFixture, index = 0): Record<string, unknown> {
  const request = fixture.sent[index];
  if (!request) throw new Error(`no request #${index}`);
  return JSON.parse(request.body) as Record<string, unknown>;
}

describe('ETpay client: create', () => {
  it('initializes a session with exactly the fields Pasarela sends', async () => {
    const fixture = await start();
    const session = fixture.newSession({ id: 'ps_3kVx9QmT2bLw8ZpR5nYc7A' });
    await fixture.provider.create(session, { clientIp: '203.0.113.7' });
    expect(fixture.sent).toHaveLength(1);
    expect(fixture.sent[0]?.url).toBe(`${fixture.apiUrl}/session/initialize`);
    expect(sentBody(fixture)).toEqual({
      merchant_code: EtpaySandboxMerchant.merchantCode,
      merchant_api_token: EtpaySandboxMerchant.apiToken,
      merchant_order_id: 'OC-700104',
      order_amount: 50000,
      customer_email: 'buyer@example.com',
      metadata: [{ name: '2 x Entrada general', value: '50000', show: true }],
      payment_completed_url: `${fixture.pasarela.url}/return/ps_3kVx9QmT2bLw8ZpR5nYc7A`,
      payment_cancellation_url: `${fixture.pasarela.url}/return/ps_3kVx9QmT2bLw8ZpR5nYc7A`,
      payment_webhook_url: `${fixture.pasarela.url}/webhooks/etpay`,
    });
  });

  it('posts JSON with a JSON content type', async () => {
    const seen: Array<{ method: string | undefined; contentType: string | null }> = [];
    const fixture = await start({
      provider: {
        fetch: (input, init) => {
          seen.push({ method: init?.method, contentType: new Headers(init?.headers).get('content-type') });
          return fetch(input, init);
        },
      },
    });
    await fixture.created();
    expect(seen).toEqual([{ method: 'POST', contentType: 'application/json' }]);
  });

  it('leaves out customer_email and metadata when the order has none', async () => {
    const fixture = await start();
    await fixture.created({ customerEmail: null, items: [] });
    const body = sentBody(fixture);
    expect(body).not.toHaveProperty('customer_email');
    expect(body).not.toHaveProperty('metadata');
  });

  it('sends at most four metadata lines, counting one when no quantity is given', async () => {
    const fixture = await start();
    await fixture.created({
      amount: 10000,
      items: [
        { name: 'Café', amount: 2500 },
        { name: 'Té', quantity: 3, amount: 4500 },
        { name: 'Pan', quantity: 1, amount: 1000 },
        { name: 'Queso', quantity: 2, amount: 1500 },
        { name: 'Jamón', quantity: 1, amount: 500 },
      ],
    });
    expect(sentBody(fixture).metadata).toEqual([
      { name: '1 x Café', value: '2500', show: true },
      { name: '3 x Té', value: '4500', show: true },
      { name: '1 x Pan', value: '1000', show: true },
      { name: '2 x Queso', value: '1500', show: true },
    ]);
  });

  it('sends no concat when the return URL has no query', async () => {
    const fixture = await start({ provider: { publicUrl: 'https://pay.shop.example/' } });
    await fixture.created({ id: 'ps_abc' });
    const body = sentBody(fixture);
    expect(body.payment_completed_url).toBe('https://pay.shop.example/return/ps_abc');
    expect(body.payment_webhook_url).toBe('https://pay.shop.example/webhooks/etpay');
    expect(body).not.toHaveProperty('concat');
  });

  it('sends concat "&" when the return URL has a query, keeping the path before it', async () => {
    const fixture = await start({ provider: { publicUrl: 'https://pay.shop.example/pasarela/?tenant=7' } });
    await fixture.created({ id: 'ps_abc' });
    const body = sentBody(fixture);
    expect(body.payment_completed_url).toBe('https://pay.shop.example/pasarela/return/ps_abc?tenant=7');
    expect(body.payment_cancellation_url).toBe('https://pay.shop.example/pasarela/return/ps_abc?tenant=7');
    expect(body.concat).toBe('&');
  });

  it('joins API bases that end in slashes', async () => {
    const fixture = await start();
    const client = fixture.client({ apiUrl: `${fixture.apiUrl}//`, pmtUrl: `${fixture.pmtUrl}/` });
    const attachment = await client.create(fixture.newSession(), { clientIp: '203.0.113.7' });
    expect(fixture.sent[0]?.url).toBe(`${fixture.apiUrl}/session/initialize`);
    expect(attachment.action.url).toBe(`${fixture.pmtUrl}/session/${attachment.providerRef}`);
  });

  it('returns the token, the signature_token, the funnel redirect and a 30-minute lifetime', async () => {
    const fixture = await start();
    const session = fixture.newSession({ createdAt: '2025-11-22T10:00:00.000Z' });
    const attachment = await fixture.provider.create(session, { clientIp: '203.0.113.7' });
    expect(attachment.providerRef).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(attachment.providerSecret).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(attachment.providerSecret).not.toBe(attachment.providerRef);
    expect(attachment.action).toEqual({
      type: 'redirect',
      url: `${fixture.pmtUrl}/session/${attachment.providerRef}`,
    });
    expect(attachment.expiresAt).toBe('2025-11-22T10:30:00.000Z');
    expect(attachment.providerStatus).toBeNull();
    expect(fixture.sandbox.listSessions().map((listed) => listed.token)).toEqual([attachment.providerRef]);
  });

  it('uses the configured session lifetime', async () => {
    const fixture = await start({ provider: { sessionLifetimeMs: 5 * 60_000 } });
    const session = await fixture.created({ createdAt: '2025-11-22T10:00:00.000Z' });
    expect(session.expiresAt).toBe('2025-11-22T10:05:00.000Z');
  });

  it('does not retry a create that answered 5xx', async () => {
    const fixture = await start();
    fixture.sandbox.failApi('5xx', 1);
    await expect(fixture.created()).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(fixture.sent).toHaveLength(1);
    expect(fixture.sandbox.listSessions()).toHaveLength(0);
  });

  it('does not retry a create that timed out', async () => {
    const fixture = await start({ sandbox: { hangMs: 10_000 } });
    fixture.sandbox.failApi('timeout', 1);
    await expect(fixture.created()).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(fixture.sent).toHaveLength(1);
  });

  it('is refused with a log-safe message when the order is invalid', async () => {
    const fixture = await start();
    const refusal = await fixture.created({ amount: 0 }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ProviderRejectedError);
    expect((refusal as ProviderRejectedError).status).toBe(400);
    expect((refusal as Error).message).toBe('ETpay refused session/initialize (400): invalid order_amount');
  });

  it('never puts the API token in a refusal message', async () => {
    const answer = {
      message: 'invalid merchant credentials sandbox-etpay-token Op5yVKVjI5QTlEz0eB2qip7Lpuu1riKA',
    };
    const fixture = await start({ provider: { fetch: async () => Response.json(answer, { status: 401 }) } });
    const refusal = await fixture.created().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ProviderRejectedError);
    expect((refusal as Error).message).toBe(
      'ETpay refused session/initialize (401): invalid merchant credentials [redacted] [redacted]',
    );
  });

  it('fails as unavailable when a 200 lacks the tokens, ignoring extra keys otherwise', async () => {
    const fixture = await start({ provider: { fetch: async () => Response.json({ token: 'abc' }) } });
    await expect(fixture.created()).rejects.toBeInstanceOf(ProviderUnavailableError);
    const extra = fixture.client({
      fetch: async () => Response.json({ token: 'tok', signature_token: 'sig', expires_at: 'soon' }),
    });
    const attachment = await extra.create(fixture.newSession(), { clientIp: '203.0.113.7' });
    expect(attachment.providerRef).toBe('tok');
    expect(attachment.providerSecret).toBe('sig');
  });
});
