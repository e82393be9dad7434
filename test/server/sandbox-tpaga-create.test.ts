import { describe, expect, it } from 'vitest';
import {
  type TpagaSandbox,
  TpagaSandboxMerchant,
  type TpagaSandboxOptions,
} from '../../server/sandbox/tpaga/index.js';
import { basicAuth, createInput, type TpagaFixture, tpagaPerTest } from './sandbox-tpaga.fixture.js';

const startTpaga = tpagaPerTest();
let t: TpagaFixture;

async function start(options: Partial<TpagaSandboxOptions> = {}): Promise<TpagaSandbox> {
  t = await startTpaga(options);
  return t.sandbox;
}

const auth = basicAuth();

const keyOrder = [
  'miniapp_user_token',
  'cost',
  'purchase_details_url',
  'voucher_url',
  'idempotency_token',
  'order_id',
  'terminal_id',
  'purchase_description',
  'purchase_items',
  'user_ip_address',
  'merchant_user_id',
  'token',
  'tpaga_payment_url',
  'status',
  'expires_at',
  'cancelled_at',
  'checked_by_merchant_at',
  'delivery_notification_at',
];

describe('Tpaga sandbox API authentication', () => {
  const calls: Array<[string, string]> = [
    ['POST', 'payment_requests/create'],
    ['GET', 'payment_requests/pr-1/info'],
    ['POST', 'payment_requests/confirm_delivery'],
    ['POST', 'payment_requests/refund'],
    ['POST', 'payment_requests/cancel'],
  ];

  it('answers 401 with the Rails realm and text on every endpoint without or with wrong credentials', async () => {
    await start();
    const wrong = `Basic ${btoa(`${TpagaSandboxMerchant.username}:nope`)}`;
    for (const [method, path] of calls) {
      const attempts: Array<Record<string, string>> = [
        {},
        { Authorization: wrong },
        { Authorization: 'Bearer x' },
      ];
      for (const headers of attempts) {
        const res = await fetch(`${t.base}/merchants/api/v1/${path}`, { method, headers });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="Application"');
        expect(await res.text()).toBe('HTTP Basic: Access denied.');
      }
    }
  });
});

