import type { PaymentSession } from './core/session.js';
import { type Logger, redactString } from './log.js';
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
  /**
   * A claimed session is left alone by other processes this long (2 min, longer than a provider
   * query with its retries); one whose process died is due again after it.
   */
  leaseMs?: number;
  /** Idempotency keys older than this are purged (24 h). */
  idempotencyTtlMs?: number;
  /**
   * A pending session whose provider cannot be asked (every query fails) is marked expired this
   * long after its `expiresAt` (10 min); it is then looked at a few more times for a late success.
   */
  expiryGraceMs?: number;
}

/** After an expiry without a provider answer: looks for a late success, then stops. */
const lateLooksAfterMs = [3_600_000, 6 * 3_600_000, 24 * 3_600_000];

/**
 * Re-queries pending sessions whose next check is due (each provider's status query), so a lost webhook never leaves a session stuck, and expires them
 * past their lifetime through the same provider answer. Stops cleanly: `stop()` waits for the
 * batch in progress.
 */
export class Reconciler {
  readonly #o: Required<ReconcilerOptions>;
  readonly #stopping = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;

  constructor(options: ReconcilerOptions) {
    this.#o = {
      intervalMs: 5_000,
      concurrency: 4,
      idempotencyTtlMs: 24 * 3_600_000,
      leaseMs: 120_000,
      expiryGraceMs: 10 * 60_000,
      ...options,
    };
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
    const now = this.#o.now();
    await store.purgeIdempotencyKeys(new Date(now - this.#o.idempotencyTtlMs).toISOString());
    // Claimed with a lease: instances sharing the database each take their own due sessions.
    const due = await store.claimDueSessions(
      new Date(now).toISOString(),
      new Date(now + this.#o.leaseMs).toISOString(),
      100,
    );
    let next = 0;
    const worker = async () => {
      while (next < due.length && !this.#stopping.signal.aborted) {
        const session = due[next++]!;
        try {
          const synced = await payments.sync(session, 'reconcile', this.#stopping.signal);
          if (session.status === 'pending')
            await payments.scheduleNextCheck(synced, session.checkAttempts + 1);
          else await this.#scheduleLateLook(synced);
        } catch (error) {
          // Stopped mid-query: the session stays claimed and is due again when the lease ends.
          if (this.#stopping.signal.aborted) return;
          log.warn('reconciliation query failed', { session: session.id, error: String(error) });
          if (session.status !== 'pending') await this.#scheduleLateLook(session);
          else if (this.#pastGrace(session)) await this.#expireUnanswered(session, error);
          else await payments.scheduleNextCheck(session, session.checkAttempts + 1);
        }
      }
    };
    await Promise.all(Array.from({ length: this.#o.concurrency }, worker));
    return due.length;
  }

  #pastGrace(session: PaymentSession): boolean {
    const expiry = session.expiresAt ? Date.parse(session.expiresAt) : Number.NaN;
    return expiry + this.#o.expiryGraceMs <= this.#o.now();
  }

  /**
   * The provider has not answered about a session well past its lifetime: it is expired (the
   * buyer can no longer pay it), with the reason in its history. Money wins: a late success
   * found by the looks that follow is still applied.
   */
  async #expireUnanswered(session: PaymentSession, error: unknown): Promise<void> {
    const { payments, log } = this.#o;
    const result = await payments.observe(
      session,
      {
        statuses: ['expired'],
        providerStatus: null,
        dedupeKey: null,
        detail: { reason: 'provider_unanswered', error: redactString(String(error)).slice(0, 200) },
      },
      'reconcile',
    );
    log.warn('session expired without a provider answer', { session: session.id });
    await this.#scheduleLateLook(result.session);
  }

  /** The next look for a late success after an unanswered expiry, or none once they are done. */
  async #scheduleLateLook(session: PaymentSession): Promise<void> {
    const expiry = session.expiresAt ? Date.parse(session.expiresAt) : Number.NaN;
    const from = expiry + this.#o.expiryGraceMs;
    const next = lateLooksAfterMs.map((after) => from + after).find((at) => at > this.#o.now());
    const unanswered = session.status === 'expired' && session.providerStatus === null;
    await this.#o.store.scheduleCheck(
      session.id,
      unanswered && next !== undefined ? new Date(next).toISOString() : null,
      session.checkAttempts + 1,
    );
  }
}
