// Tpaga webhooks and buyers' returns are hints to ask the provider: a shared query is never
// cancelled by one of its callers, and a flood of hints cannot turn into a flood of queries.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './app.fixture.js';
import { created, statusOf, tpagaWallet } from './flows.fixture.js';

let server: TestServer | undefined;

/** Waits for a condition someone can observe, looking every 50 ms, for 20 s at most. */
async function until(condition: () => boolean, what: string) {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const cop = { currency: 'COP', amount: 38_000 };

/** A fetch for the providers that counts Tpaga `/info` calls and can hold them at a gate. */
function infoGate() {
  let open: () => void = () => {};
  let gate: Promise<void> | undefined;
  let started: () => void = () => {};
  const calls: string[] = [];
  const firstCall = new Promise<void>((resolve) => {
    started = resolve;
  });
  const fetcher: typeof fetch = async (input, init) => {
    const url = String(input);
    if (url.endsWith('/info')) {
      calls.push(url);
      started();
      await gate;
    }
    return fetch(input, init);
  };
  return {
    fetch: fetcher,
    calls,
    firstCall,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release: () => open(),
  };
}

function tpagaToken(session: { action: { url: string } }, server: TestServer) {
  return server.store.getSession((session as unknown as { id: string }).id).then((s) => s!.providerRef!);
}

describe('a provider query shared by a return and a webhook', () => {
  it('answers the webhook 200 with the status stored, though the return stopped waiting', async () => {
    const info = infoGate();
    server = await startTestServer({ options: { fetch: info.fetch } });
    const session = await created(server, 'tpaga', cop);
    const token = await tpagaToken(session, server);
    // The buyer pays; Tpaga's own notification is lost, so nothing has asked /info yet.
    server.sandboxes.tpaga.setSessionWebhookBehaviour(token, { mode: 'drop' });
    await tpagaWallet(session, 'approve');

    info.hold();
    const back = fetch(`${server.url}/return/${session.id}`, { redirect: 'manual' });
    await info.firstCall;
    // Tpaga's retry arrives while the return's query is held: it joins that query.
    const webhook = fetch(`${server.url}/webhooks/tpaga/${token}`, { method: 'POST' });
    // The return gives up waiting after its budget and sends the buyer on.
    expect((await back).status).toBe(303);
    info.release();
    const answer = await webhook;
    expect(answer.status).toBe(200);
    expect(await statusOf(server, session.id)).toBe('paid');
    expect(info.calls).toHaveLength(1);
    expect(server.logs.join('\n')).not.toMatch(/unhandled error/);
  });
});

describe('hints that come in a flood', () => {
  it('asks Tpaga once for a burst of notifications on a paid session, and limits them per payment', async () => {
    const info = infoGate();
    server = await startTestServer({ options: { fetch: info.fetch } });
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'approve'); // the sandbox's notification asks /info once
    expect(await statusOf(server, session.id)).toBe('paid');
    const token = await tpagaToken(session, server);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await fetch(`${server.url}/webhooks/tpaga/${token}`, { method: 'POST' });
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      await response.body?.cancel();
    }
    // The sandbox's own notification was the first of the 30 a minute this payment may get.
    expect(statuses.filter((s) => s === 200)).toHaveLength(29);
    expect(statuses.slice(29).every((s) => s === 429)).toBe(true);
    expect(info.calls).toHaveLength(1);
  });

  it('asks nothing about a refunded session, which nothing can follow', async () => {
    const info = infoGate();
    server = await startTestServer({ options: { fetch: info.fetch } });
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'approve');
    expect((await server.admin(`/sessions/${session.id}/refund`, { method: 'POST' })).status).toBe(200);
    expect(await statusOf(server, session.id)).toBe('refunded');
    const before = info.calls.length;
    const token = await tpagaToken(session, server);
    expect((await fetch(`${server.url}/webhooks/tpaga/${token}`, { method: 'POST' })).status).toBe(200);
    expect(info.calls).toHaveLength(before);
  });

  it('limits returns per session too', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'reject');
    let limited = 0;
    for (let i = 0; i < 35; i++) {
      const response = await fetch(`${server.url}/return/${session.id}`, { redirect: 'manual' });
      if (response.status === 429) limited++;
      else expect(response.status).toBe(303);
    }
    expect(limited).toBe(5);
  });

  it('never loses a hint: one within the gap brings the next reconciliation forward instead', async () => {
    const info = infoGate();
    server = await startTestServer({ options: { fetch: info.fetch } });
    const session = await created(server, 'tpaga', cop);
    const token = await tpagaToken(session, server);
    const before = Date.now();
    expect((await fetch(`${server.url}/webhooks/tpaga/${token}`, { method: 'POST' })).status).toBe(200);
    expect(info.calls).toHaveLength(1);
    expect((await fetch(`${server.url}/webhooks/tpaga/${token}`, { method: 'POST' })).status).toBe(200);
    expect(info.calls).toHaveLength(1);
    const next = Date.parse((await server.store.getSession(session.id))!.nextCheckAt!);
    // Within the 5 s gap of the first query, instead of the minute a new session waits.
    expect(next - before).toBeLessThanOrEqual(5_000 + 1_000);
    // And one query follows by itself when the gap ends, however many hints came meanwhile.
    for (let i = 0; i < 5; i++) await fetch(`${server.url}/webhooks/tpaga/${token}`, { method: 'POST' });
    await until(() => info.calls.length === 2, 'the query after the gap');
    expect(info.calls).toHaveLength(2);
  });
});