describe('Tpaga sandbox create', () => {
  it('answers 201 with the payment request in Tpaga key order', async () => {
    await start();
    const sent = createInput({ idempotency_token: 'ps_3kVx9QmT2bLw8ZpR5nYc7A' });
    const res = await t.api('POST', 'payment_requests/create', sent);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = await res.json();
    expect(Object.keys(body)).toEqual(keyOrder);
    expect(body.token).toMatch(/^pr-[0-9a-f]{72}$/);
    expect(body).toEqual({
      miniapp_user_token: null,
      cost: '12000.0',
      purchase_details_url: 'https://pay.shop.example/return/ps_1',
      voucher_url: null,
      idempotency_token: 'ps_3kVx9QmT2bLw8ZpR5nYc7A',
      order_id: '348820',
      terminal_id: 'web',
      purchase_description: 'Compra en Tienda X',
      purchase_items: [{ name: '2 x Café molido 500 g', value: '12000' }],
      user_ip_address: '203.0.113.7',
      merchant_user_id: null,
      token: body.token,
      tpaga_payment_url: body.tpaga_payment_url,
      status: 'created',
      expires_at: '2099-11-22T10:30:00.000-05:00',
      cancelled_at: null,
      checked_by_merchant_at: null,
      delivery_notification_at: null,
    });
  });

  it('links to its wallet page with the base64 of the compact link JSON', async () => {
    await start();
    const body = await (await t.api('POST', 'payment_requests/create', createInput())).json();
    const prefix = `${t.base}/w/`;
    expect(body.tpaga_payment_url.startsWith(prefix)).toBe(true);
    const encoded = body.tpaga_payment_url.slice(prefix.length);
    expect(encoded).toMatch(/^[A-Za-z0-9]+=*$/);
    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe(
      `{"m":{"o":"PR"},"d":{"s":"pasarela","prt":"${body.token}"}}`,
    );
  });

  it('makes a new CSPRNG token for every request', async () => {
    await start();
    const a = await (await t.api('POST', 'payment_requests/create', createInput())).json();
    const b = await (await t.api('POST', 'payment_requests/create', createInput())).json();
    expect(a.token).not.toBe(b.token);
  });

  it('formats costs BigDecimal-style', async () => {
    await start();
    const cost = async (value: unknown) =>
      (await (await t.api('POST', 'payment_requests/create', createInput({ cost: value }))).json()).cost;
    expect(await cost(12000)).toBe('12000.0');
    expect(await cost('12000')).toBe('12000.0');
    expect(await cost('1200.50')).toBe('1200.5');
    expect(await cost(1200.5)).toBe('1200.5');
  });

  it('normalises expires_at to Bogotá time with milliseconds truncated', async () => {
    await start();
    const expiry = async (value: string) =>
      (await (await t.api('POST', 'payment_requests/create', createInput({ expires_at: value }))).json())
        .expires_at;
    expect(await expiry('2099-05-30T20:10:57.549653+00:00')).toBe('2099-05-30T15:10:57.549-05:00');
    expect(await expiry('2099-11-22')).toBe('2099-11-22T00:00:00.000-05:00');
    expect(await expiry('2099-11-22T10:30:00')).toBe('2099-11-22T10:30:00.000-05:00');
  });

  it('accepts an expires_at in the past and reads it as expired afterwards', async () => {
    await start();
    const res = await t.api(
      'POST',
      'payment_requests/create',
      createInput({ expires_at: '2001-01-01T00:00:00Z' }),
    );
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.status).toBe('created');
    const info = await fetch(`${t.base}/merchants/api/v1/payment_requests/${body.token}/info`, {
      headers: { Authorization: auth },
    });
    expect((await info.json()).status).toBe('expired');
  });

  it('echoes voucher_url and miniapp_user_token, and numbers sent for text fields as text', async () => {
    await start();
    const body = await (
      await t.api(
        'POST',
        'payment_requests/create',
        createInput({
          voucher_url: 'https://shop.example/v/1',
          miniapp_user_token: 'mauid-1',
          order_id: 348820,
        }),
      )
    ).json();
    expect(body).toMatchObject({
      voucher_url: 'https://shop.example/v/1',
      miniapp_user_token: 'mauid-1',
      order_id: '348820',
    });
  });

  it('echoes purchase_items verbatim on create and in jsonb key order on later reads', async () => {
    await start();
    const sent = JSON.stringify(createInput()).replace(
      /"purchase_items":\[[^\]]*\]/,
      '"purchase_items":[{"value":"12000","name":"Café","10":1.0}]',
    );
    const created = await (await t.api('POST', 'payment_requests/create', sent)).text();
    expect(created).toContain('"purchase_items":[{"value":"12000","name":"Café","10":1.0}]');
    const { token } = JSON.parse(created);
    const info = await fetch(`${t.base}/merchants/api/v1/payment_requests/${token}/info`, {
      headers: { Authorization: auth },
    });
    expect(await info.text()).toContain('"purchase_items":[{"10":1.0,"name":"Café","value":"12000"}]');
  });

  it('answers null purchase_items when none are sent', async () => {
    await start();
    const { purchase_items, ...rest } = createInput();
    expect(purchase_items).toBeDefined();
    expect((await (await t.api('POST', 'payment_requests/create', rest)).json()).purchase_items).toBeNull();
  });

  it('accepts a trailing slash', async () => {
    await start();
    expect((await t.api('POST', 'payment_requests/create/', createInput())).status).toBe(201);
  });

  it('accepts a form-encoded body with Rack-style nested items', async () => {
    await start();
    const form = new URLSearchParams(
      Object.entries(createInput({ purchase_items: undefined })).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
    form.append('purchase_items[][name]', 'Café');
    form.append('purchase_items[][value]', '12000');
    const res = await t.api('POST', 'payment_requests/create', form.toString(), {
      Authorization: auth,
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.cost).toBe('12000.0');
    expect(body.purchase_items).toEqual([{ name: 'Café', value: '12000' }]);
  });

  it('answers 400 with an empty body for unparseable JSON', async () => {
    await start();
    const res = await t.api('POST', 'payment_requests/create', '{"cost": 12000,');
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('');
  });
});
