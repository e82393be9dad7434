import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { credentials, type EtpayFixture, paymentJwt, startEtpay } from './sandbox-etpay.fixture.js';

let etpay: EtpayFixture;
afterEach(async () => {
  await etpay?.close();
});

const sim = (path: string, body?: unknown) =>
  fetch(`${etpay.base}/_sim${path}`, {
    method: body === undefined && path === '/sessions' ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

async function expectSimError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message).toEqual(expect.any(String));
}

describe('ETpay sandbox: control API', () => {
  it('sets the default and per-session webhook behaviours', async () => {
    etpay = await startEtpay();
    const dropped = await etpay.initialize();
    const delayed = await etpay.initialize();
    const set = await sim('/webhook', { mode: 'delay', delayMs: 100 });
    expect(await set.json()).toEqual({ webhook: { mode: 'delay', delayMs: 100 } });
    expect((await sim(`/sessions/${dropped.token}/webhook`, { mode: 'drop' })).status).toBe(200);
    await etpay.decide(dropped.token, 'approve');
    await etpay.decide(delayed.token, 'approve');
    expect(etpay.merchant.requests).toHaveLength(0);
    const [hook] = await etpay.merchant.waitFor(1);
    expect(decodeJwt(paymentJwt(hook!.body)).session_token).toBe(delayed.token);
  });

  it('scripts API faults and resets them', async () => {
    etpay = await startEtpay();
    expect(await (await sim('/api', { fault: '5xx', count: 2 })).json()).toEqual({ fault: '5xx', count: 2 });
    expect((await etpay.api('/merchant/check_payment_status', credentials)).status).toBe(500);
    expect((await sim('/reset')).status).toBe(200);
    expect((await etpay.api('/merchant/check_payment_status', credentials)).status).toBe(400);
  });

  it('expires a session, adds an attempt and flushes held notifications', async () => {
    etpay = await startEtpay({ holdMs: 60_000 });
    const { token } = await etpay.initialize();
    await sim('/webhook', { mode: 'reorder' });
    const expired = await sim(`/sessions/${token}/expire`);
    expect(await expired.json()).toMatchObject({ token, status: 'expired' });
    const first = await sim(`/sessions/${token}/attempt`, { status: 'error' });
    const second = await sim(`/sessions/${token}/attempt`, { status: 'success' });
    const attempt = (await second.json()) as Record<string, string>;
    expect(Object.keys(attempt).sort()).toEqual(['jwt', 'payment_status', 'payment_token']);
    expect(attempt.payment_status).toBe('success');
    expect(first.status).toBe(200);
    expect(etpay.merchant.requests).toHaveLength(0);
    expect(await (await sim('/flush')).json()).toEqual({ ok: true });
    expect(etpay.merchant.requests.map((r) => decodeJwt(paymentJwt(r.body)).payment_status)).toEqual([
      'success',
      'error',
    ]);
  });

  it('lists the sessions with their status and deliveries', async () => {
    const now = Date.UTC(2025, 10, 22, 10, 0, 0);
    etpay = await startEtpay({ now: () => now });
    const created = await etpay.initialize({ merchant_order_id: 'A-1', order_amount: 1200 });
    const paid = await etpay.initialize({ merchant_order_id: 'B-2' });
    await etpay.decide(paid.token, 'approve');
    const response = await sim('/sessions');
    const sessions = (await response.json()) as Array<Record<string, unknown>>;
    expect(sessions).toEqual(etpay.sandbox.listSessions());
    expect(sessions[0]).toEqual({
      token: created.token,
      orderId: 'A-1',
      amount: 1200,
      status: 'created',
      createdAt: '2025-11-22T10:00:00.000Z',
      expiresAt: '2025-11-22T10:30:00.000Z',
      buyerUrl: `${etpay.base}/pmt/session/${created.token}`,
      deliveries: [],
    });
    expect(sessions[1]).toMatchObject({
      status: 'success',
      deliveries: [{ state: 'delivered', status: 200 }],
    });
    expect(JSON.stringify(sessions)).not.toContain(paid.signature_token);
  });

  it('replays a logged delivery', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize();
    await etpay.decide(token, 'approve');
    const id = etpay.sandbox.getSession(token)!.deliveries[0]!.id;
    const replay = await sim(`/deliveries/${id}/replay`);
    expect(await replay.json()).toMatchObject({ session: token, state: 'delivered' });
    expect(etpay.merchant.requests).toHaveLength(2);
    expect(etpay.merchant.requests[1]?.body).toBe(etpay.merchant.requests[0]?.body);
  });

  it('refuses bad control bodies with 400 and a code', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize();
    await expectSimError(await sim('/webhook', '{nope'), 400, 'invalid_json');
    await expectSimError(await sim('/webhook', { mode: 'sometimes' }), 400, 'invalid_request');
    await expectSimError(await sim('/webhook', {}), 400, 'invalid_request');
    await expectSimError(await sim('/webhook', { mode: 'delay', delayMs: -1 }), 400, 'invalid_request');
    await expectSimError(await sim('/webhook', []), 400, 'invalid_request');
    await expectSimError(await sim('/api', { fault: '4xx', count: 1 }), 400, 'invalid_request');
    await expectSimError(await sim('/api', { fault: 'timeout', count: 0 }), 400, 'invalid_request');
    await expectSimError(await sim('/api', { fault: 'timeout', count: 1.5 }), 400, 'invalid_request');
    await expectSimError(await sim(`/sessions/${token}/attempt`, {}), 400, 'invalid_request');
    await expectSimError(await sim(`/sessions/${token}/attempt`, { status: '' }), 400, 'invalid_request');
    await expectSimError(await sim('/deliveries/abc/replay'), 400, 'invalid_request');
  });

  it('answers 404 for unknown sessions and deliveries', async () => {
    etpay = await startEtpay();
    await expectSimError(await sim('/sessions/nope/expire'), 404, 'session_not_found');
    await expectSimError(
      await sim('/sessions/nope/attempt', { status: 'success' }),
      404,
      'session_not_found',
    );
    await expectSimError(await sim('/sessions/nope/webhook', { mode: 'drop' }), 404, 'session_not_found');
    await expectSimError(await sim('/deliveries/999/replay'), 404, 'delivery_not_found');
  });
});

