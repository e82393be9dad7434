import { afterEach, describe, expect, it } from 'vitest';
import { credentials, type EtpayFixture, startEtpay } from './sandbox-etpay.fixture.js';

let etpay: EtpayFixture;
afterEach(async () => {
  await etpay?.close();
});

const query = (body: unknown, headers?: Record<string, string>) =>
  etpay.api('/merchant/check_payment_status', body, headers);

describe('ETpay sandbox: merchant/check_payment_status', () => {
  it('answers [] before any attempt', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize();
    const response = await query({ ...credentials, session_token: token });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual([]);
  });

  it('lists the attempts oldest first with exactly payment_token and payment_status', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize();
    await etpay.decide(token, 'reject');
    const late = await etpay.sandbox.attempt(token, 'success');
    const response = await query({
      merchant_api_token: credentials.merchant_api_token,
      session_token: token,
    });
    const attempts = (await response.json()) as Array<Record<string, string>>;
    expect(attempts.map((a) => a.payment_status)).toEqual(['error', 'success']);
    for (const attempt of attempts) {
      expect(Object.keys(attempt).sort()).toEqual(['payment_status', 'payment_token']);
      expect(attempt.payment_token).toMatch(/^[A-Za-z0-9]{64}$/);
    }
    expect(attempts[1]?.payment_token).toBe(late.paymentToken);
  });

  it('filters by every id given', async () => {
    etpay = await startEtpay();
    const first = await etpay.initialize({ merchant_order_id: 'order-1' });
    const second = await etpay.initialize({ merchant_order_id: 'order-2' });
    const a = await etpay.sandbox.attempt(first.token, 'error');
    const b = await etpay.sandbox.attempt(first.token, 'success');
    const c = await etpay.sandbox.attempt(second.token, 'success');
    const tokens = async (ids: Record<string, string>) =>
      ((await (await query({ ...credentials, ...ids })).json()) as Array<{ payment_token: string }>).map(
        (x) => x.payment_token,
      );
    expect(await tokens({ session_token: first.token })).toEqual([a.paymentToken, b.paymentToken]);
    expect(await tokens({ merchant_order_id: 'order-2' })).toEqual([c.paymentToken]);
    expect(await tokens({ payment_token: b.paymentToken })).toEqual([b.paymentToken]);
    expect(await tokens({ session_token: first.token, payment_token: c.paymentToken })).toEqual([]);
    expect(await tokens({ session_token: 'unknown' })).toEqual([]);
  });

  it("answers only the querying merchant's attempts", async () => {
    etpay = await startEtpay({
      merchants: [
        { merchantCode: 'cl_sandbox_pasarela', apiToken: 'sandbox-etpay-token' },
        { merchantCode: 'cl_sandbox_other', apiToken: 'other-token' },
      ],
    });
    const { token } = await etpay.initialize();
    await etpay.sandbox.attempt(token, 'success');
    const other = await query({ merchant_api_token: 'other-token', session_token: token });
    expect(await other.json()).toEqual([]);
  });

  it('refuses a wrong token, or a merchant_code of another merchant, with 401', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize();
    for (const body of [
      { merchant_api_token: 'wrong', session_token: token },
      { session_token: token },
      {
        merchant_code: 'cl_sandbox_other',
        merchant_api_token: credentials.merchant_api_token,
        session_token: token,
      },
      { merchant_code: null, merchant_api_token: credentials.merchant_api_token, session_token: token },
    ]) {
      const response = await query(body);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'invalid merchant credentials' });
    }
  });

  it('refuses a query without any id with 400', async () => {
    etpay = await startEtpay();
    const response = await query(credentials);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      message: 'session_token, payment_token or merchant_order_id is required',
    });
  });

  it('refuses an id that is not a string', async () => {
    etpay = await startEtpay();
    const response = await query({ ...credentials, session_token: 42 });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ message: 'invalid session_token' });
  });

  it('reads the body as JSON without a content type and refuses non-objects', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize();
    const plain = await query(JSON.stringify({ ...credentials, session_token: token }), {});
    expect(plain.status).toBe(200);
    const broken = await query('not json', {});
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ message: 'invalid JSON body' });
    expect((await query('[]')).status).toBe(400);
  });
});
