import { describe, expect, it } from 'vitest';
import {
  type TpagaMerchant,
  type TpagaSandbox,
  TpagaSandboxMerchant,
  type TpagaSandboxOptions,
} from '../../server/sandbox/tpaga/index.js';
import { basicAuth, createInput, type TpagaFixture, tpagaPerTest } from './sandbox-tpaga.fixture.js';

const startTpaga = tpagaPerTest();
let t: TpagaFixture;

async function start(
  config: Partial<TpagaMerchant> = {},
  options: Partial<TpagaSandboxOptions> = {},
): Promise<TpagaSandbox> {
  t = await startTpaga((url) => ({
    merchants: [{ ...TpagaSandboxMerchant, webhookBase: url, ...config }],
    ...options,
  }));
  return t.sandbox;
}

/** The raw create answer, for the tests that script it to fail. */
const createCall = () => t.api('POST', 'payment_requests/create', createInput());
const paths = () => t.merchant.requests.map((r) => r.path);

describe('Tpaga sandbox scripted webhooks', () => {
  it('redirects first and notifies later in delay mode', async () => {
    const tpaga = await start();
    tpaga.setWebhookBehaviour({ mode: 'delay', delayMs: 200 });
    const pr = await t.create();
    expect((await t.decide(pr.tpaga_payment_url, 'approve')).status).toBe(303);
    expect(t.merchant.requests).toHaveLength(0);
    await t.merchant.waitFor(1);
    expect(paths()).toEqual([`/${pr.token}`]);
  });

  it('notifies twice about 100 ms apart in duplicate mode', async () => {
    const tpaga = await start();
    tpaga.setWebhookBehaviour({ mode: 'duplicate' });
    const pr = await t.create();
    await tpaga.pay(pr.token);
    const [first, second] = await t.merchant.waitFor(2);
    expect(second!.path).toBe(first!.path);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(90);
  });

  it('sends nothing in drop mode and logs the delivery as dropped', async () => {
    const tpaga = await start();
    tpaga.setWebhookBehaviour({ mode: 'drop' });
    const pr = await t.create();
    await tpaga.pay(pr.token);
    expect(tpaga.getSession(pr.token)?.deliveries.map((d) => d.state)).toEqual(['dropped']);
    // A later notification in normal mode is awaited by `pay`: once it has arrived, anything the
    // dropped one had sent would have arrived before it.
    const marker = await t.create();
    tpaga.setSessionWebhookBehaviour(marker.token, { mode: 'normal' });
    await tpaga.pay(marker.token);
    expect(paths()).toEqual([`/${marker.token}`]);
  });

  it('holds notifications in reorder mode and delivers them newest first on flush', async () => {
    const tpaga = await start({}, { holdMs: 60_000 });
    tpaga.setWebhookBehaviour({ mode: 'reorder' });
    const first = await t.create();
    const second = await t.create();
    await tpaga.pay(first.token);
    await tpaga.fail(second.token);
    expect(t.merchant.requests).toHaveLength(0);
    await tpaga.flush();
    expect(paths()).toEqual([`/${second.token}`, `/${first.token}`]);
  });

  it('applies a session behaviour over the sandbox default', async () => {
    const tpaga = await start();
    const dropped = await t.create();
    const normal = await t.create();
    tpaga.setSessionWebhookBehaviour(dropped.token, { mode: 'drop' });
    await tpaga.pay(dropped.token);
    await tpaga.pay(normal.token);
    expect(paths()).toEqual([`/${normal.token}`]);
  });

  it('forgets scripted behaviours on reset', async () => {
    const tpaga = await start();
    tpaga.setWebhookBehaviour({ mode: 'drop' });
    tpaga.setDisabled(true);
    tpaga.failApi('5xx', 3);
    tpaga.resetBehaviours();
    const pr = await t.create();
    await tpaga.pay(pr.token);
    expect(paths()).toEqual([`/${pr.token}`]);
  });
});

describe('Tpaga sandbox auto-revert', () => {
  it('reverts an undelivered payment on request and notifies the merchant', async () => {
    const tpaga = await start();
    const pr = await t.create();
    await tpaga.pay(pr.token);
    expect((await tpaga.autoRevert(pr.token)).status).toBe('reverted');
    expect(paths()).toEqual([`/${pr.token}`, `/${pr.token}`]);
    expect(await t.status(pr.token)).toBe('reverted');
  });

  it('refuses to auto-revert a request that is not paid', async () => {
    const tpaga = await start();
    const pr = await t.create();
    await expect(tpaga.autoRevert(pr.token)).rejects.toThrow(/created/);
  });

  it('reverts a paid request not delivered within autoRevertAfterMs', async () => {
    const tpaga = await start({ autoRevertAfterMs: 150 });
    const pr = await t.create();
    await tpaga.pay(pr.token);
    await t.merchant.waitFor(2);
    expect(await t.status(pr.token)).toBe('reverted');
  });

  it('leaves a delivered request alone', async () => {
    const tpaga = await start({ autoRevertAfterMs: 100 });
    const pr = await t.create();
    await tpaga.pay(pr.token);
    await fetch(`${t.base}/merchants/api/v1/payment_requests/confirm_delivery`, {
      method: 'POST',
      headers: { Authorization: basicAuth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ payment_request_token: pr.token }),
    });
    // An undelivered request paid afterwards has the same window, so its timer fires later than
    // the delivered one's would have: once it is reverted, the delivered one had its chance.
    const marker = await t.create();
    await tpaga.pay(marker.token);
    await t.merchant.waitFor(3);
    expect(paths()).toEqual([`/${pr.token}`, `/${marker.token}`, `/${marker.token}`]);
    expect(await t.status(marker.token)).toBe('reverted');
    expect(await t.status(pr.token)).toBe('delivered');
  });

  it('reverts lazily when an injected clock passes the window', async () => {
    let clock = Date.parse('2025-11-22T15:00:00Z');
    const tpaga = await start({ autoRevertAfterMs: 3_600_000 }, { now: () => clock });
    const pr = await t.create();
    await tpaga.pay(pr.token);
    clock += 3_600_000;
    expect(await t.status(pr.token)).toBe('reverted');
    await t.merchant.waitFor(2);
  });
});

describe('Tpaga sandbox API faults', () => {
  it('answers 500 to the next n calls, then recovers', async () => {
    const tpaga = await start();
    tpaga.failApi('5xx', 2);
    for (let i = 0; i < 2; i++) {
      const res = await createCall();
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('{"error":"Internal Server Error"}');
    }
    expect((await createCall()).status).toBe(201);
  });

  it('gives no answer during a scripted timeout, then recovers', async () => {
    const tpaga = await start({}, { hangMs: 150 });
    tpaga.failApi('timeout', 1);
    const started = Date.now();
    await expect(createCall()).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await createCall()).status).toBe(201);
  });

  it('answers the disabled 403 after authentication', async () => {
    const tpaga = await start();
    tpaga.setDisabled(true);
    const res = await createCall();
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error_code: 1,
      error_message: 'Merchant product is disabled. Please contact Tpaga support',
      field_name: null,
      rejected_value: null,
    });
    const anonymous = await fetch(`${t.base}/merchants/api/v1/payment_requests/create`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    tpaga.setDisabled(false);
    expect((await createCall()).status).toBe(201);
  });

  it('leaves the wallet pages out of API faults', async () => {
    const tpaga = await start();
    const pr = await t.create();
    tpaga.failApi('5xx', 1);
    tpaga.setDisabled(true);
    expect((await fetch(pr.tpaga_payment_url)).status).toBe(200);
  });
});
