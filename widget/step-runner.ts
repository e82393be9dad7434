import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Runs the checkout's network steps one at a time: starting a step aborts the one before it, and
 * a step cut short because the element left the page runs again when it comes back (an element
 * moved in the DOM is disconnected and reconnected at once).
 */
export class StepRunner implements ReactiveController {
  #work: AbortController | undefined;
  #step: (() => void) | undefined;
  #interrupted: (() => void) | undefined;

  constructor(host: ReactiveControllerHost) {
    host.addController(this);
  }

  /**
   * Runs `work` for `step` (the call that started it, to repeat after an interruption); failures
   * other than its own abort go to `onError`.
   */
  run(
    step: () => void,
    work: (signal: AbortSignal) => Promise<void>,
    onError: (error: unknown) => void,
  ): void {
    this.#work?.abort();
    const controller = new AbortController();
    this.#work = controller;
    this.#step = step;
    work(controller.signal).then(
      () => {
        if (this.#work === controller) this.#work = undefined;
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        this.#work = undefined;
        onError(error);
      },
    );
  }

  hostConnected(): void {
    const again = this.#interrupted;
    this.#interrupted = undefined;
    again?.();
  }

  hostDisconnected(): void {
    if (this.#work) this.#interrupted = this.#step;
    this.#work?.abort();
  }
}
