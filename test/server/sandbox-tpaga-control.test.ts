import { afterEach, describe, expect, it } from 'vitest';
import { type TpagaSandbox, TpagaSandboxMerchant } from '../../server/sandbox/tpaga/index.js';
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

async function start(): Promise<TpagaSandbox> {
  fixture = await startTpaga({ holdMs: 60_000 });
  ({ sandbox, merchant, base } = fixture);
  return sandbox;
}

const auth = basicAuth();

async function sim(path: string, body?: unknown) {
  const res = await fetch(`${base}/_sim/${path}`, {
    method: body === 'GET' ? 'GET' : 'POST',
    ...(body === undefined || body === 'GET'
      ? {}
      : {
          headers: { 'Content-Type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
  });
  return { status: res.status, body: await res.json() };
}

let serial = 0;
async function create(): Promise<{ token: string; tpaga_payment_url: string }> {
  const res = await fetch(`${base}/merchants/api/v1/payment_requests/create`, {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      cost: '15000',
      purchase_details_url: 'https://pay.shop.example/return/ps_1',
      idempotency_token: `ps_control_${++serial}`,
      order_id: `order-${serial}`,
      terminal_id: 'web',
      purchase_description: 'Compra',
      user_ip_address: '203.0.113.7',
      expires_at: '2099-01-01T00:00:00Z',
    }),
  });
  return res.json();
}

async function status(token: string): Promise<string> {
  const res = await fetch(`${base}/merchants/api/v1/payment_requests/${token}/info`, {
    headers: { Authorization: auth },
  });
  return (await res.json()).status;
}

describe('Tpaga sandbox control API', () => {
  it('registers a merchant webhook base, then pays and fails requests with their webhook', async () => {
    await start();
    const registered = await sim(`merchants/${TpagaSandboxMerchant.username}/webhook`, {
      url: `${merchant!.url}/webhooks/tpaga`,
    });
    expect(registered).toEqual({
      status: 200,
      body: { username: 'pasarela-sandbox', webhookBase: `${merchant!.url}/webhooks/tpaga` },
    });
    const paid = await create();
    const failed = await create();
    expect((await sim(`sessions/${paid.token}/pay`)).body).toMatchObject({
      token: paid.token,
      status: 'paid',
    });
    expect((await sim(`sessions/${failed.token}/fail`)).body.status).toBe('failed');
    expect(merchant!.requests.map((r) => r.path)).toEqual([
      `/webhooks/tpaga/${paid.token}`,
      `/webhooks/tpaga/${failed.token}`,
    ]);
    expect(await status(failed.token)).toBe('failed');
  });

  it('answers 409 to pay or fail a request that is not created', async () => {
    await start();
    const pr = await create();
    await sim(`sessions/${pr.token}/pay`);
    const again = await sim(`sessions/${pr.token}/fail`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('invalid_state');
  });

  it('expires and auto-reverts requests', async () => {
    await start();
    const expiring = await create();
    expect((await sim(`sessions/${expiring.token}/expire`)).body.status).toBe('expired');
    expect(await status(expiring.token)).toBe('expired');
    const paid = await create();
    await sim(`sessions/${paid.token}/pay`);
    expect((await sim(`sessions/${paid.token}/auto-revert`)).body.status).toBe('reverted');
    expect((await sim(`sessions/${paid.token}/auto-revert`)).status).toBe(409);
  });

  it('lists the sessions with their Tpaga status and deliveries', async () => {
    await start();
    await sim(`merchants/${TpagaSandboxMerchant.username}/webhook`, { url: merchant!.url });
    const pr = await create();
    await sim(`sessions/${pr.token}/pay`);
    const { body } = await sim('sessions', 'GET');
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({
      token: pr.token,
      orderId: `order-${serial}`,
      amount: 15000,
      status: 'paid',
      expiresAt: '2098-12-31T19:00:00.000-05:00',
      buyerUrl: pr.tpaga_payment_url,
      deliveries: [
        { id: 1, session: pr.token, url: `${merchant!.url}/${pr.token}`, body: null, state: 'delivered' },
      ],
    });
    expect(body[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-05:00$/);
  });

  it('replays a logged delivery', async () => {
    await start();
    await sim(`merchants/${TpagaSandboxMerchant.username}/webhook`, { url: merchant!.url });
    const pr = await create();
    await sim(`sessions/${pr.token}/pay`);
    const replay = await sim('deliveries/1/replay');
    expect(replay).toMatchObject({ status: 200, body: { id: 2, state: 'delivered', body: null } });
    expect(merchant!.requests.map((r) => r.body)).toEqual(['', '']);
  });

  it('scripts webhook modes, per sandbox and per session, and flushes held ones', async () => {
    await start();
    await sim(`merchants/${TpagaSandboxMerchant.username}/webhook`, { url: merchant!.url });
    expect((await sim('webhook', { mode: 'reorder' })).body).toEqual({ webhook: { mode: 'reorder' } });
    const [first, second, dropped] = [await create(), await create(), await create()];
    expect((await sim(`sessions/${dropped.token}/webhook`, { mode: 'drop' })).status).toBe(200);
    for (const pr of [first, second, dropped]) await sim(`sessions/${pr.token}/pay`);
    expect(merchant!.requests).toHaveLength(0);
    expect(await sim('flush')).toEqual({ status: 200, body: { ok: true } });
    expect(merchant!.requests.map((r) => r.path)).toEqual([`/${second.token}`, `/${first.token}`]);
  });

  it('scripts API faults, the disabled 403 and the unwrapped 409, and resets them', async () => {
    await start();
    expect((await sim('api', { fault: '5xx', count: 1 })).body).toEqual({ fault: '5xx', count: 1 });
    expect((await fetch(`${base}/merchants/api/v1/payment_requests/pr-0/info`)).status).toBe(500);
    expect((await sim('api', { disabled: true })).body).toEqual({ disabled: true });
    const disabled = await fetch(`${base}/merchants/api/v1/payment_requests/pr-0/info`, {
      headers: { Authorization: auth },
    });
    expect(disabled.status).toBe(403);
    expect((await sim('idempotency', { unwrapped: true })).body).toEqual({ unwrapped: true });
    expect(await sim('reset')).toEqual({ status: 200, body: { ok: true } });
    expect((await create()).token).toMatch(/^pr-/);
  });

  it('answers 400 with an error code and message for invalid control bodies', async () => {
    await start();
    const cases: Array<[string, unknown, string]> = [
      ['webhook', '{not json', 'invalid_json'],
      ['webhook', { mode: 'sometimes' }, 'invalid_request'],
      ['webhook', { mode: 'delay', delayMs: -1 }, 'invalid_request'],
      ['webhook', { mode: 'normal', extra: 1 }, 'invalid_request'],
      ['api', { fault: '4xx', count: 1 }, 'invalid_request'],
      ['api', { fault: '5xx', count: 0 }, 'invalid_request'],
      ['api', { disabled: 'yes' }, 'invalid_request'],
      ['api', {}, 'invalid_request'],
      ['idempotency', { unwrapped: 1 }, 'invalid_request'],
      [`merchants/${TpagaSandboxMerchant.username}/webhook`, { url: 'ftp://x' }, 'invalid_request'],
      [`merchants/${TpagaSandboxMerchant.username}/webhook`, {}, 'invalid_request'],
      ['deliveries/abc/replay', undefined, 'invalid_request'],
    ];
    for (const [path, body, code] of cases) {
      const res = await sim(path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.error.code).toBe(code);
      expect(typeof res.body.error.message).toBe('string');
    }
  });

  it('answers 404 for unknown tokens, merchants and deliveries', async () => {
    await start();
    for (const action of ['pay', 'fail', 'expire', 'auto-revert']) {
      const res = await sim(`sessions/pr-unknown/${action}`);
      expect(res).toMatchObject({ status: 404, body: { error: { code: 'session_not_found' } } });
    }
    expect((await sim('sessions/pr-unknown/webhook', { mode: 'drop' })).status).toBe(404);
    expect((await sim('merchants/nobody/webhook', { url: 'https://x.example' })).status).toBe(404);
    expect((await sim('deliveries/99/replay')).status).toBe(404);
  });

  it('needs no Basic auth and ignores API faults', async () => {
    const tpaga = await start();
    tpaga.failApi('5xx', 5);
    tpaga.setDisabled(true);
    expect((await sim('sessions', 'GET')).status).toBe(200);
  });
});
