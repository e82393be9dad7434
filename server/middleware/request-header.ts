import type { Context } from 'hono';

interface NodeIncoming {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A request header by its lower-case name. On @hono/node-server it is read from Node's own parsed
 * headers (`c.env.incoming`): `c.req.header()` first builds the request's Fetch `Headers`, every
 * header validated, which a status read otherwise never needs (bench/README.md, deployed). Node
 * joins repeated headers with ", " as `Headers.get` does. Elsewhere, `c.req.header()`.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: NodeIncoming } | undefined)?.incoming;
  if (!incoming?.headers) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
