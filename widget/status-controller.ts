import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ApiError, type PasarelaApi } from './api.js';
import type { Clock } from './clock.js';
import { isFinal, type Session } from './types.js';

export interface StatusControllerOptions {
  api(): PasarelaApi;
  clock(): Clock;
  /** Every snapshot of the session that arrives, changed or not. */
  onSession(session: Session): void;
  /**
   * The session is past its `expiresAt` and still pending. It cannot be paid any more, but a
   * payment made at the last moment may still be on its way: only the server says how it ended,
   * so following goes on (polling more slowly) until it does.
   */
  onOverdue(): void;
  /** Following stopped on an error that retrying will not fix (the session is gone). */
  onError(error: ApiError): void;
}

// Timings from DESIGN.md ("Live status"). No first SSE message within SSE_SILENCE_MS (a buffering
// proxy): poll instead. Past a minute of polling, or past `expiresAt`, poll slowly.
const SSE_SILENCE_MS = 10_000;
const FAST_POLL_MS = 2_000;
const FAST_POLL_FOR_MS = 60_000;
const SLOW_POLL_MS = 5_000;
const SLOW_POLL_JITTER_MS = 5_000;
// Browsers run a timeout longer than this (about 24.8 days) at once: wait for expiry in steps.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Follows a session's status until it is final: server-sent events first, polling when they
 * fail. Polling is paused while the tab is hidden and refreshes as soon as it shows again, honours
 * `Retry-After`, and everything stops at a final status from the server (never on the widget's own
 * clock) or when the host leaves the DOM (and resumes if it comes back).
 */
export class StatusController implements ReactiveController {
  readonly #options: StatusControllerOptions;
  #session: Session | undefined;
  #run: AbortController | undefined;

  constructor(host: ReactiveControllerHost, options: StatusControllerOptions) {
    this.#options = options;
    host.addController(this);
  }

  /** Starts following `session` (replacing whatever was followed before). */
  follow(session: Session): void {
    this.#stop();
    this.#session = session;
    if (!isFinal(session.status)) this.#start(session.id);
  }

  /** Stops following and forgets the session. */
  clear(): void {
    this.#stop();
    this.#session = undefined;
  }

  hostConnected(): void {
    if (this.#session && !this.#run && !isFinal(this.#session.status)) this.#start(this.#session.id);
  }

  hostDisconnected(): void {
    this.#stop();
  }

  #stop(): void {
    this.#run?.abort();
    this.#run = undefined;
  }

  #start(id: string): void {
    const run = new AbortController();
    this.#run = run;
    const { signal } = run;
    const api = this.#options.api();
    const clock = this.#options.clock();
    const timers = new Set<unknown>();
    const later = (callback: () => void, ms: number) => {
      const handle = clock.setTimeout(() => {
        timers.delete(handle);
        if (!signal.aborted) callback();
      }, ms);
      timers.add(handle);
      return handle;
    };
    const cancel = (handle: unknown) => {
      clock.clearTimeout(handle);
      timers.delete(handle);
    };

    let source: EventSource | undefined;
    let pollingSince: number | undefined;
    let pollTimer: unknown;
    let polling = false;
    let overdue = false;

    const accept = (session: Session) => {
      if (signal.aborted || session.id !== id) return;
      this.#session = session;
      if (isFinal(session.status)) this.#stop();
      this.#options.onSession(session);
    };
    const fail = (error: unknown) => {
      if (signal.aborted) return;
      this.#stop();
      this.#options.onError(
        error instanceof ApiError ? error : new ApiError('network_error', String(error), 0),
      );
    };
    // A network error, rate limiting or a 5xx is worth another look later; anything else is not.
    const transient = (error: unknown) =>
      error instanceof ApiError && (error.status === 0 || error.status === 429 || error.status >= 500);

    const poll = async () => {
      cancel(pollTimer);
      if (polling || signal.aborted) return;
      if (document.hidden) return; // visibilitychange polls again when the tab shows
      polling = true;
      let wait = 0;
      try {
        accept(await api.session(id, signal));
      } catch (error) {
        if (!transient(error)) {
          fail(error);
          return;
        }
        wait = (error as ApiError).retryAfterMs ?? 0;
      } finally {
        polling = false;
      }
      if (signal.aborted) return;
      const since = clock.now() - (pollingSince ?? clock.now());
      const interval =
        since < FAST_POLL_FOR_MS && !overdue
          ? FAST_POLL_MS
          : SLOW_POLL_MS + clock.random() * SLOW_POLL_JITTER_MS;
      pollTimer = later(poll, Math.max(wait, interval));
    };
    const startPolling = () => {
      source?.close();
      source = undefined;
      pollingSince ??= clock.now();
      void poll();
    };
    const onVisibility = () => {
      if (!document.hidden && pollingSince !== undefined) void poll();
    };

    document.addEventListener('visibilitychange', onVisibility);
    signal.addEventListener('abort', () => {
      source?.close();
      for (const handle of timers) clock.clearTimeout(handle);
      document.removeEventListener('visibilitychange', onVisibility);
    });

    const expiresAt = this.#session?.expiresAt ? Date.parse(this.#session.expiresAt) : Number.NaN;
    const watchExpiry = () => {
      const left = expiresAt - clock.now();
      if (left > 0) {
        later(watchExpiry, Math.min(left, MAX_TIMEOUT_MS));
        return;
      }
      overdue = true;
      this.#options.onOverdue();
    };
    if (Number.isFinite(expiresAt)) watchExpiry();

    if (typeof EventSource !== 'function') {
      startPolling();
      return;
    }
    source = new EventSource(api.eventsUrl(id));
    const watchdog = later(startPolling, SSE_SILENCE_MS);
    source.addEventListener('status', (event) => {
      cancel(watchdog);
      try {
        accept(JSON.parse((event as MessageEvent<string>).data) as Session);
      } catch {}
    });
    // EventSource retries by itself after a dropped connection, but gives up for good on an HTTP
    // error, and some proxies break the stream while it "retries"; polling is the dependable path.
    source.addEventListener('error', () => {
      cancel(watchdog);
      if (!signal.aborted) startPolling();
    });
  }
}
