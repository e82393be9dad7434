import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../log.js';
import { requestHeader } from './request-header.js';

const validRequestId = /^[\w=-]{1,255}$/;

/**
 * The first middleware: the request's id (a load balancer's `X-Request-Id` when it sent a sane
 * one, else a per-process prefix and a counter: randomUUID per request was a measurable share of a
 * status read) and its line in the access log, in one async step rather than two.
 */
export function requestBasics(log: Logger, prefix: string): MiddlewareHandler {
  let count = 0;
  return async (c, next) => {
    const started = performance.now();
    const incoming = requestHeader(c, 'x-request-id');
    const requestId =
      incoming && validRequestId.test(incoming) ? incoming : `${prefix}-${(++count).toString(36)}`;
    c.set('requestId', requestId);
    // Handlers of a merchant's own app ran first (Pasarela is mounted in it): what they set with
    // `c.header()` is kept only on answers Hono builds, so the API answers through Hono then.
    if (c.req.routeIndex > 0) c.set('pasarelaAfterOthers', true);
    await next();
    log.info('request', {
      requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}
