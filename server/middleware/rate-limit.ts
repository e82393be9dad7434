import type { Context, MiddlewareHandler } from 'hono';
import { PasarelaError } from '../errors.js';
import type { ClientIpResolver } from './client-ip.js';
import { memoryCounter, type RateCounter } from './rate-counter.js';

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
  /** Distinguishes limiters sharing nothing (for messages, and the counter's keys). */
  name: string;
  /** Where requests are counted: this process's memory unless given (the database, when shared). */
  counter?: RateCounter;
}

/**
 * Fixed-window limit per client IP (or per `key`), each window starting at the key's first
 * request. Past the limit: 429 with `Retry-After` in seconds until the window ends.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const counter = options.counter ?? memoryCounter();
  const what = options.per ? `${options.name} ${options.per}` : options.name;
  return async (c, next) => {
    const now = options.now();
    const key = (options.key ?? options.clientIp)(c) ?? 'unknown';
    const { count, resetAt } = counter.hit(`${what}|${key}`, now, options.windowMs);
    if (count > options.limit) {
      const retryAfter = Math.max(1, Math.ceil((resetAt - now) / 1000));
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
