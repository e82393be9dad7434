import type { Context, MiddlewareHandler } from 'hono';
import { PasarelaError } from '../errors.js';
import type { ClientIpResolver } from './client-ip.js';

export interface RateLimitOptions {
  /** Requests allowed per window and client IP (or per `key`). */
  limit: number;
  windowMs: number;
  clientIp: ClientIpResolver;
  /** What is counted, when not the client's address (a session, a payment token). */
  key?: (c: Context) => string | undefined;
  /** How the counted thing is named in the message ("this address"). */
  per?: string;
  now: () => number;
  /** Distinguishes limiters sharing nothing (for messages). */
  name: string;
}

/**
 * Fixed-window limit per client IP, in memory (one process). Past the limit: 429 with
 * `Retry-After` in seconds until the window ends. Windows are swept as they expire so idle
 * clients cost nothing.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = 0;
  return async (c, next) => {
    const now = options.now();
    if (now - lastSweep > options.windowMs) {
      for (const [key, window] of windows) if (now - window.start >= options.windowMs) windows.delete(key);
      lastSweep = now;
    }
    const key = (options.key ?? options.clientIp)(c) ?? 'unknown';
    let window = windows.get(key);
    if (!window || now - window.start >= options.windowMs) {
      window = { start: now, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    if (window.count > options.limit) {
      const retryAfter = Math.max(1, Math.ceil((window.start + options.windowMs - now) / 1000));
      c.header('Retry-After', String(retryAfter));
      throw new PasarelaError(
        429,
        'rate_limited',
        `Too many ${options.name} requests ${options.per ?? 'from this address'}: try again in ${retryAfter} s.`,
      );
    }
    await next();
  };
}
