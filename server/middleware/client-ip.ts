import type { Context } from 'hono';

export type ClientIpResolver = (c: Context) => string | undefined;

/**
 * The buyer's IP, for rate limits and Tpaga's `user_ip_address`. Behind a load balancer
 * (`PASARELA_TRUST_PROXY=1`) the first `X-Forwarded-For` entry; otherwise the socket's address,
 * which only the runtime knows (`remoteAddress`). Never trust the header when not behind a proxy:
 * a buyer could pick their own rate-limit bucket.
 */
export function clientIpResolver(options: {
  trustProxy: boolean;
  remoteAddress?: ClientIpResolver;
}): ClientIpResolver {
  return (c) => {
    if (options.trustProxy) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
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
