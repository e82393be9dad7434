import type { Context } from 'hono';
import { requestHeader } from './request-header.js';

export type ClientIpResolver = (c: Context) => string | undefined;

/**
 * The buyer's IP, for rate limits and the providers that ask for it. Behind `trustProxy` proxy hops
 * (`PASARELA_TRUST_PROXY`), the `X-Forwarded-For` entry the nearest trusted proxy added: each
 * proxy appends the address it saw, so that is the `trustProxy`-th entry from the right; entries
 * further left are whatever the client sent. With no proxy, the socket's address, which only the
 * runtime knows (`remoteAddress`): the header is never read then, or a buyer could pick their own
 * rate-limit bucket.
 */
export function clientIpResolver(options: {
  trustProxy: number;
  remoteAddress?: ClientIpResolver;
}): ClientIpResolver {
  return (c) => {
    if (options.trustProxy > 0) {
      const forwarded = forwardedFor(requestHeader(c, 'x-forwarded-for'), options.trustProxy);
      if (forwarded) return forwarded;
    }
    return options.remoteAddress?.(c) ?? nodeRemoteAddress(c);
  };
}

/** @hono/node-server passes the IncomingMessage as `c.env.incoming`. */
function nodeRemoteAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const address = env?.incoming?.socket?.remoteAddress;
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The `hops`-th non-empty entry from the right of an `X-Forwarded-For` value (or the leftmost
 * when there are fewer: the request did not come through every proxy, and the nearest proxy's own
 * view is still better than the socket, a proxy). Walks back from the end, so the common case, one
 * proxy, reads only the last entry.
 */
export function forwardedFor(header: string | undefined, hops: number): string | undefined {
  if (!header) return undefined;
  let end = header.length;
  let found: string | undefined;
  let seen = 0;
  while (end > 0 && seen < hops) {
    const comma = header.lastIndexOf(',', end - 1);
    const entry = header.slice(comma + 1, end).trim();
    if (entry) {
      found = entry;
      seen++;
    }
    end = Math.max(0, comma);
  }
  return found;
}
