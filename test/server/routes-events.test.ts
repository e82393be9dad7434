import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './app.fixture.js';
import { created, tpagaWallet } from './flows.fixture.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const cop = { currency: 'COP', amount: 12000 };

/** Reads an SSE response until it ends or `until` says stop; returns the raw text. */
async function readStream(
  response: Response,
  until: (text: string) => boolean = () => false,
  timeoutMs = 5_000,
) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { value, done } = await Promise.race([
      reader.read(),
      new Promise<{ value: undefined; done: true }>((resolve) =>
        setTimeout(() => resolve({ value: undefined, done: true }), deadline - Date.now()),
      ),
    ]);
    if (done) break;
    text += value;
    if (until(text)) break;
  }
  await reader.cancel().catch(() => undefined);
  return text;
}

function statusEvents(text: string): Array<{ status: string }> {
  return [...text.matchAll(/event: status\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!));
}

describe('GET /api/sessions/:id/events', () => {
  it('sends the current state first, then each change, and ends after a final status', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    const response = await fetch(`${server.url}/api/sessions/${session.id}/events`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reading = readStream(response);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await tpagaWallet(session, 'approve');
    const text = await reading;
    expect(statusEvents(text).map((e) => e.status)).toEqual(['pending', 'paid']);
  });

  it('sends one event and ends at once for a session already final', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'reject');
    const text = await readStream(await fetch(`${server.url}/api/sessions/${session.id}/events`));
    expect(statusEvents(text)).toMatchObject([{ status: 'failed', id: session.id }]);
  });

  it('keeps the stream alive with heartbeat comments', async () => {
    server = await startTestServer({ options: { sseHeartbeatMs: 50 } });
    const session = await created(server, 'tpaga', cop);
    const text = await readStream(await fetch(`${server.url}/api/sessions/${session.id}/events`), (t) =>
      t.includes(': heartbeat'),
    );
    expect(text).toContain(': heartbeat\n\n');
  });

  it('keeps two followers of the same session in step', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    const url = `${server.url}/api/sessions/${session.id}/events`;
    const readings = [readStream(await fetch(url)), readStream(await fetch(url))];
    await new Promise((resolve) => setTimeout(resolve, 100));
    await tpagaWallet(session, 'approve');
    for (const text of await Promise.all(readings)) {
      expect(statusEvents(text).map((e) => e.status)).toEqual(['pending', 'paid']);
    }
  });

  it('ends open streams on shutdown', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    const reading = readStream(
      await fetch(`${server.url}/api/sessions/${session.id}/events`),
      () => false,
      3_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await server.app.close();
    await reading;
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers 404 before streaming for an unknown session', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/api/sessions/ps_AAAAAAAAAAAAAAAAAAAAAA/events`);
    expect(response.status).toBe(404);
  });
});
