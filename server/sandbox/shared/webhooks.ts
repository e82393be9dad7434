import { sleep } from './faults.js';

/** How a sandbox delivers its notifications (per sandbox, or per session). */
export const WebhookMode = {
  /** One attempt, awaited (up to the timeout) before the buyer is redirected. */
  normal: 'normal',
  /** The buyer is redirected first; the notification follows `delayMs` later. */
  delay: 'delay',
  /** The same notification twice, 100 ms apart. */
  duplicate: 'duplicate',
  /** Not sent at all. */
  drop: 'drop',
  /** Held, then delivered newest first (on `flush`, or `holdMs` after the first was held). */
  reorder: 'reorder',
} as const;
export type WebhookMode = (typeof WebhookMode)[keyof typeof WebhookMode];

export interface WebhookBehaviour {
  mode: WebhookMode;
  /** For `delay`. */
  delayMs?: number;
}

export interface WebhookRequest {
  url: string;
  /** JSON text, or `null` for a body-less POST (a notification that carries only its path). */
  body: string | null;
}

export interface WebhookDelivery {
  id: number;
  /** The session the notification belongs to. */
  session: string;
  url: string;
  body: string | null;
  state: 'scheduled' | 'held' | 'dropped' | 'sending' | 'delivered' | 'failed';
  /** When the last attempt started (ISO). */
  at: string;
  status?: number;
  error?: string;
}

export interface WebhookDispatcherOptions {
  fetch?: typeof fetch;
  /** Longest wait for the merchant's answer (10 s). */
  timeoutMs?: number;
  /** How long `reorder` holds notifications before releasing them newest first (2 s). */
  holdMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

const duplicateGapMs = 100;
const logLimit = 500;

/** Sends a sandbox's notifications with the scripted behaviours, and keeps a log for replay. */
export class WebhookDispatcher {
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #holdMs: number;
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  readonly #closing = new AbortController();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #held: WebhookDelivery[] = [];
  #holdTimer: ReturnType<typeof setTimeout> | undefined;
  #nextId = 1;
  readonly deliveries: WebhookDelivery[] = [];

  constructor(options: WebhookDispatcherOptions = {}) {
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#holdMs = options.holdMs ?? 2_000;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? (() => {});
  }

  /**
   * Dispatches one notification. Resolves when the provider would go on to redirect the buyer:
   * after the attempt for `normal` and `duplicate`, at once for the others.
   */
  async dispatch(session: string, request: WebhookRequest, behaviour: WebhookBehaviour): Promise<void> {
    const delivery = this.#record(session, request);
    switch (behaviour.mode) {
      case WebhookMode.normal:
        await this.#attempt(delivery);
        return;
      case WebhookMode.duplicate: {
        await this.#attempt(delivery);
        await sleep(duplicateGapMs, this.#closing.signal);
        await this.#attempt(this.#record(session, request));
        return;
      }
      case WebhookMode.drop:
        delivery.state = 'dropped';
        return;
      case WebhookMode.delay:
        delivery.state = 'scheduled';
        this.#later(behaviour.delayMs ?? 1_000, () => this.#attempt(delivery));
        return;
      case WebhookMode.reorder:
        delivery.state = 'held';
        this.#held.push(delivery);
        if (!this.#holdTimer) {
          this.#holdTimer = setTimeout(() => void this.flush(), this.#holdMs);
          this.#holdTimer.unref?.();
        }
        return;
      default:
        return assertNever(behaviour.mode);
    }
  }

  /** Delivers the held notifications now, newest first. */
  async flush(): Promise<void> {
    clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    const held = this.#held.reverse();
    this.#held = [];
    for (const delivery of held) await this.#attempt(delivery);
  }

  /** Sends a logged notification again (the sessions page's "replay"). */
  async replay(id: number): Promise<WebhookDelivery | undefined> {
    const original = this.deliveries.find((d) => d.id === id);
    if (!original) return undefined;
    const copy = this.#record(original.session, original);
    await this.#attempt(copy);
    return copy;
  }

  forSession(session: string): WebhookDelivery[] {
    return this.deliveries.filter((d) => d.session === session);
  }

  /** Cancels scheduled and held deliveries and waits for those in flight. */
  async close(): Promise<void> {
    this.#closing.abort();
    clearTimeout(this.#holdTimer);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#held = [];
    await Promise.allSettled([...this.#inFlight]);
  }

  #record(session: string, request: WebhookRequest): WebhookDelivery {
    const delivery: WebhookDelivery = {
      id: this.#nextId++,
      session,
      url: request.url,
      body: request.body,
      state: 'sending',
      at: new Date(this.#now()).toISOString(),
    };
    this.deliveries.push(delivery);
    if (this.deliveries.length > logLimit) this.deliveries.shift();
    return delivery;
  }

  #later(ms: number, task: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void task();
    }, ms);
    timer.unref?.();
    this.#timers.add(timer);
  }

  /** One attempt: no retries, the answer is only logged (any 2xx acknowledges). */
  async #attempt(delivery: WebhookDelivery): Promise<void> {
    if (this.#closing.signal.aborted) return;
    delivery.state = 'sending';
    delivery.at = new Date(this.#now()).toISOString();
    const attempt = (async () => {
      try {
        const response = await this.#fetch(delivery.url, {
          method: 'POST',
          ...(delivery.body === null
            ? {}
            : { body: delivery.body, headers: { 'Content-Type': 'application/json' } }),
          signal: AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#closing.signal]),
        });
        await response.body?.cancel();
        delivery.status = response.status;
        delivery.state = response.ok ? 'delivered' : 'failed';
      } catch (error) {
        delivery.state = 'failed';
        delivery.error = error instanceof Error ? error.message : String(error);
      }
      this.#log(`webhook ${delivery.id} → ${delivery.url}: ${delivery.status ?? delivery.error}`);
    })();
    this.#inFlight.add(attempt);
    await attempt;
    this.#inFlight.delete(attempt);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
