import { describe, expect, it } from 'vitest';
import {
  type TpagaSandbox,
  TpagaSandboxMerchant,
  type TpagaSandboxOptions,
} from '../../server/sandbox/tpaga/index.js';
import { basicAuth, type TpagaFixture, tpagaPerTest } from './sandbox-tpaga.fixture.js';

const startTpaga = tpagaPerTest();
let t: TpagaFixture;

// A pinned clock: 2025-11-22T10:00:00-05:00.
const t0 = Date.parse('2025-11-22T15:00:00Z');
let clock = t0;

async function start(options: Partial<TpagaSandboxOptions> = {}): Promise<TpagaSandbox> {
  clock = t0;
  t = await startTpaga({ now: () => clock, ...options });
  return t.sandbox;
}

async function call(method: string, path: string, body?: unknown, authorization = basicAuth()) {
  const res = await t.api(method, `payment_requests/${path}`, body, {
    Authorization: authorization,
    'Content-Type': 'application/json',
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}

/** A request expiring 30 minutes after the pinned clock, its item keys in the order sent. */
function create(overrides: Record<string, unknown> = {}, authorization = basicAuth()) {
  return t.create(
    {
      purchase_items: [{ value: '12000', name: 'Café' }],
      expires_at: new Date(t0 + 30 * 60_000).toISOString(),
      ...overrides,
    },
    authorization,
  );
}

const change = (action: string, token: unknown) => call('POST', action, { payment_request_token: token });
const stateError = (token: string, status: string) =>
  `{"error_code":2,"error_message":"State error: the payment request is ${status}","field_name":"payment_request_token","rejected_value":"${token}"}`;
const unknown = (token: string) =>
  `{"error_code":1,"error_message":"No se ha encontrado la solicitud de pago","field_name":"payment_request_token","rejected_value":"${token}"}`;

describe('Tpaga sandbox idempotency', () => {
  it('answers 409 wrapping the stored request in its current state, checking nothing else', async () => {
    await start();
    const first = await create();
    clock = t0 + 31 * 60_000;
    const again = await call('POST', 'create', { idempotency_token: first.idempotency_token, cost: 0 });
    expect(again.status).toBe(409);
    expect(Object.keys(again.body)).toEqual(['error_code', 'error_message', 'data']);
    expect(again.body.error_code).toBe(3);
    expect(again.body.error_message).toBe('Idempotency error: The payment request was already created');
    expect(again.body.data).toMatchObject({ token: first.token, status: 'expired', cost: '12000.0' });
    expect(again.text).toContain('"purchase_items":[{"name":"Café","value":"12000"}]');
  });

  it('answers the 2018 unwrapped form when scripted', async () => {
    const tpaga = await start();
    const first = await create();
    tpaga.setIdempotencyUnwrapped(true);
    const again = await call('POST', 'create', { idempotency_token: first.idempotency_token });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ token: first.token, idempotency_token: first.idempotency_token });
    expect(again.body.error_code).toBeUndefined();
  });

  it('keeps idempotency tokens per merchant', async () => {
    const other = { username: 'other-shop', password: 'pw-other', slug: 'otra' };
    await start({ merchants: [TpagaSandboxMerchant, other] });
    const first = await create();
    const second = await create({ idempotency_token: first.idempotency_token }, basicAuth(other));
    expect(second.token).not.toBe(first.token);
    expect(second.tpaga_payment_url).not.toBe(first.tpaga_payment_url);
  });
});

