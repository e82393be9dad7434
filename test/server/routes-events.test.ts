import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './app.fixture.js';
import { created, tpagaWallet } from './flows.fixture.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const cop = { currency: 'COP', amount: 12000 };

/**
 * Follows an SSE response. `until` reads until the text so far satisfies the predicate (or the
 * stream ends); `end` reads to the end. Both give up only after a generous deadline, so a slow
 * machine delays a test but does not fail it.
 */
function follow(response: Response, timeoutMs = 15_000) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const deadline = Date.now() + timeoutMs;
  let text = '';
  let ended = false;
  async function until(predicate: (text: string) => boolean) {
    while (!ended && !predicate(text)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the stream did not get there in ${timeoutMs} ms; so far:\n${text}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const { value, done } = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no SSE data in ${timeoutMs} ms; so far:\n${text}`)),
            left,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      if (done) ended = true;
      else text += value;
    }
    return text;
  }
  return {
    until,
    /** Reads to the end of the stream; returns the whole text. */
    end: () => until(() => false),
    get ended() {
      return ended;
    },
    cancel: () => reader.cancel().catch(() => undefined),
  };
}

const firstStatus = (text: string) => text.includes('event: status');

function statusEvents(text: string): Array<{ status: string }> {
  return [...text.matchAll(/event: status\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!));
}

describe('GET /api/sessions/:id/events', () => {
  it('sends the current state first, then each change, and ends after a final status', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    const response = await fetch(`${server.url}/api/sessions/${session.id}/events`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = follow(response);
    await stream.until(firstStatus);
    await tpagaWallet(session, 'approve');
    const text = await stream.end();
    expect(statusEvents(text).map((e) => e.status)).toEqual(['pending', 'paid']);
  });

  it('sends one event and ends at once for a session already final', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'reject');
    const text = await follow(await fetch(`${server.url}/api/sessions/${session.id}/events`)).end();
    expect(statusEvents(text)).toMatchObject([{ status: 'failed', id: session.id }]);
  });

  it('keeps the stream alive with heartbeat comments', async () => {
    server = await startTestServer({ options: { sseHeartbeatMs: 50 } });
    const session = await created(server, 'tpaga', cop);
    const stream = follow(await fetch(`${server.url}/api/sessions/${session.id}/events`));
    const text = await stream.until((t) => t.includes(': heartbeat'));
    await stream.cancel();
    expect(text).toContain(': heartbeat\n\n');
  });

  it('keeps two followers of the same session in step', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    const url = `${server.url}/api/sessions/${session.id}/events`;
    const streams = [follow(await fetch(url)), follow(await fetch(url))];
    await Promise.all(streams.map((stream) => stream.until(firstStatus)));
    await tpagaWallet(session, 'approve');
    for (const text of await Promise.all(streams.map((stream) => stream.end()))) {
      expect(statusEvents(text).map((e) => e.status)).toEqual(['pending', 'paid']);
    }
  });

  it('ends open streams on shutdown', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    const stream = follow(await fetch(`${server.url}/api/sessions/${session.id}/events`));
    await stream.until(firstStatus);
    // A pending Tpaga session never ends by itself within the test: only the shutdown ends it.
    await server.app.close();
    const text = await stream.end();
    expect(stream.ended).toBe(true);
    expect(statusEvents(text).map((e) => e.status)).toEqual(['pending']);
  });

  it('refuses a stream past PASARELA_STREAMS_PER_CLIENT with 429, and takes one again once one ends', async () => {
    server = await startTestServer({ env: { PASARELA_STREAMS_PER_CLIENT: '2' } });
    const session = await created(server, 'tpaga', cop);
    const url = `${server.url}/api/sessions/${session.id}/events`;
    const streams = [follow(await fetch(url)), follow(await fetch(url))];
    await Promise.all(streams.map((stream) => stream.until(firstStatus)));
    const refused = await fetch(url);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(await refused.json()).toMatchObject({ error: { code: 'too_many_streams' } });
    // Status reads are not streams: they still answer.
    expect((await fetch(`${server.url}/api/sessions/${session.id}`)).status).toBe(200);
    await streams[0]!.cancel();
    // The server sees the browser leave a moment later; then a new stream is taken.
    let again = await fetch(url);
    for (let i = 0; i < 200 && again.status === 429; i++) {
      await again.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 50));
      again = await fetch(url);
    }
    expect(again.status).toBe(200);
    await again.body?.cancel();
    await streams[1]!.cancel();
  });

  it('answers 404 before streaming for an unknown session', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/api/sessions/ps_AAAAAAAAAAAAAAAAAAAAAA/events`);
    expect(response.status).toBe(404);
  });
});
