import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { requestHeader } from './request-header.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** This request's id (`X-Request-Id`), set by the first middleware. */
    requestId: string;
    /** Set when a merchant's app handled the request before Pasarela (middleware/request-basics.ts). */
    pasarelaAfterOthers: boolean;
  }
}

// Keyed by the request, not kept in `c.var`: it is found again when the app is mounted in a
// merchant's own Hono app, whose context types know nothing of it.
const prepared = new WeakMap<Request, Record<string, string>>();

/**
 * The headers every API answer carries: its request id, `nosniff` (JSON answers are never
 * rendered, framed or run, so that is the secure header that matters for them), and `Vary:
 * Origin` when CORS does not set it. They are kept as a plain object for the handler to send with
 * its own (`apiHeaders(c, …)`): on @hono/node-server an answer whose headers are a plain object
 * is written on the adapter's fast path, where the `Headers` object `c.header()` builds (and
 * validates, and sorts on the way out) cost a status read a sixth of its time (bench/README.md,
 * deployed). Answers whose handler did not take them get them added afterwards.
 */
export function apiHeadersMiddleware(cors: MiddlewareHandler): MiddlewareHandler {
  return async (c, next) => {
    const origin = requestHeader(c, 'origin');
    const headers: Record<string, string> = {
      'X-Request-Id': c.get('requestId'),
      'X-Content-Type-Options': 'nosniff',
    };
    // Same-origin and server-to-server requests skip the CORS work, but caches must still know
    // that the answer depends on Origin.
    if (!origin) headers.Vary = 'Origin';
    prepared.set(c.req.raw, headers);
    // A preflight is answered by CORS itself, without the handler.
    const answer = origin ? await cors(c, next) : await next();
    if (answer instanceof Response) c.res = answer;
    const left = prepared.get(c.req.raw);
    if (!left) return;
    prepared.delete(c.req.raw);
    for (const name in left) {
      if (name === 'Vary') c.res.headers.append(name, left[name]!);
      else c.res.headers.set(name, left[name]!);
    }
  };
}

/** Whether the request is an API request (its answer gets `apiHeaders`, not the page set). */
export function isApiRequest(c: Context): boolean {
  return prepared.has(c.req.raw);
}

/**
 * A handler's own headers with the API's added, as a plain object for `c.body(…, status, headers)`
 * (the fast path above). Taken once: the middleware then adds nothing.
 */
export function apiHeaders(c: Context, own: Record<string, string>): Record<string, string> {
  const headers = prepared.get(c.req.raw);
  if (!headers) return own;
  prepared.delete(c.req.raw);
  return Object.assign(headers, own);
}

/**
 * A JSON answer of the API on the fast path: a plain-object `Response`, Hono's headers merged in.
 * When a merchant's app ran its own handlers first, through `c.body()` instead: the headers they
 * set with `c.header()` live in the context and only Hono's own answers take them.
 */
export function apiAnswer(
  c: Context,
  body: string,
  status: ContentfulStatusCode,
  own: Record<string, string>,
): Response {
  if (c.get('pasarelaAfterOthers')) return c.body(body, status, apiHeaders(c, own));
  return new Response(body, { status, headers: apiHeaders(c, own) });
}
