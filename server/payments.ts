import {
  type EventSource,
  holdsMoney,
  isFinal,
  newPaymentSession,
  type PaymentSession,
  type ProviderId,
  toPublicSession,
} from './core/session.js';
import { PasarelaError } from './errors.js';
import type { SessionHub } from './live.js';
import { type Logger, redactString } from './log.js';
import type { Order } from './orders.js';
import {
  OperationNotSupportedError,
  type PaymentProvider,
  type ProviderObservation,
  ProviderRejectedError,
} from './providers/provider.js';
import type { Destination } from './store/outbox.js';
import type { ApplyResult, Store } from './store/store.js';

/** An order as the server trusts it: from a verified order token or the merchant's hook. */
export type TrustedOrder = Order;

export interface PaymentsOptions {
  store: Store;
  providers: ReadonlyMap<ProviderId, PaymentProvider>;
  hub: SessionHub;
  log: Logger;
  now: () => number;
  newSessionId: () => string;
  /** Where a session's changes are announced (the outbox destinations), written with each change. */
  announce?: ((session: PaymentSession) => readonly Destination[]) | undefined;
  /** Called after a change and its notifications are stored (wakes the dispatcher). */
  announced?: (() => void) | undefined;
  /** The first reconciliation of a new session (60 s), then doubling up to `maxCheckDelayMs` (10 min). */
  firstCheckDelayMs?: number | undefined;
  maxCheckDelayMs?: number | undefined;
  /**
   * A provider hint (a hint-only webhook, a buyer's return) within this long of the session's last
   * query asks nothing: the next reconciliation looks instead (5 s).
   */
  hintGapMs?: number | undefined;
  /** Aborted on shutdown: provider queries shared by several callers stop then. */
  shutdown?: AbortSignal | undefined;
}

/**
 * Creates sessions and applies verified provider answers, in that order: store first (with the
 * change's notifications, in the same transaction), then tell the live streams and wake the
 * dispatcher. Every route, the reconciler and the dispatcher's delivery jobs go through here.
 */
