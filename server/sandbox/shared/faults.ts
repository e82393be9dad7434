import type { Context, MiddlewareHandler } from 'hono';

/** What the next API calls do instead of answering normally. */
export const ApiFault = {
  serverError: '5xx',
  timeout: 'timeout',
  /** The connection is closed without an answer, at once. */
  closed: 'closed',
  /** A 200 whose body is not the provider's JSON (an HTML error page unless a body is given). */
  garbage: 'garbage',
} as const;
export type ApiFault = (typeof ApiFault)[keyof typeof ApiFault];

/**
 * What a proxy or load balancer in front of a provider answers when the service behind it is
 * down: an error page, with 200 because a misconfigured one says so.
 */
export const garbagePage =
  '<!DOCTYPE html><html><head><title>Service Unavailable</title></head>' +
  '<body><h1>Service Unavailable</h1><p>Please try again later.</p></body></html>';

export interface ApiFaultOptions {
  /** The body of a scripted 5xx, in the provider's own error shape. */
  serverErrorBody: unknown;
  /** How long a scripted timeout holds the request before closing the connection (30 s). */
  hangMs?: number;
  /** Called when a hang ends; lets tests and the process close promptly. */
  signal?: AbortSignal;
}

interface ScriptedFault {
  fault: ApiFault;
  /** The body of a `garbage` answer. */
  body: string | undefined;
}

/**
 * Scripted API failures: "the next n calls answer 500", "… get no answer", "… find the connection
 * closed" or "… get a 200 that is not JSON". A queue, so `5xx(1)` then `timeout(2)` plays out in
 * that order. A faulted call never reaches the API: nothing is created or changed.
 */
export class ApiFaults {
  #queue: ScriptedFault[] = [];
  #hangs = new Set<AbortController>();

  /** `body` is what a `garbage` answer carries (JSON is sent as such); other faults ignore it. */
  add(fault: ApiFault, count: number, body?: string): void {
    for (let i = 0; i < count; i++) this.#queue.push({ fault, body });
  }

  pending(): readonly ApiFault[] {
    return this.#queue.map((scripted) => scripted.fault);
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
      const scripted = this.#queue.shift();
      if (scripted === undefined) return next();
      switch (scripted.fault) {
        case ApiFault.serverError:
          return c.json(options.serverErrorBody as object, 500);
        case ApiFault.garbage:
          return garbageAnswer(c, scripted.body ?? garbagePage);
        case ApiFault.closed:
          return closeConnection(c);
        case ApiFault.timeout: {
          const hang = new AbortController();
          this.#hangs.add(hang);
          await sleep(options.hangMs ?? 30_000, AbortSignal.any([hang.signal, c.req.raw.signal]));
          this.#hangs.delete(hang);
          return closeConnection(c);
        }
        default:
          return assertNever(scripted.fault);
      }
    };
  }
}

function garbageAnswer(c: Context, body: string): Response {
  const json = isJson(body);
  return c.body(body, 200, {
    'Content-Type': json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
  });
}

/**
 * The provider closes the connection without an answer; on Node we can do the same. In-process
 * (no socket, e.g. `app.request`), an empty 504 stands for it.
 */
function closeConnection(c: Context): Response {
  const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming;
  incoming?.socket?.destroy();
  return c.body(null, 504);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected API fault ${String(value)}`);
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
