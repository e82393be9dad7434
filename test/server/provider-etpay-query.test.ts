import { afterEach, describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '../../server/providers/http.js';
import { OperationNotSupportedError, ProviderRejectedError } from '../../server/providers/provider.js';
import { EtpaySandboxMerchant } from '../../server/sandbox/etpay/index.js';
import { type EtpayClientFixture, startEtpayClient } from './provider-etpay.fixture.js';

let etpay: EtpayClientFixture | undefined;
afterEach(async () => {
  await etpay?.close();
  etpay = undefined;
});

async function start(...args: Parameters<typeof startEtpayClient>) {
  etpay = await startEtpayClient(...args);
  return etpay;
}

describe('ETpay client: query', () => {
  it('asks check_payment_status by session_token with the merchant credentials', async () => {
    const fixture = await start();
    const session = await fixture.created();
    fixture.sent.length = 0;
    await fixture.provider.query(session);
    expect(fixture.sent.map((request) => request.url)).toEqual([
      `${fixture.apiUrl}/merchant/check_payment_status`,
    ]);
    expect(JSON.parse(fixture.sent[0]!.body)).toEqual({
      merchant_code: EtpaySandboxMerchant.merchantCode,
      merchant_api_token: EtpaySandboxMerchant.apiToken,
      session_token: session.providerRef,
    });
  });

  it('reports nothing, with no dedupe key, before any attempt', async () => {
    const fixture = await start();
    const session = await fixture.created();
    expect(await fixture.provider.query(session)).toEqual({
      statuses: [],
      providerStatus: null,
      dedupeKey: null,
    });
  });

  it('reports paid with the same dedupe key as the notification of that attempt', async () => {
    const fixture = await start();
    const session = await fixture.created();
    await fixture.decide(session, 'approve');
    const observation = await fixture.provider.query(session);
    const [notification] = await fixture.pasarela.waitFor(1);
    const notified = await fixture.provider.verifyPaymentJwt(
      (JSON.parse(notification!.body) as { payment: string }).payment,
      async () => session,
    );
    expect(observation).toEqual(notified.observation);
    expect(observation.statuses).toEqual(['paid']);
    expect(observation.providerStatus).toBe('success');
  });

  it('reports paid when a later attempt succeeds after a failed one', async () => {
    const fixture = await start();
    const session = await fixture.created();
    await fixture.decide(session, 'reject');
    const late = await fixture.sandbox.attempt(session.providerRef!, 'success');
    const observation = await fixture.provider.query(session);
    expect(observation.statuses).toEqual(['paid']);
    expect(observation.detail).toEqual({ payment_token: late.paymentToken });
  });

  it('reports paid for a success found after the lifetime ended', async () => {
    const fixture = await start();
    const session = await fixture.created();
    await fixture.sandbox.attempt(session.providerRef!, 'success');
    fixture.sandbox.expire(session.providerRef!);
    const past = { ...session, expiresAt: new Date(Date.now() - 60_000).toISOString() };
    expect((await fixture.provider.query(past)).statuses).toEqual(['paid']);
  });

  it('reports expired from its own clock once the lifetime is over', async () => {
    let clock = Date.parse('2025-11-22T10:00:00.000Z');
    const fixture = await start({ provider: { now: () => clock } });
    const session = await fixture.created({ createdAt: new Date(clock).toISOString() });
    expect((await fixture.provider.query(session)).statuses).toEqual([]);
    clock += 30 * 60_000 + 1;
    expect(await fixture.provider.query(session)).toEqual({
      statuses: ['expired'],
      providerStatus: null,
      dedupeKey: `${session.providerRef}:lifetime:expired`,
    });
  });

  it('retries through a passing 5xx and a passing timeout', async () => {
    const fixture = await start({ sandbox: { hangMs: 10_000 } });
    const session = await fixture.created();
    fixture.sent.length = 0;
    fixture.sandbox.failApi('5xx', 1);
    expect((await fixture.provider.query(session)).statuses).toEqual([]);
    expect(fixture.sent).toHaveLength(2);
    fixture.sandbox.failApi('timeout', 2);
    expect((await fixture.provider.query(session)).statuses).toEqual([]);
    expect(fixture.sent).toHaveLength(5);
  });

  it('is refused on wrong credentials', async () => {
    const fixture = await start();
    const session = await fixture.created();
    const refusal = await fixture
      .client({ apiToken: 'wrong' })
      .query(session)
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ProviderRejectedError);
    expect((refusal as ProviderRejectedError).status).toBe(401);
  });

  it('fails as unavailable when the answer is not a list of attempts', async () => {
    const fixture = await start({
      provider: { fetch: async () => Response.json({ payment_status: 'success' }) },
    });
    const session = fixture.newSession({ providerRef: 'tok', providerSecret: 'sig' });
    await expect(fixture.provider.query(session)).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});

describe('ETpay client: admin operations', () => {
  it.each(['deliver', 'refund', 'cancel'] as const)('does not support %s', async (operation) => {
    const fixture = await start();
    const session = await fixture.created();
    await expect(fixture.provider[operation](session)).rejects.toBeInstanceOf(OperationNotSupportedError);
    expect(fixture.sent).toHaveLength(1);
  });

  it('describes itself as a Chilean redirect provider in CLP', async () => {
    const fixture = await start();
    expect(fixture.provider.info).toEqual({
      id: 'etpay',
      name: 'ETpay',
      currency: 'CLP',
      country: 'CL',
      flow: 'redirect',
      mark: expect.stringMatching(/^data:image\/svg\+xml,/),
    });
  });
});
