import { describe, expect, it } from 'vitest';
import { type TpagaSandbox, TpagaSandboxMerchant } from '../../server/sandbox/tpaga/index.js';
import { basicAuth, type TpagaCreated, type TpagaFixture, tpagaPerTest } from './sandbox-tpaga.fixture.js';

const startTpaga = tpagaPerTest();
let t: TpagaFixture;

async function start(): Promise<TpagaSandbox> {
  t = await startTpaga({ holdMs: 60_000 });
  return t.sandbox;
}

let serial = 0;
/** Numbered orders for 15 000 pesos: the session listing shows both. */
function create(): Promise<TpagaCreated> {
  return t.create({
    cost: '15000',
    order_id: `order-${++serial}`,
    expires_at: '2099-01-01T00:00:00Z',
  });
}

describe('Tpaga sandbox control API', () => {
  it('registers a merchant webhook base, then pays and fails requests with their webhook', async () => {
    await start();
    const registered = await t.sim(`merchants/${TpagaSandboxMerchant.username}/webhook`, {
      url: `${t.merchant.url}/webhooks/tpaga`,
    });
    expect(registered).toEqual({
      status: 200,
      body: { username: 'pasarela-sandbox', webhookBase: `${t.merchant.url}/webhooks/tpaga` },
    });
    const paid = await create();
    const failed = await create();
    expect((await t.sim(`sessions/${paid.token}/pay`)).body).toMatchObject({
      token: paid.token,
      status: 'paid',
    });
    expect((await t.sim(`sessions/${failed.token}/fail`)).body.status).toBe('failed');
    expect(t.merchant.requests.map((r) => r.path)).toEqual([
      `/webhooks/tpaga/${paid.token}`,
      `/webhooks/tpaga/${failed.token}`,
    ]);
    expect(await t.status(failed.token)).toBe('failed');
  });

  it('answers 409 to pay or fail a request that is not created', async () => {
    await start();
    const pr = await create();
    await t.sim(`sessions/${pr.token}/pay`);
    const again = await t.sim(`sessions/${pr.token}/fail`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('invalid_state');
  });

  it('expires and auto-reverts requests', async () => {
    await start();
    const expiring = await create();
    expect((await t.sim(`sessions/${expiring.token}/expire`)).body.status).toBe('expired');
    expect(await t.status(expiring.token)).toBe('expired');
    const paid = await create();
    await t.sim(`sessions/${paid.token}/pay`);
    expect((await t.sim(`sessions/${paid.token}/auto-revert`)).body.status).toBe('reverted');
    expect((await t.sim(`sessions/${paid.token}/auto-revert`)).status).toBe(409);
  });

  it('lists the sessions with their Tpaga status and deliveries', async () => {
    await start();
    await t.sim(`merchants/${TpagaSandboxMerchant.username}/webhook`, { url: t.merchant.url });
    const pr = await create();
    await t.sim(`sessions/${pr.token}/pay`);
    const { body } = await t.sim('sessions', 'GET');
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({
      token: pr.token,
      orderId: `order-${serial}`,
      amount: 15000,
      status: 'paid',
      expiresAt: '2098-12-31T19:00:00.000-05:00',
      buyerUrl: pr.tpaga_payment_url,
      deliveries: [
        { id: 1, session: pr.token, url: `${t.merchant.url}/${pr.token}`, body: null, state: 'delivered' },
      ],
    });
    expect(body[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-05:00$/);
  });

  it('replays a logged delivery', async () => {
    await start();
    await t.sim(`merchants/${TpagaSandboxMerchant.username}/webhook`, { url: t.merchant.url });
    const pr = await create();
    await t.sim(`sessions/${pr.token}/pay`);
    const replay = await t.sim('deliveries/1/replay');
    expect(replay).toMatchObject({ status: 200, body: { id: 2, state: 'delivered', body: null } });
    expect(t.merchant.requests.map((r) => r.body)).toEqual(['', '']);
  });

  it('scripts webhook modes, per sandbox and per session, and flushes held ones', async () => {
    await start();
    await t.sim(`merchants/${TpagaSandboxMerchant.username}/webhook`, { url: t.merchant.url });
    expect((await t.sim('webhook', { mode: 'reorder' })).body).toEqual({ webhook: { mode: 'reorder' } });
    const [first, second, dropped] = [await create(), await create(), await create()];
    expect((await t.sim(`sessions/${dropped.token}/webhook`, { mode: 'drop' })).status).toBe(200);
    for (const pr of [first, second, dropped]) await t.sim(`sessions/${pr.token}/pay`);
    expect(t.merchant.requests).toHaveLength(0);
    expect(await t.sim('flush')).toEqual({ status: 200, body: { ok: true } });
    expect(t.merchant.requests.map((r) => r.path)).toEqual([`/${second.token}`, `/${first.token}`]);
  });

  it('scripts API faults, the disabled 403 and the unwrapped 409, and resets them', async () => {
    await start();
    expect((await t.sim('api', { fault: '5xx', count: 1 })).body).toEqual({ fault: '5xx', count: 1 });
    expect((await fetch(`${t.base}/merchants/api/v1/payment_requests/pr-0/info`)).status).toBe(500);
    expect((await t.sim('api', { disabled: true })).body).toEqual({ disabled: true });
    const disabled = await fetch(`${t.base}/merchants/api/v1/payment_requests/pr-0/info`, {
      headers: { Authorization: basicAuth() },
    });
    expect(disabled.status).toBe(403);
    expect((await t.sim('idempotency', { unwrapped: true })).body).toEqual({ unwrapped: true });
    expect(await t.sim('reset')).toEqual({ status: 200, body: { ok: true } });
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
      const res = await t.sim(path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.error.code).toBe(code);
      expect(typeof res.body.error.message).toBe('string');
    }
  });

  it('answers 404 for unknown tokens, merchants and deliveries', async () => {
    await start();
    for (const action of ['pay', 'fail', 'expire', 'auto-revert']) {
      const res = await t.sim(`sessions/pr-unknown/${action}`);
      expect(res).toMatchObject({ status: 404, body: { error: { code: 'session_not_found' } } });
    }
    expect((await t.sim('sessions/pr-unknown/webhook', { mode: 'drop' })).status).toBe(404);
    expect((await t.sim('merchants/nobody/webhook', { url: 'https://x.example' })).status).toBe(404);
    expect((await t.sim('deliveries/99/replay')).status).toBe(404);
  });

  it('needs no Basic auth and ignores API faults', async () => {
    const tpaga = await start();
    tpaga.failApi('5xx', 5);
    tpaga.setDisabled(true);
    expect((await t.sim('sessions', 'GET')).status).toBe(200);
  });
});