describe('ETpay sandbox: hostile input', () => {
  it('never answers 500 to malformed requests', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize();
    const requests: Array<[string, RequestInit]> = [
      ['/api/session/initialize', { method: 'POST', body: '\u0000\u00ff' }],
      ['/api/session/initialize', { method: 'POST', body: '{"a":1}'.repeat(1000) }],
      ['/api/session/initialize', { method: 'POST', body: JSON.stringify({ ...credentials, metadata: {} }) }],
      [
        '/api/session/initialize',
        { method: 'POST', headers: { 'Content-Type': 'multipart/form-data' }, body: 'x' },
      ],
      ['/api/merchant/check_payment_status', { method: 'POST', body: '{"merchant_api_token":{}}' }],
      ['/api/merchant/check_payment_status', { method: 'POST', body: '1e999' }],
      [
        `/pmt/session/${token}/bank`,
        { method: 'POST', headers: { 'Content-Type': 'multipart/form-data' }, body: 'x' },
      ],
      [
        `/pmt/session/${token}/bank`,
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' },
      ],
      [`/pmt/session/${token}/decision`, { method: 'POST', body: 'action=%ZZ' }],
      ['/pmt/session/%E0%A4%A', { method: 'GET' }],
      ['/pmt/finalizado?jwt=not.a.jwt', { method: 'GET' }],
      ['/_sim/deliveries/1e999/replay', { method: 'POST' }],
      ['/_sim/api', { method: 'POST', body: '{"fault":"5xx","count":"many"}' }],
    ];
    for (const [path, init] of requests) {
      const response = await fetch(`${etpay.base}${path}`, init);
      await response.body?.cancel();
      expect(response.status, path).toBeLessThan(500);
    }
    expect(etpay.sandbox.getSession(token)?.status).toBe('created');
  });
});