export class Payments {
  readonly #o: PaymentsOptions;
  /** One provider query in flight per session (a burst of webhooks makes one status call). */
  readonly #syncs = new Map<string, Promise<PaymentSession>>();
  /** When each session's last query ended (for `hint`); entries older than the gap are swept. */
  readonly #lastQueried = new Map<string, number>();
  /** The one query planned for when a session's hint gap ends. */
  readonly #trailing = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(options: PaymentsOptions) {
    this.#o = options;
  }

  provider(id: ProviderId): PaymentProvider | undefined {
    return this.#o.providers.get(id);
  }

  providers(): Iterable<PaymentProvider> {
    return this.#o.providers.values();
  }

  async create(
    providerId: ProviderId,
    order: TrustedOrder,
    context: { clientIp: string; signal?: AbortSignal },
  ): Promise<PaymentSession> {
    const provider = this.#o.providers.get(providerId);
    if (!provider) throw new Error(`provider ${providerId} is not enabled`);
    await this.#assertOrderUnpaid(order.orderId);
    const now = new Date(this.#o.now()).toISOString();
    const session = newPaymentSession({
      id: this.#o.newSessionId(),
      provider: providerId,
      amount: order.amount,
      currency: order.currency,
      orderId: order.orderId,
      description: order.description,
      items: order.items,
      customerEmail: order.customerEmail,
      returnUrl: order.returnUrl,
      createdAt: now,
    });
    // Stored before the provider is called, so an answer that arrives early finds its session.
    await this.#o.store.createSession(session);
    let attachment: Awaited<ReturnType<PaymentProvider['create']>>;
    try {
      attachment = await provider.create(session, context);
    } catch (error) {
      await this.#createFailed(session, error, context.signal?.aborted === true);
      throw error;
    }
    // The answer and the first reconciliation in one commit.
    const attached = await this.#o.store.attachProvider(session.id, {
      ...attachment,
      updatedAt: new Date(this.#o.now()).toISOString(),
      nextCheckAt: this.#nextCheckAt({ ...session, ...attachment }),
    });
    this.#o.hub.remember(toPublicSession(attached));
    return attached;
  }

  /** Applies a verified observation; publishes and notifies only when the status changed. */
  async observe(
    session: PaymentSession,
    observation: ProviderObservation,
    source: EventSource,
  ): Promise<ApplyResult> {
    const result = await this.#o.store.applyObservation(session.id, {
      statuses: observation.statuses,
      source,
      providerStatus: observation.providerStatus,
      dedupeKey: observation.dedupeKey,
      ...(observation.detail && { detail: observation.detail }),
      at: new Date(this.#o.now()).toISOString(),
      announce: this.#o.announce?.(session) ?? [],
    });
    if (result.notifications.length) this.#o.announced?.();
    if (result.changed) {
      const view = toPublicSession(result.session);
      this.#o.log.info('session status changed', {
        session: view.id,
        provider: view.provider,
        status: view.status,
        source,
        providerStatus: observation.providerStatus,
      });
      this.#o.hub.publish(view);
      if (result.session.duplicate && holdsMoney(result.session.status) && !holdsMoney(session.status)) {
        this.#o.log.warn('duplicate payment for an order already paid: refund it', {
          session: view.id,
          order: view.orderId,
        });
      }
      if (holdsMoney(result.session.status) && !result.session.duplicate) {
        await this.#cancelOtherSessions(result.session);
      }
    }
    return result;
  }

  /**
   * The automatic delivery job (a provider's `autoDeliver`), run by the dispatcher until it reports
   * done: confirms delivery of a paid session and stores the provider's answer. Done too once
   * the session is delivered, or can no longer be (refunded, cancelled, failed, expired).
   */
  async confirmDelivery(sessionId: string, signal: AbortSignal): Promise<{ done: boolean; note: string }> {
    const session = await this.#o.store.getSession(sessionId);
    if (!session) return { done: true, note: 'the session no longer exists' };
    if (session.status !== 'paid') {
      return session.status === 'pending'
        ? { done: false, note: 'the session is not paid yet' }
        : { done: true, note: `nothing to do: the session is ${session.status}` };
    }
    const provider = this.#o.providers.get(session.provider);
    if (!provider) return { done: false, note: `the provider ${session.provider} is not enabled` };
    let observation: ProviderObservation;
    try {
      observation = await provider.deliver(session, signal);
    } catch (error) {
      if (!(error instanceof ProviderRejectedError)) throw error;
      // Refused: perhaps it was delivered or refunded meanwhile. Ask, and store what is true.
      const synced = await this.sync(session, 'admin', signal);
      if (synced.status !== 'paid') return { done: true, note: `the provider says ${synced.status}` };
      throw error;
    }
    const result = await this.observe(
      session,
      { ...observation, detail: { ...observation.detail, auto: 'true' } },
      'admin',
    );
    const status = result.session.status;
    return status === 'paid'
      ? { done: false, note: `the provider answered ${observation.providerStatus ?? 'nothing new'}` }
      : { done: true, note: `the session is ${status}` };
  }

  /**
   * A provider's hint that the session may have changed (a hint-only webhook, the buyer's return):
   * asks the provider. When a query is already running (it may have started before the change)
   * or ran moments ago, the hint shares that answer, and one more query follows when the gap
   * ends, with the next reconciliation brought forward to then in case this process stops
   * first: a hint is never lost, and a flood of them costs one query per gap.
   */
  async hint(session: PaymentSession, source: EventSource, signal?: AbortSignal): Promise<PaymentSession> {
    // Refunded is the one status nothing follows (failed, expired and cancelled may still turn
    // out paid: money wins), so there is nothing to ask.
    if (session.status === 'refunded') return session;
    const last = this.#lastQueried.get(session.id);
    const recent = last !== undefined && this.#o.now() - last < (this.#o.hintGapMs ?? 5_000);
    const running = this.#syncs.has(session.id);
    if (!running && !recent) return this.sync(session, source, signal);
    const answer = running ? await this.sync(session, source, signal) : session;
    await this.#queryAfterGap(answer, source);
    return answer;
  }

  async #queryAfterGap(session: PaymentSession, source: EventSource): Promise<void> {
    const at = (this.#lastQueried.get(session.id) ?? this.#o.now()) + (this.#o.hintGapMs ?? 5_000);
    if (!isFinal(session.status)) {
      await this.#o.store.scheduleCheck(session.id, new Date(at).toISOString(), session.checkAttempts);
    }
    if (this.#trailing.has(session.id) || this.#o.shutdown?.aborted) return;
    const timer = setTimeout(
      () => {
        this.#trailing.delete(session.id);
        if (this.#o.shutdown?.aborted) return;
        this.sync(session, source).catch((error) =>
          this.#o.log.warn('provider query after a hint failed', {
            session: session.id,
            error: String(error),
          }),
        );
      },
      Math.max(0, at - this.#o.now()),
    );
    timer.unref?.();
    this.#trailing.set(session.id, timer);
  }

  /** Drops the queries planned after hints (on shutdown). */
  stop(): void {
    for (const timer of this.#trailing.values()) clearTimeout(timer);
    this.#trailing.clear();
  }

  /**
   * Asks the provider for the session's status and applies the answer. One query per session at
   * a time, shared by every caller: each caller's `signal` stops only its own wait, never the
   * query (a webhook that joined a return's query must still see its answer stored).
   */
  sync(session: PaymentSession, source: EventSource, signal?: AbortSignal): Promise<PaymentSession> {
    let task = this.#syncs.get(session.id);
    if (!task) {
      task = (async () => {
        const provider = this.#o.providers.get(session.provider);
        if (!provider || !session.providerRef) return session;
        try {
          const observation = await provider.query(session, this.#o.shutdown);
          return (await this.observe(session, observation, source)).session;
        } finally {
          this.#markQueried(session.id);
        }
      })().finally(() => this.#syncs.delete(session.id));
      this.#syncs.set(session.id, task);
    }
    return untilAborted(task, signal);
  }

  /** Plans the next reconciliation: backoff from creation, and a check right after expiry. */
  async scheduleNextCheck(session: PaymentSession, attempts = session.checkAttempts): Promise<void> {
    await this.#o.store.scheduleCheck(
      session.id,
      this.#nextCheckAt({ ...session, checkAttempts: attempts }),
      attempts,
    );
  }

  #nextCheckAt(session: PaymentSession): string | null {
    if (isFinal(session.status)) return null;
    const now = this.#o.now();
    const { firstCheckDelayMs = 60_000, maxCheckDelayMs = 10 * 60_000 } = this.#o;
    const backoff = Math.min(firstCheckDelayMs * 2 ** session.checkAttempts, maxCheckDelayMs);
    const jittered = backoff * (0.8 + Math.random() * 0.4);
    let next = now + jittered;
    const expiry = session.expiresAt ? Date.parse(session.expiresAt) : Number.NaN;
    // Look again just after the provider's lifetime ends, so expiry is never late by a whole step.
    if (expiry > now && expiry + 5_000 < next) next = expiry + 5_000;
    return new Date(next).toISOString();
  }

  #markQueried(id: string): void {
    const now = this.#o.now();
    const gap = this.#o.hintGapMs ?? 5_000;
    // Swept as it grows, so a busy server keeps only the sessions of the last few seconds.
    if (this.#lastQueried.size > 1_000) {
      for (const [key, at] of this.#lastQueried) if (now - at >= gap) this.#lastQueried.delete(key);
    }
    this.#lastQueried.set(id, now);
  }

  /** An order is paid at most once: no new session once one of its sessions holds the money. */
  async #assertOrderUnpaid(orderId: string): Promise<void> {
    const sessions = await this.#o.store.orderSessions(orderId);
    if (sessions.some((s) => holdsMoney(s.status))) {
      throw new PasarelaError(
        409,
        'order_already_paid',
        `The order "${orderId}" is already paid; it cannot be paid again.`,
      );
    }
  }

  /**
   * The provider refused, failed or never answered the creation: the session is marked failed
   * with the reason, so it is never listed as a payment in progress.
   */
  async #createFailed(session: PaymentSession, error: unknown, abandoned: boolean): Promise<void> {
    const reason = abandoned
      ? 'create_aborted'
      : error instanceof ProviderRejectedError
        ? 'provider_rejected'
        : 'provider_unavailable';
    try {
      await this.#o.store.applyObservation(session.id, {
        statuses: ['failed'],
        source: 'create',
        providerStatus: null,
        dedupeKey: null,
        // Shown to the merchant in the session's history: redacted as a log line would be.
        detail: { reason, error: redactString(String(error)).slice(0, 200) },
        at: new Date(this.#o.now()).toISOString(),
        announce: this.#o.announce?.(session) ?? [],
      });
      this.#o.announced?.();
    } catch (stored) {
      this.#o.log.error('could not mark a failed creation', { session: session.id, error: String(stored) });
    }
  }

  /**
   * One session of the order holds the money: its other pending sessions are cancelled where the
   * provider can (`capabilities.cancel`). Where it cannot, a payment that still arrives is flagged as a
   * duplicate by the store. A failed cancel is logged; that link may still be paid, and is then
   * flagged the same way.
   */
  async #cancelOtherSessions(paid: PaymentSession): Promise<void> {
    const others = (await this.#o.store.orderSessions(paid.orderId)).filter(
      (s) => s.id !== paid.id && s.status === 'pending' && s.providerRef,
    );
    for (const other of others) {
      const provider = this.#o.providers.get(other.provider);
      if (!provider) continue;
      try {
        const observation = await provider.cancel(other, this.#o.shutdown);
        await this.observe(
          other,
          { ...observation, detail: { ...observation.detail, reason: 'order_paid', paidBy: paid.id } },
          'admin',
        );
      } catch (error) {
        if (error instanceof OperationNotSupportedError) continue;
        this.#o.log.warn('could not cancel another session of a paid order', {
          session: other.id,
          order: paid.orderId,
          error: String(error),
        });
      }
    }
  }
}

/** Waits for `task`, or rejects with the signal's reason once `signal` aborts (the task goes on). */
function untilAborted<T>(task: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return task;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    task.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
