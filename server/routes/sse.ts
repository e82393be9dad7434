import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { apiHeaders } from '../middleware/api-headers.js';

/** One open event stream, whatever carries it. */
export interface SseSink {
  /** Writes raw event-stream text (`event: …\ndata: …\n\n`, or a `: comment\n\n`). */
  write(text: string): void;
  readonly aborted: boolean;
  /** Called once when the client goes away. */
  onAbort(listener: () => void): void;
}

/** The Node response @hono/node-server passes as `c.env.outgoing` (only what is used here). */
interface NodeOutgoing {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string): boolean;
  end(): unknown;
  once(event: 'close', listener: () => void): unknown;
  readonly destroyed: boolean;
}

/**
 * Answers with an event stream fed by `follow`, which resolves when the stream should end. On
 * @hono/node-server the text goes straight to Node's response (about 5 KB of memory per open
 * stream, where Hono's web-stream `streamSSE` holds some 22 KB: what thousands of waiting buyers
 * cost); on any other runtime, `streamSSE`. The API's headers (request id, nosniff, CORS) go out
 * with it.
 */
export function eventStream(
  c: Context,
  headers: Record<string, string>,
  follow: (sink: SseSink) => Promise<void>,
): Response | Promise<Response> {
  const outgoing = nodeOutgoing(c);
  if (!outgoing) {
    for (const [name, value] of Object.entries(apiHeaders(c, headers))) c.header(name, value);
    return streamSSE(c, (stream) =>
      follow({
        write: (text) => void stream.write(text),
        get aborted() {
          return stream.aborted;
        },
        onAbort: (listener) => stream.onAbort(listener),
      }),
    );
  }
  const prepared = c.body(null, 200, apiHeaders(c, { 'Content-Type': 'text/event-stream', ...headers }));
  outgoing.writeHead(200, Object.fromEntries(prepared.headers));
  let aborted = false;
  const listeners: (() => void)[] = [];
  outgoing.once('close', () => {
    aborted = true;
    for (const listener of listeners.splice(0)) listener();
  });
  const sink: SseSink = {
    write: (text) => {
      if (!aborted && !outgoing.destroyed) outgoing.write(text);
    },
    get aborted() {
      return aborted;
    },
    onAbort: (listener) => {
      if (aborted) listener();
      else listeners.push(listener);
    },
  };
  void follow(sink).finally(() => {
    if (!aborted) outgoing.end();
  });
  // @hono/node-server's protocol (its RESPONSE_ALREADY_SENT): the response was written here. Its
  // lightweight Response takes a fast path that ignores the header until the response is made a
  // full one, which reading `body` does.
  const sent = new Response(null, { headers: { 'x-hono-already-sent': 'true' } });
  void sent.body;
  return sent;
}

function nodeOutgoing(c: Context): NodeOutgoing | undefined {
  const outgoing = (c.env as { outgoing?: Partial<NodeOutgoing> } | undefined)?.outgoing;
  return outgoing && typeof outgoing.writeHead === 'function' && typeof outgoing.write === 'function'
    ? (outgoing as NodeOutgoing)
    : undefined;
}
