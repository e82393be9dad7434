import { randomId } from '../core/ids.js';
import { type Logger, redactString } from '../log.js';
import type { AttemptOutcome, ClaimedDelivery } from '../store/outbox.js';
import type { Store } from '../store/store.js';
import { afterFailure, defaultRetryPolicy, type RetryPolicy } from './retry.js';
import type { Sender, SendResult } from './senders.js';

export interface DispatcherOptions {
  store: Store;
  log: Logger;
  now: () => number;
  /** Each destination (by the name stored with its deliveries) and how an attempt reaches it. */
  senders: ReadonlyMap<string, Sender>;
  retry?: Partial<RetryPolicy>;
  /** An attempt that has not answered by then has failed (10 s). */
  timeoutMs?: number;
  /**
   * How long a claimed delivery stays taken (30 s, longer than an attempt): a process that dies
   * mid-attempt leaves it to be tried again after that, by whichever dispatcher looks.
   */
  leaseMs?: number;
  /** How often to look for due deliveries besides the wake-ups after each change (1 s). */
  pollMs?: number;
  /** Attempts in flight at once, per destination (8): a slow endpoint never holds up another. */
  perDestination?: number;
  /** On shutdown, attempts in flight get this long to finish before they are cut short (5 s). */
  shutdownGraceMs?: number;
}

/**
 * Works off the outbox: claims due deliveries, makes each attempt, records it (time, HTTP status
 * or error, duration, the start of the answer) and plans the retry, until delivered or out of
 * retries. Deliveries are claimed with a lease, so a crash between an attempt and its record means
 * a redelivery (same event id), never a loss; several processes can share one database.
 */
export class Dispatcher {
  readonly #o: Required<Omit<DispatcherOptions, 'retry'>> & { retry: RetryPolicy };
  /** Attempts in flight, per destination. */
  readonly #inFlight = new Map<string, Set<Promise<void>>>();
  readonly #shutdown = new AbortController();
  readonly #process = randomId('dsp_');
  #claims = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pumping: Promise<void> | undefined;
  #again = false;
  #started = false;

