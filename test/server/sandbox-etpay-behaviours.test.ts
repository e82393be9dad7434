import { decodeJwt, jwtVerify } from 'jose';
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

const statusOf = (body: string) => decodeJwt(paymentJwt(body)).payment_status;

describe('ETpay sandbox: scripted notifications', () => {
  it('redirects first and notifies later in delay mode', async () => {
    etpay = await startEtpay({ webhook: { mode: 'delay', delayMs: 200 } });
    const { token } = await etpay.initialize();
    const response = await etpay.decide(token, 'approve');
    expect(response.status).toBe(303);
    expect(etpay.merchant.requests).toHaveLength(0);
    const [hook] = await etpay.merchant.waitFor(1);
    expect(paymentJwt(hook!.body)).toBe(jwtFromLocation(response.headers.get('location')));
  });

  it('sends the same body twice in duplicate mode', async () => {
    etpay = await startEtpay();
    etpay.sandbox.setWebhookBehaviour({ mode: 'duplicate' });
    const { token } = await etpay.initialize();
    await etpay.decide(token, 'approve');
    const [first, second] = await etpay.merchant.waitFor(2);
    expect(second!.body).toBe(first!.body);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(90);
  });

  it('sends nothing in drop mode while the return still carries the JWT', async () => {
    etpay = await startEtpay({ webhook: { mode: 'drop' } });
    const { token } = await etpay.initialize();
    const response = await etpay.decide(token, 'approve');
    expect(response.headers.get('location')).toContain('jwt=');
    expect(etpay.sandbox.getSession(token)?.deliveries.map((d) => d.state)).toEqual(['dropped']);
    // A later notification in normal mode is awaited by the decision: once it has arrived,
    // anything the dropped one had sent would have arrived before it.
    const marker = await etpay.initialize();
    etpay.sandbox.setSessionWebhookBehaviour(marker.token, { mode: 'normal' });
    await etpay.decide(marker.token, 'approve');
    expect(etpay.merchant.requests).toHaveLength(1);
  });

  it('delivers held notifications newest first in reorder mode', async () => {
    etpay = await startEtpay({ webhook: { mode: 'reorder' }, holdMs: 60_000 });
    const { token } = await etpay.initialize();
    await etpay.decide(token, 'reject');
    await etpay.sandbox.attempt(token, 'success');
    expect(etpay.merchant.requests).toHaveLength(0);
    await etpay.sandbox.flush();
    expect(etpay.merchant.requests.map((r) => statusOf(r.body))).toEqual(['success', 'error']);
  });

  it('applies a per-session behaviour over the sandbox default', async () => {
    etpay = await startEtpay();
    const dropped = await etpay.initialize();
    const normal = await etpay.initialize();
    etpay.sandbox.setSessionWebhookBehaviour(dropped.token, { mode: 'drop' });
    await etpay.decide(dropped.token, 'approve');
    await etpay.decide(normal.token, 'approve');
    expect(etpay.merchant.requests.map((r) => decodeJwt(paymentJwt(r.body)).session_token)).toEqual([
      normal.token,
    ]);
  });

  it('records a failed delivery and still redirects when the merchant answers 500', async () => {
    etpay = await startEtpay();
    etpay.merchant.status = 500;
    const { token } = await etpay.initialize();
    expect((await etpay.decide(token, 'approve')).status).toBe(303);
    expect(etpay.sandbox.getSession(token)?.deliveries[0]).toMatchObject({ state: 'failed', status: 500 });
  });
});

describe('ETpay sandbox: attempt()', () => {
  it('adds a late success to a decided session and notifies it', async () => {
    etpay = await startEtpay();
    const { token, signature_token } = await etpay.initialize();
    await etpay.decide(token, 'reject', { user_rut: '12345678-5' });
    const late = await etpay.sandbox.attempt(token, 'success');
    expect(late.paymentToken).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(etpay.merchant.requests.map((r) => statusOf(r.body))).toEqual(['error', 'success']);
    expect(paymentJwt(etpay.merchant.requests[1]!.body)).toBe(late.jwt);
    const { payload } = await jwtVerify(late.jwt, new TextEncoder().encode(signature_token), {
      algorithms: ['HS256'],
    });
    expect(payload).toMatchObject({ payment_status: 'success', user_rut: '12345678-5' });
    expect(etpay.sandbox.getSession(token)?.status).toBe('success');
  });

  it('adds an attempt to an expired session', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize();
    etpay.sandbox.expire(token);
    await etpay.sandbox.attempt(token, 'success');
    const status = await etpay.api('/merchant/check_payment_status', {
      ...credentials,
      session_token: token,
    });
    expect(((await status.json()) as unknown[]).length).toBe(1);
  });

  it('throws for an unknown token', async () => {
    etpay = await startEtpay();
    await expect(etpay.sandbox.attempt('nope', 'success')).rejects.toThrow(/nope/);
    expect(() => etpay.sandbox.expire('nope')).toThrow(/nope/);
  });
});

describe('ETpay sandbox: scripted API faults', () => {
  it('answers 500 internal error for the next n calls, then normally', async () => {
    etpay = await startEtpay();
    etpay.sandbox.failApi('5xx', 2);
    const order = { ...credentials, merchant_order_id: 'OC-1', order_amount: 1000 };
    for (let i = 0; i < 2; i++) {
      const failed = await etpay.api('/session/initialize', order);
      expect(failed.status).toBe(500);
      expect(await failed.json()).toEqual({ message: 'internal error' });
    }
    expect((await etpay.api('/session/initialize', order)).status).toBe(200);
  });

  it('leaves the funnel and the control API alone', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize();
    etpay.sandbox.failApi('5xx', 1);
    expect((await fetch(`${etpay.base}/pmt/session/${token}`)).status).toBe(200);
    expect((await fetch(`${etpay.base}/_sim/sessions`)).status).toBe(200);
    const status = await etpay.api('/merchant/check_payment_status', {
      ...credentials,
      session_token: token,
    });
    expect(status.status).toBe(500);
  });

  it('holds a call without an answer, then closes the connection', async () => {
    etpay = await startEtpay({ hangMs: 150 });
    etpay.sandbox.failApi('timeout', 1);
    const started = Date.now();
    const outcome = await etpay
      .api('/session/initialize', { ...credentials, merchant_order_id: 'OC-1', order_amount: 1000 })
      .then(
        (response) => `answered ${response.status}`,
        () => 'closed',
      );
    expect(outcome).toBe('closed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await etpay.initialize()).token).toMatch(/^[A-Za-z0-9]{64}$/);
  });

  it('lets a client give up before the hang ends', async () => {
    etpay = await startEtpay();
    etpay.sandbox.failApi('timeout', 1);
    const request = fetch(`${etpay.base}/api/session/initialize`, {
      method: 'POST',
      body: JSON.stringify(credentials),
      signal: AbortSignal.timeout(100),
    });
    await expect(request).rejects.toThrow();
  });

  it('forgets scripted faults and behaviours on reset', async () => {
    etpay = await startEtpay();
    etpay.sandbox.failApi('5xx', 3);
    etpay.sandbox.setWebhookBehaviour({ mode: 'drop' });
    etpay.sandbox.resetBehaviours();
    const { token } = await etpay.initialize();
    await etpay.decide(token, 'approve');
    expect(etpay.merchant.requests).toHaveLength(1);
  });
});
