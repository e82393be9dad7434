import { afterEach, describe, expect, it } from 'vitest';
import { credentials, type EtpayFixture, startEtpay } from './sandbox-etpay.fixture.js';

let etpay: EtpayFixture;
afterEach(async () => {
  await etpay?.close();
});

const order = { ...credentials, merchant_order_id: 'OC-700104', order_amount: 50000 };

async function expectRefusal(
  body: unknown,
  status: number,
  message: string,
  headers?: Record<string, string>,
) {
  const response = await etpay.api('/session/initialize', body, headers);
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await response.json()).toEqual({ message });
}

describe('ETpay sandbox: session/initialize', () => {
  it('answers 200 with exactly a token and a signature_token of 64 alphanumerics', async () => {
    etpay = await startEtpay();
    const response = await etpay.api('/session/initialize', order);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['signature_token', 'token']);
    expect(body.token).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(body.signature_token).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(body.token).not.toBe(body.signature_token);
  });

  it('reads the body as JSON without a JSON content type', async () => {
    etpay = await startEtpay();
    const response = await etpay.api('/session/initialize', JSON.stringify(order), {});
    expect(response.status).toBe(200);
    const plain = await etpay.api('/session/initialize', JSON.stringify(order), {
      'Content-Type': 'text/plain',
    });
    expect(plain.status).toBe(200);
  });

  it('creates a new session on every call', async () => {
    etpay = await startEtpay();
    const first = await etpay.initialize();
    const second = await etpay.initialize();
    expect(first.token).not.toBe(second.token);
    expect(etpay.sandbox.listSessions()).toHaveLength(2);
  });

  it('tolerates a trailing slash', async () => {
    etpay = await startEtpay();
    expect((await etpay.api('/session/initialize/', order)).status).toBe(200);
  });

  it('refuses a body that is not JSON, or not an object', async () => {
    etpay = await startEtpay();
    await expectRefusal('{"merchant_code":', 400, 'invalid JSON body');
    await expectRefusal('', 400, 'invalid JSON body');
    await expectRefusal('[1,2]', 400, 'invalid JSON body');
    await expectRefusal('"text"', 400, 'invalid JSON body');
    await expectRefusal('null', 400, 'invalid JSON body');
    await expectRefusal('merchant_code=cl_sandbox_pasarela', 400, 'invalid JSON body', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
  });

  it('refuses unknown or mismatched credentials with 401 before checking the order', async () => {
    etpay = await startEtpay();
    const message = 'invalid merchant credentials';
    await expectRefusal({ ...order, merchant_api_token: 'wrong', merchant_order_id: '' }, 401, message);
    await expectRefusal({ ...order, merchant_code: 'cl_sandbox_other' }, 401, message);
    await expectRefusal(
      { merchant_api_token: credentials.merchant_api_token, order_amount: 1 },
      401,
      message,
    );
    await expectRefusal({ merchant_code: credentials.merchant_code }, 401, message);
    await expectRefusal({ ...order, merchant_api_token: 42 }, 401, message);
  });

  it('accepts the credentials of any configured merchant', async () => {
    etpay = await startEtpay({
      merchants: [{ merchantCode: 'cl_sandbox_shop', apiToken: 'shop-token' }],
    });
    const shop = { merchant_code: 'cl_sandbox_shop', merchant_api_token: 'shop-token' };
    expect((await etpay.api('/session/initialize', { ...order, ...shop })).status).toBe(200);
    expect((await etpay.api('/session/initialize', order)).status).toBe(401);
  });

  it('checks merchant_order_id: present, 1 to 64 of [A-Za-z0-9_-]', async () => {
    etpay = await startEtpay();
    const invalid = 'invalid merchant_order_id';
    await expectRefusal({ ...credentials, order_amount: 0 }, 400, invalid);
    await expectRefusal({ ...order, merchant_order_id: '' }, 400, invalid);
    await expectRefusal({ ...order, merchant_order_id: 'a'.repeat(65) }, 400, invalid);
    await expectRefusal({ ...order, merchant_order_id: 'OC 1' }, 400, invalid);
    await expectRefusal({ ...order, merchant_order_id: 'OC/1' }, 400, invalid);
    await expectRefusal({ ...order, merchant_order_id: 'ñandú' }, 400, invalid);
    await expectRefusal({ ...order, merchant_order_id: 700104 }, 400, invalid);
    const longest = await etpay.api('/session/initialize', {
      ...order,
      merchant_order_id: `A_-${'9'.repeat(61)}`,
    });
    expect(longest.status).toBe(200);
  });

  it('checks order_amount: a positive integer', async () => {
    etpay = await startEtpay();
    const invalid = 'invalid order_amount';
    const { order_amount: _, ...noAmount } = order;
    await expectRefusal(noAmount, 400, invalid);
    await expectRefusal({ ...order, order_amount: 0 }, 400, invalid);
    await expectRefusal({ ...order, order_amount: -100 }, 400, invalid);
    await expectRefusal({ ...order, order_amount: 100.5 }, 400, invalid);
    await expectRefusal({ ...order, order_amount: '50000' }, 400, invalid);
    await expectRefusal({ ...order, order_amount: '50.000' }, 400, invalid);
    await expectRefusal({ ...order, order_amount: 1e300 }, 400, invalid);
    await expectRefusal({ ...order, order_amount: null }, 400, invalid);
  });

  it('checks the optional fields when present, in order', async () => {
    etpay = await startEtpay();
    await expectRefusal({ ...order, customer_email: 1, metadata: 'x' }, 400, 'invalid customer_email');
    await expectRefusal({ ...order, metadata: 'x', concat: '&&' }, 400, 'invalid metadata');
    await expectRefusal(
      { ...order, metadata: [{ name: 'a', value: 1, show: true }] },
      400,
      'invalid metadata',
    );
    await expectRefusal({ ...order, metadata: [{ name: 'a', value: '1' }] }, 400, 'invalid metadata');
    await expectRefusal(
      { ...order, metadata: [{ name: 'a', value: '1', show: 'true' }] },
      400,
      'invalid metadata',
    );
    await expectRefusal({ ...order, metadata: [null] }, 400, 'invalid metadata');
    await expectRefusal(
      { ...order, payment_completed_url: '/return/1', payment_webhook_url: 'x' },
      400,
      'invalid payment_completed_url',
    );
    await expectRefusal(
      { ...order, payment_cancellation_url: 'ftp://x.example/' },
      400,
      'invalid payment_cancellation_url',
    );
    await expectRefusal(
      { ...order, payment_webhook_url: 'not a url', concat: 'ab' },
      400,
      'invalid payment_webhook_url',
    );
    await expectRefusal({ ...order, concat: '&&', user_rut: 1 }, 400, 'invalid concat');
    await expectRefusal({ ...order, concat: '' }, 400, 'invalid concat');
    await expectRefusal({ ...order, user_rut: 11111111, user_bank_code: 1 }, 400, 'invalid user_rut');
    await expectRefusal({ ...order, user_bank_code: ['cl_bci'] }, 400, 'invalid user_bank_code');
  });

  it('accepts every optional field and ignores unknown ones', async () => {
    etpay = await startEtpay();
    const response = await etpay.api('/session/initialize', {
      ...order,
      customer_email: 'buyer@example.com',
      metadata: [{ name: '2 x Entrada general', value: '50000', show: true, extra: 1 }],
      payment_completed_url: 'https://pay.shop.example/return/ps_1',
      payment_cancellation_url: 'http://pay.shop.example/return/ps_1?a=1',
      payment_webhook_url: 'https://pay.shop.example/webhooks/etpay',
      concat: '&',
      user_rut: '12345678-5',
      user_bank_code: 'cl_bci',
      is_rut_block: 'true',
      target_flow: 'codi',
      anything: { nested: true },
    });
    expect(response.status).toBe(200);
    expect(Object.keys(await response.json())).toHaveLength(2);
  });
});
