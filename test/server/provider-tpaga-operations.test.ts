import { afterEach, describe, expect, it } from 'vitest';
import { ProviderRejectedError } from '../../server/providers/provider.js';
import { TpagaAnswerMismatchError } from '../../server/providers/tpaga/index.js';
import {
  jsonResponse,
  rewritingFetch,
  startTpagaClient,
  type TpagaClientFixture,
} from './provider-tpaga.fixture.js';

describe('Tpaga client: confirm_delivery, refund and cancel', () => {
  let tpaga: TpagaClientFixture | undefined;
  afterEach(async () => {
    await tpaga?.close();
    tpaga = undefined;
  });
  async function start(options?: Parameters<typeof startTpagaClient>[0]) {
    tpaga = await startTpagaClient(options);
    return tpaga;
  }
  async function paid(t: TpagaClientFixture) {
    const session = await t.created();
    await t.decide(session, 'approve');
    return { ...session, status: 'paid' as const };
  }

  it('confirms delivery of a paid request with its token in the body', async () => {
    const t = await start();
    const session = await paid(t);
    expect(await t.provider.deliver(session)).toEqual({
      statuses: ['delivered'],
      providerStatus: 'delivered',
      dedupeKey: `${session.providerRef}:delivered`,
    });
    const request = t.sent.at(-1);
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`${t.apiUrl}/payment_requests/confirm_delivery`);
    expect(request?.body).toBe(JSON.stringify({ payment_request_token: session.providerRef }));
    expect(request?.headers['Content-Type']).toBe('application/json');
  });

  it('answers a repeated delivery unchanged', async () => {
    const t = await start();
    const session = await paid(t);
    await t.provider.deliver(session);
    expect((await t.provider.deliver({ ...session, status: 'delivered' })).providerStatus).toBe('delivered');
  });

  it('refunds a paid request', async () => {
    const t = await start();
    const session = await paid(t);
    expect(await t.provider.refund(session)).toMatchObject({
      statuses: ['refunded'],
      providerStatus: 'reverted',
    });
    expect(t.sent.at(-1)?.url).toBe(`${t.apiUrl}/payment_requests/refund`);
  });

  it('refunds a delivered request', async () => {
    const t = await start();
    const session = await paid(t);
    await t.provider.deliver(session);
    const refunded = await t.provider.refund({ ...session, status: 'delivered' });
    expect(refunded.statuses).toEqual(['refunded']);
    expect(t.sandbox.getSession(session.providerRef!)?.status).toBe('reverted');
  });

  it('cancels an unpaid request, and a second cancel answers the same', async () => {
    const t = await start();
    const session = await t.created();
    expect(await t.provider.cancel(session)).toEqual({
      statuses: ['cancelled'],
      providerStatus: 'cancelled',
      dedupeKey: `${session.providerRef}:cancelled`,
    });
    expect(t.sent.at(-1)?.url).toBe(`${t.apiUrl}/payment_requests/cancel`);
    expect((await t.provider.cancel({ ...session, status: 'cancelled' })).providerStatus).toBe('cancelled');
  });

  it.each(['deliver', 'refund'] as const)(
    'is refused to %s an unpaid request with the state error code',
    async (operation) => {
      const t = await start();
      const session = await t.created();
      const error = await t.provider[operation](session).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderRejectedError);
      expect(error).toMatchObject({ status: 422, providerCode: '2' });
      expect((error as Error).message).toContain('State error');
      expect((error as Error).message).not.toContain(session.providerRef);
    },
  );

  it('is refused to cancel a paid request', async () => {
    const t = await start();
    const session = await paid(t);
    await expect(t.provider.cancel(session)).rejects.toMatchObject({ status: 422, providerCode: '2' });
    expect(t.sandbox.getSession(session.providerRef!)?.status).toBe('paid');
  });

  it('retries a state change through a passing 5xx', async () => {
    const t = await start();
    const session = await paid(t);
    t.sandbox.failApi('5xx', 2);
    expect((await t.provider.deliver(session)).statuses).toEqual(['delivered']);
  });

  it('refuses an answer about another payment request', async () => {
    const other = rewritingFetch(async (url, response) => {
      if (!url.endsWith('/confirm_delivery')) return undefined;
      return jsonResponse(200, { ...((await response.json()) as object), token: `pr-${'1'.repeat(72)}` });
    });
    const t = await start({ provider: { fetch: other } });
    const session = await paid(t);
    await expect(t.provider.deliver(session)).rejects.toBeInstanceOf(TpagaAnswerMismatchError);
  });
});
