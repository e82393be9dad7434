import { describe, expect, it } from 'vitest';
import type { TpagaSandbox } from '../../server/sandbox/tpaga/index.js';
import { basicAuth, type TpagaFixture, tpagaPerTest } from './sandbox-tpaga.fixture.js';

const startTpaga = tpagaPerTest();
let t: TpagaFixture;

async function start(): Promise<TpagaSandbox> {
  t = await startTpaga();
  return t.sandbox;
}

function post(path: string, body: string, contentType = 'application/json') {
  return t.api('POST', path, body, { Authorization: basicAuth(), 'Content-Type': contentType });
}

/** The create fields in TPAGA.md §4.1 table order (optional ones left out). */
const valid: Array<[string, unknown]> = [
  ['cost', '12000'],
  ['purchase_details_url', 'https://pay.shop.example/return/ps_1'],
  ['idempotency_token', 'ps_validation'],
  ['order_id', '348820'],
  ['terminal_id', 'web'],
  ['purchase_description', 'Compra en Tienda X'],
  ['user_ip_address', '203.0.113.7'],
  ['expires_at', '2099-11-22T15:30:00.000+00:00'],
];

function body(overrides: Record<string, unknown>): string {
  return JSON.stringify({ ...Object.fromEntries(valid), ...overrides });
}

function inputError(field: string, message: string, rejected: unknown): string {
  return JSON.stringify({
    error_code: 1,
    error_message: `Input error: ${message}`,
    field_name: field,
    rejected_value: rejected,
  });
}

describe('Tpaga sandbox create validation', () => {
  it('answers the recorded 422 for cost 0, byte for byte', async () => {
    await start();
    const res = await post('payment_requests/create', body({ cost: 0 }));
    expect(res.status).toBe(422);
    expect(await res.text()).toBe(
      '{"error_code":1,"error_message":"Input error: must be greater than 0","field_name":"cost","rejected_value":0}',
    );
  });

  it('reports the first missing field in table order', async () => {
    await start();
    for (let present = 0; present < valid.length; present++) {
      const sent = JSON.stringify(Object.fromEntries(valid.slice(0, present)));
      const res = await post('payment_requests/create', sent);
      const field = valid[present]![0];
      expect(res.status, field).toBe(422);
      expect(await res.text()).toBe(inputError(field, "can't be blank", null));
    }
  });

  it('checks cost before any other field', async () => {
    await start();
    const res = await post('payment_requests/create', JSON.stringify({ cost: 'abc', order_id: '' }));
    expect(await res.text()).toBe(inputError('cost', 'is not a number', 'abc'));
  });

  it('answers each invalid value with its message and the raw input', async () => {
    await start();
    const cases: Array<[Record<string, unknown>, string, string, unknown]> = [
      [{ cost: '' }, 'cost', "can't be blank", ''],
      [{ cost: null }, 'cost', "can't be blank", null],
      [{ cost: 'abc' }, 'cost', 'is not a number', 'abc'],
      [{ cost: true }, 'cost', 'is not a number', true],
      [{ cost: { value: 1 } }, 'cost', 'is not a number', { value: 1 }],
      [{ cost: '-5' }, 'cost', 'must be greater than 0', '-5'],
      [{ cost: -1.5 }, 'cost', 'must be greater than 0', -1.5],
      [{ cost: '0.00' }, 'cost', 'must be greater than 0', '0.00'],
      [{ purchase_details_url: '   ' }, 'purchase_details_url', "can't be blank", '   '],
      [{ voucher_url: ['x'] }, 'voucher_url', 'is invalid', ['x']],
      [{ idempotency_token: '' }, 'idempotency_token', "can't be blank", ''],
      [{ order_id: { id: 1 } }, 'order_id', 'is invalid', { id: 1 }],
      [{ terminal_id: false }, 'terminal_id', 'is invalid', false],
      [{ purchase_description: [] }, 'purchase_description', "can't be blank", []],
      [{ user_ip_address: '' }, 'user_ip_address', "can't be blank", ''],
      [{ expires_at: '' }, 'expires_at', "can't be blank", ''],
      [{ expires_at: 'mañana' }, 'expires_at', 'is invalid', 'mañana'],
      [{ expires_at: '2099-02-30' }, 'expires_at', 'is invalid', '2099-02-30'],
      [{ expires_at: 4102444800 }, 'expires_at', 'is invalid', 4102444800],
      [{ miniapp_user_token: { a: 1 } }, 'miniapp_user_token', 'is invalid', { a: 1 }],
    ];
    for (const [overrides, field, message, rejected] of cases) {
      const res = await post('payment_requests/create', body(overrides));
      expect(res.status, JSON.stringify(overrides)).toBe(422);
      expect(await res.text()).toBe(inputError(field, message, rejected));
    }
  });

  it('echoes a rejected number as it was written', async () => {
    await start();
    const res = await post('payment_requests/create', body({}).replace('"12000"', '0.0'));
    expect(await res.text()).toBe(inputError('cost', 'must be greater than 0', 0).replace(':0}', ':0.0}'));
  });

  it('treats a JSON body that is not an object as empty', async () => {
    await start();
    const res = await post('payment_requests/create', '[1,2]');
    expect(await res.text()).toBe(inputError('cost', "can't be blank", null));
  });

  it('reads no parameters from a body of another content type', async () => {
    await start();
    const res = await post('payment_requests/create', body({}), 'text/plain');
    expect(await res.text()).toBe(inputError('cost', "can't be blank", null));
  });
});

describe('Tpaga sandbox bad input', () => {
  it('never answers 500', async () => {
    await start();
    const weird: Array<[string, string, string]> = [
      ['payment_requests/create', `${'['.repeat(5_000)}${']'.repeat(5_000)}`, 'application/json'],
      ['payment_requests/create', '{"cost":"1e999999999"}', 'application/json'],
      ['payment_requests/create', '"\ud800"', 'application/json'],
      ['payment_requests/create', '--x\r\nbroken', 'multipart/form-data; boundary=x'],
      ['payment_requests/create', 'cost[=1&cost]]=2&a[][][]=3&%ZZ=4', 'application/x-www-form-urlencoded'],
      ['payment_requests/create', '\u0000\u0001', 'application/json'],
      ['payment_requests/refund', '{"payment_request_token":{"x":[]}}', 'application/json'],
      ['payment_requests/cancel', '{"payment_request_token":12}', 'application/json'],
      ['payment_requests/confirm_delivery', 'payment_request_token[]=a', ''],
    ];
    for (const [path, sent, type] of weird) {
      const res = await post(path, sent, type);
      expect(res.status, `${path} ${sent.slice(0, 40)}`).toBeLessThan(500);
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    const odd = await fetch(`${t.base}/merchants/api/v1/payment_requests/%E0%A4%A/info`, {
      headers: { Authorization: basicAuth() },
    });
    expect(odd.status).toBe(422);
    for (const path of ['/w/%ZZ', '/w/eyJ9', `/w/${'A'.repeat(10_000)}`, '/w/', '/w']) {
      expect((await fetch(`${t.base}${path}`)).status, path).toBe(404);
      expect((await fetch(`${t.base}${path}`, { method: 'POST', body: 'action=approve' })).status).toBe(404);
    }
  });
});