describe('Tpaga sandbox info', () => {
  it('answers the §10 422 for an unknown token', async () => {
    await start();
    const res = await call('GET', 'pr-nope/info');
    expect(res.status).toBe(422);
    expect(res.text).toBe(unknown('pr-nope'));
  });

  it("answers another merchant's token as unknown", async () => {
    const other = { username: 'other-shop', password: 'pw-other', slug: 'otra' };
    await start({ merchants: [TpagaSandboxMerchant, other] });
    const pr = await create();
    expect((await call('GET', `${pr.token}/info`, undefined, basicAuth(other))).text).toBe(unknown(pr.token));
  });

  it('sets checked_by_merchant_at on the first read of a paid request only', async () => {
    const tpaga = await start();
    const pr = await create();
    expect((await call('GET', `${pr.token}/info/`)).body.checked_by_merchant_at).toBeNull();
    await tpaga.pay(pr.token);
    clock += 1_234;
    const first = await call('GET', `${pr.token}/info`);
    expect(first.body).toMatchObject({
      status: 'paid',
      checked_by_merchant_at: '2025-11-22T10:00:01.234-05:00',
    });
    clock += 5_000;
    expect((await call('GET', `${pr.token}/info`)).body.checked_by_merchant_at).toBe(
      '2025-11-22T10:00:01.234-05:00',
    );
  });

  it('delivers a paid request on the first read in implicit mode', async () => {
    const tpaga = await start({ merchants: [{ ...TpagaSandboxMerchant, deliveryMode: 'implicit' }] });
    const pr = await create();
    await tpaga.pay(pr.token);
    const { body } = await call('GET', `${pr.token}/info`);
    expect(body.status).toBe('delivered');
    expect(body.delivery_notification_at).toBe('2025-11-22T10:00:00.000-05:00');
    expect(body.delivery_notification_at).toBe(body.checked_by_merchant_at);
  });

  it('expires a created request lazily once the clock reaches expires_at', async () => {
    const tpaga = await start();
    const pr = await create();
    clock = t0 + 30 * 60_000 - 1;
    expect((await call('GET', `${pr.token}/info`)).body.status).toBe('created');
    clock += 1;
    const { body } = await call('GET', `${pr.token}/info`);
    expect(body).toMatchObject({
      status: 'expired',
      expires_at: '2025-11-22T10:30:00.000-05:00',
      cancelled_at: null,
    });
    expect(tpaga.listSessions()[0]?.deliveries).toEqual([]);
  });
});

describe('Tpaga sandbox confirm_delivery, refund and cancel', () => {
  it('confirms delivery of a paid request, then answers repeats unchanged', async () => {
    const tpaga = await start();
    const pr = await create();
    await tpaga.pay(pr.token);
    clock += 60_000;
    const first = await change('confirm_delivery', pr.token);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'delivered',
      delivery_notification_at: '2025-11-22T10:01:00.000-05:00',
    });
    clock += 60_000;
    const again = await change('confirm_delivery/', pr.token);
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
  });

  it('refunds paid and delivered requests, then answers repeats unchanged', async () => {
    const tpaga = await start();
    const paid = await create();
    const delivered = await create();
    await tpaga.pay(paid.token);
    await tpaga.pay(delivered.token);
    await change('confirm_delivery', delivered.token);
    for (const token of [paid.token, delivered.token]) {
      expect((await change('refund', token)).body.status).toBe('reverted');
      const again = await change('refund', token);
      expect(again).toMatchObject({ status: 200, body: { status: 'reverted' } });
    }
  });

  it('cancels a created request, then answers repeats unchanged', async () => {
    await start();
    const pr = await create();
    clock += 1_500;
    const first = await change('cancel', pr.token);
    expect(first.body).toMatchObject({ status: 'cancelled', cancelled_at: '2025-11-22T10:00:01.500-05:00' });
    clock += 1_500;
    expect((await change('cancel', pr.token)).text).toBe(first.text);
  });

  it('answers a state error for every transition not allowed', async () => {
    const tpaga = await start();
    const created = await create();
    const failed = await create();
    await tpaga.fail(failed.token);
    const expired = await create({ expires_at: '2001-01-01' });
    expect((await change('confirm_delivery', created.token)).text).toBe(stateError(created.token, 'created'));
    expect((await change('refund', created.token)).text).toBe(stateError(created.token, 'created'));
    expect((await change('cancel', failed.token)).text).toBe(stateError(failed.token, 'failed'));
    const res = await change('cancel', expired.token);
    expect(res.status).toBe(422);
    expect(res.text).toBe(stateError(expired.token, 'expired'));
  });

  it("answers can't be blank without a token and the unknown-token 422 for a made-up one", async () => {
    await start();
    for (const action of ['confirm_delivery', 'refund', 'cancel']) {
      const missing = await call('POST', action, {});
      expect(missing.status).toBe(422);
      expect(missing.text).toBe(
        `{"error_code":1,"error_message":"Input error: can't be blank","field_name":"payment_request_token","rejected_value":null}`,
      );
      expect((await change(action, 'pr-0')).text).toBe(unknown('pr-0'));
    }
  });
});
