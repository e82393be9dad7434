import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Clock } from './clock.js';

/** Re-renders its host once a second while counting down to a moment (a wallet link's expiry). */
export class CountdownController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #clock: () => Clock;
  #until: number | undefined;
  #timer: unknown;

  constructor(host: ReactiveControllerHost, clock: () => Clock) {
    this.#host = host;
    this.#clock = clock;
    host.addController(this);
  }

  /** Milliseconds left, or undefined when not counting. */
  get remaining(): number | undefined {
    return this.#until === undefined ? undefined : Math.max(0, this.#until - this.#clock().now());
  }

  /** Counts down to `until` (epoch ms), or stops with undefined. */
  set(until: number | undefined): void {
    if (until === this.#until) return;
    this.#until = until;
    this.#schedule();
  }

  hostConnected(): void {
    this.#schedule();
  }

  hostDisconnected(): void {
    this.#clock().clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.hostDisconnected();
    const remaining = this.remaining;
    if (!remaining) return;
    // Wake on the second boundary of the remaining time, so the display never skips a second.
    this.#timer = this.#clock().setTimeout(
      () => {
        this.#host.requestUpdate();
        this.#schedule();
      },
      remaining % 1000 || 1000,
    );
  }
}
