import type { MiddlewareHandler } from 'hono';

/** What the next API calls do instead of answering normally. */
export const ApiFault = { serverError: '5xx', timeout: 'timeout' } as const;
export type ApiFault = (typeof ApiFault)[keyof typeof ApiFault];

export interface ApiFaultOptions {
  /** The body of a scripted 5xx, in the provider's own error shape. */
  serverErrorBody: unknown;
  /** How long a scripted timeout holds the request before closing the connection (30 s). */
  hangMs?: number;
  /** Called when a hang ends; lets tests and the process close promptly. */
  signal?: AbortSignal;
}

/**
 * Scripted API failures: "the next n calls answer 500" or "the next n calls get no answer".
 * A queue, so `5xx(1)` then `timeout(2)` plays out in that order.
 */
export class ApiFaults {
  #queue: ApiFault[] = [];
  #hangs = new Set<AbortController>();

  add(fault: ApiFault, count: number): void {
    for (let i = 0; i < count; i++) this.#queue.push(fault);
  }

  pending(): readonly ApiFault[] {
    return [...this.#queue];
  }

  clear(): void {
    this.#queue = [];
  }

  /** Ends every hanging request now (on shutdown). */
  releaseHangs(): void {
    for (const hang of this.#hangs) hang.abort();
    this.#hangs.clear();
  }

  middleware(options: ApiFaultOptions): MiddlewareHandler {
    return async (c, next) => {
      const fault = this.#queue.shift();
      if (fault === undefined) return next();
      if (fault === ApiFault.serverError) return c.json(options.serverErrorBody as object, 500);
      const hang = new AbortController();
      this.#hangs.add(hang);
      await sleep(options.hangMs ?? 30_000, AbortSignal.any([hang.signal, c.req.raw.signal]));
      this.#hangs.delete(hang);
      // The provider closes the connection without an answer; on Node we can do the same.
      const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming;
      incoming?.socket?.destroy();
      return c.body(null, 504);
    };
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
