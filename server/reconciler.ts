import type { Logger } from './log.js';
import type { Payments } from './payments.js';
import type { Store } from './store/store.js';

export interface ReconcilerOptions {
  store: Store;
  payments: Payments;
  log: Logger;
  now: () => number;
  /** How often to look for due sessions (5 s). */
  intervalMs?: number;
  /** Sessions queried at once (4). */
  concurrency?: number;
  /** Idempotency keys older than this are purged (24 h). */
  idempotencyTtlMs?: number;
}

/**
 * Re-queries pending sessions whose next check is due (Tpaga `/info`, ETpay
 * `check_payment_status`), so a lost webhook never leaves a session stuck, and expires them
 * past their lifetime through the same provider answer. Stops cleanly: `stop()` waits for the
 * batch in progress.
 */
export class Reconciler {
  readonly #o: Required<ReconcilerOptions>;
  readonly #stopping = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;

  constructor(options: ReconcilerOptions) {
    this.#o = { intervalMs: 5_000, concurrency: 4, idempotencyTtlMs: 24 * 3_600_000, ...options };
  }

  start(): void {
    if (this.#timer || this.#stopping.signal.aborted) return;
    const tick = () => {
      this.#running = this.runOnce()
        .then(() => undefined)
        .catch((error) => this.#o.log.error('reconciliation failed', { error: String(error) }))
        .finally(() => {
          this.#running = undefined;
          if (!this.#stopping.signal.aborted) {
            this.#timer = setTimeout(tick, this.#o.intervalMs);
            this.#timer.unref?.();
          }
        });
    };
    this.#timer = setTimeout(tick, 0);
    this.#timer.unref?.();
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One pass: every due session, `concurrency` at a time; returns how many were checked. */
  async runOnce(): Promise<number> {
    const { store, payments, log } = this.#o;
    const now = new Date(this.#o.now()).toISOString();
    await store.purgeIdempotencyKeys(new Date(this.#o.now() - this.#o.idempotencyTtlMs).toISOString());
    const due = await store.dueForReconciliation(now, 100);
    let next = 0;
    const worker = async () => {
      while (next < due.length && !this.#stopping.signal.aborted) {
        const session = due[next++]!;
        try {
          const synced = await payments.sync(session, 'reconcile', this.#stopping.signal);
          await payments.scheduleNextCheck(synced, session.checkAttempts + 1);
        } catch (error) {
          if (this.#stopping.signal.aborted) return;
          log.warn('reconciliation query failed', { session: session.id, error: String(error) });
          await payments.scheduleNextCheck(session, session.checkAttempts + 1);
        }
      }
    };
    await Promise.all(Array.from({ length: this.#o.concurrency }, worker));
    return due.length;
  }
}
