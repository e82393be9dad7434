import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  credentials,
  type EtpayFixture,
  jwtFromLocation,
  paymentJwt,
  startEtpay,
} from './sandbox-etpay.fixture.js';

let etpay: EtpayFixture;
afterEach(async () => {
  await etpay?.close();
});

const key = (signatureToken: string) => new TextEncoder().encode(signatureToken);
const returnUrl = 'https://pay.shop.example/return/ps_1';

describe('ETpay sandbox: the decision', () => {
  it('notifies the merchant with a signed JWT, then redirects with the same JWT', async () => {
    const now = Date.UTC(2025, 10, 22, 10, 0, 0);
    etpay = await startEtpay({ now: () => now });
    const { token, signature_token } = await etpay.initialize({
      payment_completed_url: returnUrl,
      payment_cancellation_url: 'https://pay.shop.example/cancel',
    });
    const response = await etpay.decide(token, 'approve');
    // The normal behaviour waits for the notification before redirecting.
    expect(etpay.merchant.requests).toHaveLength(1);
    const [hook] = etpay.merchant.requests;
    expect(hook?.method).toBe('POST');
    expect(hook?.path).toBe('/webhooks/etpay');
    expect(hook?.headers['content-type']).toBe('application/json');
    expect(Object.keys(JSON.parse(hook!.body))).toEqual(['payment']);
    const jwt = paymentJwt(hook!.body);

    expect(response.status).toBe(303);
    const location = response.headers.get('location');
    expect(location).toBe(`${returnUrl}?jwt=${jwt}`);

    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(jwt, key(signature_token), { algorithms: ['HS256'] });
    expect(Object.keys(payload)).toEqual([
      'session_token',
      'merchant_order_id',
      'payment_token',
      'payment_status',
      'user_rut',
      'iat',
    ]);
    expect(payload).toEqual({
      session_token: token,
      merchant_order_id: 'OC-700104',
      payment_token: expect.stringMatching(/^[A-Za-z0-9]{64}$/),
      payment_status: 'success',
      user_rut: '11111111-1',
      iat: now / 1000,
    });
    const status = await etpay.api('/merchant/check_payment_status', {
      ...credentials,
      session_token: token,
    });
    expect(await status.json()).toEqual([
      { payment_token: payload.payment_token, payment_status: 'success' },
    ]);
  });

  it('sends the buyer to payment_cancellation_url with an error JWT on reject', async () => {
    etpay = await startEtpay();
    const { token, signature_token } = await etpay.initialize({
      payment_completed_url: returnUrl,
      payment_cancellation_url: 'https://pay.shop.example/cancel',
    });
    const response = await etpay.decide(token, 'reject', { user_rut: '12345678-5' });
    const location = response.headers.get('location');
    expect(location).toMatch(/^https:\/\/pay\.shop\.example\/cancel\?jwt=[\w-]+\.[\w-]+\.[\w-]+$/);
    const jwt = jwtFromLocation(location);
    expect(paymentJwt(etpay.merchant.requests[0]!.body)).toBe(jwt);
    const { payload } = await jwtVerify(jwt, key(signature_token), { algorithms: ['HS256'] });
    expect(payload).toMatchObject({ payment_status: 'error', user_rut: '12345678-5' });
    expect(payload.exp).toBeUndefined();
  });

  it('joins with concat when the return URL has a query', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize({ payment_completed_url: `${returnUrl}?a=1`, concat: '&' });
    const location = (await etpay.decide(token, 'approve')).headers.get('location');
    expect(location).toMatch(new RegExp(`^${returnUrl.replaceAll('.', '\\.')}\\?a=1&jwt=[\\w.-]+$`));
  });

  it("falls back to the merchant's onboarding URLs", async () => {
    etpay = await startEtpay({
      merchants: [
        {
          merchantCode: 'cl_sandbox_pasarela',
          apiToken: 'sandbox-etpay-token',
          successUrl: 'https://shop.example/ok',
          errorUrl: 'https://shop.example/ko',
          webhookUrl: 'http://127.0.0.1:9/unused',
        },
      ],
    });
    const approved = await etpay.initialize({ payment_webhook_url: etpay.webhookUrl });
    expect((await etpay.decide(approved.token, 'approve')).headers.get('location')).toMatch(
      /^https:\/\/shop\.example\/ok\?jwt=/,
    );
    const rejected = await etpay.initialize({ payment_webhook_url: etpay.webhookUrl });
    expect((await etpay.decide(rejected.token, 'reject')).headers.get('location')).toMatch(
      /^https:\/\/shop\.example\/ko\?jwt=/,
    );
  });

  it('uses the merchant default webhook when the session has none', async () => {
    etpay = await startEtpay((merchantUrl) => ({
      merchants: [
        {
          merchantCode: 'cl_sandbox_pasarela',
          apiToken: 'sandbox-etpay-token',
          webhookUrl: `${merchantUrl}/hook`,
        },
      ],
    }));
    const { token } = await etpay.initialize({ payment_webhook_url: undefined });
    await etpay.decide(token, 'approve');
    expect(etpay.merchant.requests.map((r) => r.path)).toEqual(['/hook']);
  });

  it('sends nothing without a webhook URL and lands on the sandbox page', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize({ payment_webhook_url: undefined });
    const response = await etpay.decide(token, 'approve');
    const location = response.headers.get('location');
    expect(location).toMatch(new RegExp(`^${etpay.base}/pmt/finalizado\\?jwt=`));
    expect(etpay.merchant.requests).toHaveLength(0);
    const landing = await fetch(location!);
    expect(await landing.text()).toContain('Pago finalizado');
  });

  it('takes one decision per session', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize();
    const [first, second] = await Promise.all([
      etpay.decide(token, 'approve'),
      etpay.decide(token, 'reject'),
    ]);
    expect([first.status, second.status].sort()).toEqual([303, 409]);
    expect(etpay.merchant.requests).toHaveLength(1);
    expect(await (await etpay.decide(token, 'approve')).text()).toContain('Sesión finalizada');
  });

  it('uses the locked RUT whatever the form says', async () => {
    etpay = await startEtpay();
    const { token, signature_token } = await etpay.initialize({ user_rut: '12345678-5', is_rut_block: true });
    await etpay.decide(token, 'approve', { user_rut: '99999999-9' });
    const jwt = paymentJwt(etpay.merchant.requests[0]!.body);
    const { payload } = await jwtVerify(jwt, key(signature_token), { algorithms: ['HS256'] });
    expect(payload.user_rut).toBe('12345678-5');
  });
});

