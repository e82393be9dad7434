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
  // A counter given is shared with other limits, whose keys the prefix keeps apart; one of its own
  // takes the address as it is (the concatenated key cost a status read a third of its lookup).
  const prefix = options.counter ? `${what}|` : '';
  const keyOf = options.key ?? options.clientIp;
  const { limit, windowMs, now } = options;
  // Not async: on the way through (nearly every request) it adds no promise of its own.
  return (c, next) => {
    const at = now();
    const key = keyOf(c) ?? 'unknown';
    const counted = prefix ? prefix + key : key;
    if (counter.hit(counted, at, windowMs) > limit) {
      const retryAfter = Math.max(1, Math.ceil((counter.resetAt(counted) - at) / 1000));
      c.header('Retry-After', String(retryAfter));
      throw new PasarelaError(
        429,
        'rate_limited',
        `Too many ${options.name} requests ${options.per ?? 'from this address'}: try again in ${retryAfter} s.`,
      );
    }
    return next();
  };
}