  constructor(options: DispatcherOptions) {
    this.#o = {
      timeoutMs: 10_000,
      leaseMs: 30_000,
      pollMs: 1_000,
      perDestination: 8,
      shutdownGraceMs: 5_000,
      ...options,
      retry: { ...defaultRetryPolicy, ...options.retry },
    };
  }

  /** Starts looking: at once (due deliveries resume right after a restart), then every `pollMs`. */
  start(): void {
    if (this.#started || this.#shutdown.signal.aborted) return;
    this.#started = true;
    void this.#warnAboutUnknownDestinations();
    this.wake();
  }

  /** Something was just stored (or an attempt ended): look for due deliveries now. */
  wake(): void {
    if (!this.#started || this.#shutdown.signal.aborted) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#schedule(0);
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    const look = () => {
      this.#pumping ??= this.#pump().finally(() => {
        this.#pumping = undefined;
        if (this.#started) this.#schedule(this.#again ? 0 : this.#o.pollMs);
      });
    };
    // Right after a change, on the next turn of the event loop (a 0 ms timer waits 1 ms).
    if (delayMs === 0) {
      this.#timer = undefined;
      nextTurn(look);
      return;
    }
    this.#timer = setTimeout(look, delayMs);
    this.#timer.unref?.();
  }

  /** Number of attempts in flight (tests, shutdown). */
  get active(): number {
    let n = 0;
    for (const set of this.#inFlight.values()) n += set.size;
    return n;
  }

  /**
   * Stops claiming; attempts in flight get `shutdownGraceMs` to finish, then are cut short and
   * recorded as due again at once, so the next start tries them first.
   */
  async stop(): Promise<void> {
    this.#started = false;
    clearTimeout(this.#timer);
    // A look in progress may still claim; its attempts are waited for like the others.
    await this.#pumping;
    const all = () => [...this.#inFlight.values()].flatMap((set) => [...set]);
    const grace = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#o.shutdownGraceMs);
      timer.unref?.();
    });
    await Promise.race([Promise.all(all()), grace]);
    this.#shutdown.abort(new Error('interrupted by shutdown'));
    await Promise.all(all());
  }

  async #pump(): Promise<void> {
    try {
      do {
        this.#again = false;
        for (const [destination, sender] of this.#o.senders) {
          const running = this.#inFlight.get(destination)?.size ?? 0;
          const free = this.#o.perDestination - running;
          if (free <= 0 || !this.#started) continue;
          const now = this.#o.now();
          const claimed = await this.#o.store.claimDeliveries({
            destination,
            now: new Date(now).toISOString(),
            leaseUntil: new Date(now + this.#o.leaseMs).toISOString(),
            limit: free,
            claim: `${this.#process}-${(++this.#claims).toString(36)}`,
          });
          for (const delivery of claimed) this.#attempt(destination, sender, delivery);
        }
      } while (this.#again && this.#started);
    } catch (error) {
      // The store is busy or down: the next look tries again; nothing was taken.
      this.#o.log.warn('notification outbox not read', { error: String(error) });
    }
  }

  #attempt(destination: string, sender: Sender, delivery: ClaimedDelivery): void {
    let set = this.#inFlight.get(destination);
    if (!set) {
      set = new Set();
      this.#inFlight.set(destination, set);
    }
    const task = this.#run(sender, delivery).finally(() => {
      set.delete(task);
      this.wake();
    });
    set.add(task);
  }

  async #run(sender: Sender, delivery: ClaimedDelivery): Promise<void> {
    const { now, log, store } = this.#o;
    const at = now();
    const started = performance.now();
    const signal = AbortSignal.any([this.#shutdown.signal, AbortSignal.timeout(this.#o.timeoutMs)]);
    let result: SendResult;
    try {
      result = await sender(delivery, signal);
    } catch (error) {
      result = {
        ok: false,
        httpStatus: null,
        error: redactString(String(error)).slice(0, 500),
        response: null,
      };
    }
    const durationMs = performance.now() - started;
    const ended = now();
    const outcome: AttemptOutcome = result.ok
      ? { state: 'delivered' }
      : this.#shutdown.signal.aborted
        ? // Cut short by a shutdown: due again at once, so the next start tries it first.
          { state: 'pending', nextAttemptAt: new Date(ended).toISOString() }
        : afterFailure(this.#o.retry, delivery.attemptCount + 1, Date.parse(delivery.windowStart), ended);
    try {
      await store.recordAttempt(
        delivery.deliveryId,
        delivery.claim,
        {
          at: new Date(at).toISOString(),
          durationMs,
          httpStatus: result.httpStatus,
          error: result.error,
          response: result.response,
        },
        outcome,
      );
    } catch (error) {
      // Not recorded: the lease runs out and the delivery is tried again (same event id).
      log.error('notification attempt not recorded', { event: delivery.eventId, error: String(error) });
      return;
    }
    const fields = {
      event: delivery.eventId,
      session: delivery.sessionId,
      destination: describeDestination(delivery.destination),
      attempt: delivery.attemptCount + 1,
    };
    if (outcome.state === 'delivered') log.debug('notification delivered', fields);
    else if (outcome.state === 'failed') {
      log.error('notification failed: no more retries', { ...fields, error: result.error });
    } else
      log.warn('notification attempt failed', {
        ...fields,
        error: result.error,
        next: outcome.nextAttemptAt,
      });
  }

  /** Pending deliveries for a destination no longer configured wait for it; say so once. */
  async #warnAboutUnknownDestinations(): Promise<void> {
    try {
      for (const { destination, pending } of await this.#o.store.pendingDestinations()) {
        if (this.#o.senders.has(destination)) continue;
        this.#o.log.warn('notifications waiting for a destination that is not configured', {
          destination: describeDestination(destination),
          pending,
        });
      }
    } catch (error) {
      this.#o.log.warn('notification outbox not read', { error: String(error) });
    }
  }
}

/** A destination for a log line: an endpoint without its query (it may carry a key). */
export function describeDestination(destination: string): string {
  if (!URL.canParse(destination)) return destination;
  const url = new URL(destination);
  return `${url.origin}${url.pathname}`;
}

/** The next turn of the event loop: `setImmediate` where the runtime has it (Node, Bun, Deno). */
const nextTurn: (run: () => void) => void =
  typeof globalThis.setImmediate === 'function' ? (run) => setImmediate(run) : (run) => setTimeout(run, 0);