describe('ETpay sandbox: session lifetime', () => {
  it('expires 30 minutes after creation: no decision, no notification, status query []', async () => {
    let now = Date.UTC(2025, 10, 22, 10, 0, 0);
    etpay = await startEtpay({ now: () => now });
    const { token } = await etpay.initialize();
    now += 30 * 60_000 - 1;
    expect((await fetch(`${etpay.base}/pmt/session/${token}`)).status).toBe(200);
    now += 1;
    const step1 = await fetch(`${etpay.base}/pmt/session/${token}`);
    expect(step1.status).toBe(410);
    expect(await step1.text()).toContain('Sesión expirada');
    const decision = await etpay.decide(token, 'approve');
    expect(decision.status).toBe(410);
    expect(decision.headers.get('location')).toBeNull();
    expect(await decision.text()).toContain('Sesión expirada');
    expect(etpay.merchant.requests).toHaveLength(0);
    const status = await etpay.api('/merchant/check_payment_status', {
      ...credentials,
      session_token: token,
    });
    expect(await status.json()).toEqual([]);
    expect(etpay.sandbox.getSession(token)?.status).toBe('expired');
  });

  it('honours a configured lifetime and expire(token)', async () => {
    let now = 1_000_000;
    etpay = await startEtpay({ now: () => now, sessionLifetimeMs: 60_000 });
    const first = await etpay.initialize();
    const second = await etpay.initialize();
    etpay.sandbox.expire(second.token);
    expect(await (await fetch(`${etpay.base}/pmt/session/${second.token}`)).text()).toContain(
      'Sesión expirada',
    );
    expect((await fetch(`${etpay.base}/pmt/session/${first.token}`)).status).toBe(200);
    now += 60_000;
    expect((await fetch(`${etpay.base}/pmt/session/${first.token}`)).status).toBe(410);
    expect(etpay.sandbox.getSession(first.token)?.expiresAt).toBe(new Date(1_060_000).toISOString());
  });
});
