import {
  type EventSource,
  isFinal,
  type PaymentSession,
  type ProviderId,
  toPublicSession,
} from './core/session.js';
import type { SessionHub } from './live.js';
import type { Logger } from './log.js';
import type { Order } from './orders.js';
import type { PaymentProvider, ProviderObservation } from './providers/provider.js';
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
  /** Tpaga explicit mode: confirm delivery as soon as a payment is seen. */
  autoDeliver: ReadonlySet<ProviderId>;
  onStatusChange?: ((session: ReturnType<typeof toPublicSession>) => void | Promise<void>) | undefined;
  /** The first reconciliation of a new session (60 s), then doubling up to `maxCheckDelayMs` (10 min). */
  firstCheckDelayMs?: number | undefined;
  maxCheckDelayMs?: number | undefined;
}

/**
 * Creates sessions and applies verified provider answers, in that order: store first, then
 * tell the live streams and the merchant's hook. Every route and the reconciler go through here.
 */
export class Payments {
  readonly #o: PaymentsOptions;
  /** One provider query in flight per session (a burst of Tpaga webhooks makes one `/info` call). */
  readonly #syncs = new Map<string, Promise<PaymentSession>>();

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
    const now = new Date(this.#o.now()).toISOString();
    const session: PaymentSession = {
      id: this.#o.newSessionId(),
      provider: providerId,
      status: 'pending',
      amount: order.amount,
      currency: order.currency,
      orderId: order.orderId,
      description: order.description,
      items: order.items,
      customerEmail: order.customerEmail,
      returnUrl: order.returnUrl,
      createdAt: now,
      updatedAt: now,
      expiresAt: null,
      action: null,
      providerRef: null,
      providerSecret: null,
      providerStatus: null,
      nextCheckAt: null,
      checkAttempts: 0,
    };
    // Stored before the provider is called, so an answer that arrives early finds its session.
    await this.#o.store.createSession(session);
    const attachment = await provider.create(session, context);
    const attached = await this.#o.store.attachProvider(session.id, {
      ...attachment,
      updatedAt: new Date(this.#o.now()).toISOString(),
    });
    await this.scheduleNextCheck(attached);
    this.#o.hub.remember(toPublicSession(attached));
    return { ...attached, nextCheckAt: this.#nextCheckAt(attached) };
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
    });
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
      await this.#notifyMerchant(view);
      if (result.session.status === 'paid' && this.#o.autoDeliver.has(result.session.provider)) {
        await this.#autoDeliver(result.session);
      }
    }
    return result;
  }

  /** Asks the provider for the session's status and applies the answer (one call at a time). */
  sync(session: PaymentSession, source: EventSource, signal?: AbortSignal): Promise<PaymentSession> {
    const running = this.#syncs.get(session.id);
    if (running) return running;
    const task = (async () => {
      const provider = this.#o.providers.get(session.provider);
      if (!provider || !session.providerRef) return session;
      const observation = await provider.query(session, signal);
      return (await this.observe(session, observation, source)).session;
    })().finally(() => this.#syncs.delete(session.id));
    this.#syncs.set(session.id, task);
    return task;
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

  async #notifyMerchant(view: ReturnType<typeof toPublicSession>): Promise<void> {
    if (!this.#o.onStatusChange) return;
    try {
      await this.#o.onStatusChange(view);
    } catch (error) {
      // The change is stored; a failing merchant hook must not undo or block it.
      this.#o.log.error('onStatusChange hook failed', { session: view.id, error: String(error) });
    }
  }

  async #autoDeliver(session: PaymentSession): Promise<void> {
    const provider = this.#o.providers.get(session.provider);
    if (!provider) return;
    try {
      const observation = await provider.deliver(session);
      await this.observe(
        session,
        { ...observation, detail: { ...observation.detail, auto: 'true' } },
        'admin',
      );
    } catch (error) {
      // Reconciliation and the admin API can still deliver; Tpaga refunds only after a long window.
      this.#o.log.warn('automatic delivery failed', { session: session.id, error: String(error) });
    }
  }
}
