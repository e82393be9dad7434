import { afterEach, describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '../../server/providers/http.js';
import { ProviderRejectedError } from '../../server/providers/provider.js';
import { TpagaAnswerMismatchError } from '../../server/providers/tpaga/index.js';
import {
  jsonResponse,
  rewritingFetch,
  startTpagaClient,
  type TpagaClientFixture,
} from './provider-tpaga.fixture.js';

const isInfo = (url: string) => new URL(url).pathname.endsWith('/info');

/** A `fetch` whose `/info` answers carry `changes` on top of the real payment request. */
function doctoredInfo(changes: Record<string, unknown>): typeof fetch {
  return rewritingFetch(async (url, response) => {
    if (!isInfo(url)) return undefined;
    return jsonResponse(200, { ...((await response.json()) as object), ...changes });
  });
}

describe('Tpaga client: /info', () => {
  let tpaga: TpagaClientFixture | undefined;
  afterEach(async () => {
    await tpaga?.close();
    tpaga = undefined;
  });
  async function start(options?: Parameters<typeof startTpagaClient>[0]) {
    tpaga = await startTpagaClient(options);
    return tpaga;
  }

  it('asks GET payment_requests/<token>/info with the same headers', async () => {
    const t = await start();
    const session = await t.created();
    await t.provider.query(session);
    const request = t.sent.at(-1);
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe(`${t.apiUrl}/payment_requests/${session.providerRef}/info`);
    expect(request?.headers.Authorization).toBe(`Basic ${btoa('pasarela-sandbox:sandbox-tpaga-password')}`);
    expect(request?.headers.Accept).toBe('application/json');
    expect(request?.body).toBe('');
  });

  it('keys each observation by token and raw status', async () => {
    const t = await start();
    const session = await t.created();
    expect(await t.provider.query(session)).toEqual({
      statuses: [],
      providerStatus: 'created',
      dedupeKey: `${session.providerRef}:created`,
    });
    await t.decide(session, 'approve');
    expect(await t.provider.query(session)).toEqual({
      statuses: ['paid'],
      providerStatus: 'paid',
      dedupeKey: `${session.providerRef}:paid`,
    });
  });

  it('reads a paid request as delivered in implicit delivery mode', async () => {
    const t = await start({ merchant: { deliveryMode: 'implicit' } });
    const session = await t.created();
    await t.decide(session, 'approve');
    expect(await t.provider.query(session)).toMatchObject({
      statuses: ['delivered'],
      providerStatus: 'delivered',
    });
  });

  it('records a revert seen while pending as paid, then refunded', async () => {
    const t = await start();
    const session = await t.created();
    await t.sandbox.pay(session.providerRef!);
    await t.sandbox.autoRevert(session.providerRef!);
    expect(await t.provider.query(session)).toEqual({
      statuses: ['paid', 'refunded'],
      providerStatus: 'reverted',
      dedupeKey: `${session.providerRef}:reverted`,
    });
    expect((await t.provider.query({ ...session, status: 'paid' })).statuses).toEqual(['refunded']);
  });

  it.each([
    ['token', { token: `pr-${'0'.repeat(72)}` }],
    ['idempotency_token', { idempotency_token: 'ps_anotherSession' }],
    ['idempotency_token', { idempotency_token: null }],
    ['cost', { cost: '1200.0' }],
    ['cost', { cost: 'gratis' }],
  ])('refuses an answer whose %s does not match the session', async (field, changes) => {
    const t = await start({ provider: { fetch: doctoredInfo(changes) } });
    const session = await t.created();
    const error = await t.provider.query(session).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TpagaAnswerMismatchError);
    expect(error).toMatchObject({ field, sessionId: session.id });
  });

  it('accepts the cost written as a number or in BigDecimal style', async () => {
    const t = await start({ provider: { fetch: doctoredInfo({ cost: 12000 }) } });
    const session = await t.created();
    expect((await t.provider.query(session)).providerStatus).toBe('created');
  });

  it('keeps an unknown status word without changing anything', async () => {
    const t = await start({ provider: { fetch: doctoredInfo({ status: 'on_hold' }) } });
    const session = await t.created();
    expect(await t.provider.query(session)).toEqual({
      statuses: [],
      providerStatus: 'on_hold',
      dedupeKey: `${session.providerRef}:on_hold`,
    });
  });

  it('treats an answer that is not a payment request as an unknown outcome', async () => {
    const t = await start({ provider: { fetch: doctoredInfo({ status: null }) } });
    const session = await t.created();
    await expect(t.provider.query(session)).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('is refused for a request the merchant does not have', async () => {
    const t = await start();
    const session = await t.created();
    const stranger = { ...session, providerRef: `pr-${'ab'.repeat(36)}` };
    const error = await t.provider.query(stranger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error).toMatchObject({ status: 422, providerCode: '1' });
    expect((error as Error).message).not.toContain(stranger.providerRef);
  });

  it('makes no call for a session without a well-formed token', async () => {
    const t = await start();
    const session = t.newSession();
    await expect(t.provider.query(session)).rejects.toThrow('no Tpaga payment request token');
    await expect(t.provider.query({ ...session, providerRef: 'pr-../../create' })).rejects.toThrow();
    expect(t.sent).toHaveLength(0);
  });

  it('recognises only well-formed payment request tokens', async () => {
    const t = await start();
    const session = await t.created();
    expect(t.provider.isValidToken(session.providerRef!)).toBe(true);
    expect(t.provider.isValidToken(`pr-${'a'.repeat(72)}`)).toBe(true);
    expect(t.provider.isValidToken(`pr-${'A'.repeat(72)}`)).toBe(false);
    expect(t.provider.isValidToken(`pr-${'a'.repeat(71)}`)).toBe(false);
    expect(t.provider.isValidToken(`pr-${'a'.repeat(73)}`)).toBe(false);
    expect(t.provider.isValidToken(`xx-${'a'.repeat(72)}`)).toBe(false);
    expect(t.provider.isValidToken(`pr-${'a'.repeat(72)}\n`)).toBe(false);
    expect(t.provider.isValidToken('')).toBe(false);
  });
});
