import { afterEach, describe, expect, it } from 'vitest';
import { randomAlphanumeric, randomHex } from '../../server/sandbox/shared/random.js';
import { WebhookDispatcher, WebhookMode } from '../../server/sandbox/shared/webhooks.js';
import { type Receiver, receiver } from './helpers/listen.js';

let merchant: Receiver;
let dispatcher: WebhookDispatcher;
afterEach(async () => {
  await dispatcher?.close();
  await merchant?.close();
});

describe('sandbox identifiers', () => {
  it('makes alphanumeric and hex tokens of the requested length', () => {
    expect(randomAlphanumeric(64)).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(randomHex(36)).toMatch(/^[0-9a-f]{72}$/);
    expect(randomAlphanumeric(64)).not.toBe(randomAlphanumeric(64));
  });
});

describe('webhook dispatcher', () => {
  it('sends one awaited POST in normal mode and logs the answer', async () => {
    merchant = await receiver();
    dispatcher = new WebhookDispatcher();
    await dispatcher.dispatch(
      's1',
      { url: `${merchant.url}/hook`, body: '{"a":1}' },
      { mode: WebhookMode.normal },
    );
    expect(merchant.requests).toHaveLength(1);
    expect(merchant.requests[0]).toMatchObject({ method: 'POST', path: '/hook', body: '{"a":1}' });
    expect(merchant.requests[0]?.headers['content-type']).toBe('application/json');
    expect(dispatcher.forSession('s1')[0]).toMatchObject({ state: 'delivered', status: 200 });
  });

  it('sends a body-less POST without a content type', async () => {
    merchant = await receiver();
    dispatcher = new WebhookDispatcher();
    await dispatcher.dispatch(
      's1',
      { url: `${merchant.url}/pr-1`, body: null },
      { mode: WebhookMode.normal },
    );
    expect(merchant.requests[0]?.body).toBe('');
    expect(merchant.requests[0]?.headers['content-type']).toBeUndefined();
  });

  it('sends twice about 100 ms apart in duplicate mode', async () => {
    merchant = await receiver();
    dispatcher = new WebhookDispatcher();
    await dispatcher.dispatch('s1', { url: merchant.url, body: '{}' }, { mode: WebhookMode.duplicate });
    const [first, second] = await merchant.waitFor(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(90);
  });

  it('sends nothing in drop mode', async () => {
    merchant = await receiver();
    dispatcher = new WebhookDispatcher();
    await dispatcher.dispatch('s1', { url: merchant.url, body: '{}' }, { mode: WebhookMode.drop });
    // A normal delivery is awaited: once it has arrived, a dropped one sent first would have too.
    await dispatcher.dispatch('s2', { url: merchant.url, body: '"marker"' }, { mode: WebhookMode.normal });
    expect(merchant.requests.map((r) => r.body)).toEqual(['"marker"']);
    expect(dispatcher.forSession('s1').map((d) => d.state)).toEqual(['dropped']);
  });

  it('returns at once in delay mode and delivers later', async () => {
    merchant = await receiver();
    dispatcher = new WebhookDispatcher();
    await dispatcher.dispatch(
      's1',
      { url: merchant.url, body: '{}' },
      { mode: WebhookMode.delay, delayMs: 200 },
    );
    expect(merchant.requests).toHaveLength(0);
    await merchant.waitFor(1);
  });

  it('delivers held notifications newest first in reorder mode', async () => {
    merchant = await receiver();
    dispatcher = new WebhookDispatcher({ holdMs: 10_000 });
    await dispatcher.dispatch('s1', { url: merchant.url, body: '"first"' }, { mode: WebhookMode.reorder });
    await dispatcher.dispatch('s1', { url: merchant.url, body: '"second"' }, { mode: WebhookMode.reorder });
    expect(merchant.requests).toHaveLength(0);
    await dispatcher.flush();
    expect(merchant.requests.map((r) => r.body)).toEqual(['"second"', '"first"']);
  });

  it('records a failed delivery when the merchant does not answer in time', async () => {
    dispatcher = new WebhookDispatcher({ timeoutMs: 100 });
    merchant = await receiver();
    await dispatcher.dispatch(
      's1',
      { url: 'http://127.0.0.1:9/unreachable', body: '{}' },
      { mode: 'normal' },
    );
    expect(dispatcher.forSession('s1')[0]?.state).toBe('failed');
  });

  it('replays a logged delivery', async () => {
    merchant = await receiver();
    dispatcher = new WebhookDispatcher();
    await dispatcher.dispatch('s1', { url: merchant.url, body: '{"x":1}' }, { mode: WebhookMode.normal });
    const copy = await dispatcher.replay(dispatcher.forSession('s1')[0]!.id);
    expect(copy?.state).toBe('delivered');
    expect(merchant.requests.map((r) => r.body)).toEqual(['{"x":1}', '{"x":1}']);
  });
});
