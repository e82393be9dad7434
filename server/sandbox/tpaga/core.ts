import { timingSafeEqual } from 'hono/utils/buffer';
import { ApiFaults } from '../shared/faults.js';
import { randomHex } from '../shared/random.js';
import type { SandboxSessionSummary } from '../shared/types.js';
import { type WebhookBehaviour, WebhookDispatcher, WebhookMode } from '../shared/webhooks.js';
import type { CreateInput } from './create-input.js';
import { SimError } from './errors.js';
import { formatTimestamp } from './format.js';
import {
  DeliveryMode,
  type MerchantConfig,
  merchantConfig,
  Notify,
  TpagaSandboxMerchant,
  type TpagaSandboxOptions,
} from './options.js';
import { encodePaymentLink } from './payment-link.js';
import {
  decide,
  expireIfDue,
  type PaymentRequest,
  PaymentRequestStatus,
  revertUndelivered,
} from './payment-request.js';

/**
 * The sandbox's state and the Tpaga-side events (the buyer's decision, Tpaga's own revert, the
 * webhook). The API, the wallet pages and the control API are thin layers over it.
 */
export class TpagaCore {
  readonly merchants: ReadonlyMap<string, MerchantConfig>;
  readonly webhooks: WebhookDispatcher;
  readonly faults = new ApiFaults();
  readonly now: () => number;
  readonly log: (line: string) => void;
  readonly linkBase: string;
  readonly #requests = new Map<string, PaymentRequest>();
  /** `merchant \n idempotency_token` → request: the 409 is per merchant. */
  readonly #byIdempotency = new Map<string, PaymentRequest>();
  readonly #revertTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #defaultWebhook: WebhookBehaviour;
  #closed = false;
  webhook: WebhookBehaviour;
  disabled = false;
  idempotencyUnwrapped = false;

  constructor(options: TpagaSandboxOptions) {
    const merchants = options.merchants ?? [TpagaSandboxMerchant];
    this.merchants = new Map(merchants.map((merchant) => [merchant.username, merchantConfig(merchant)]));
    this.now = () => Math.floor((options.now ?? Date.now)());
    this.log = options.log ?? (() => {});
    this.linkBase = `${options.publicUrl.replace(/\/+$/, '')}/w/`;
    this.#defaultWebhook = options.webhook ?? { mode: WebhookMode.normal };
    this.webhook = this.#defaultWebhook;
    this.webhooks = new WebhookDispatcher({
      timeoutMs: options.webhookTimeoutMs ?? 10_000,
      now: this.now,
      log: this.log,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.holdMs !== undefined ? { holdMs: options.holdMs } : {}),
    });
  }

  /** The merchant with these Basic-auth credentials (every one compared, in constant time). */
  async authenticate(username: string, password: string): Promise<MerchantConfig | undefined> {
    let found: MerchantConfig | undefined;
    for (const merchant of this.merchants.values()) {
      const [user, pass] = await Promise.all([
        timingSafeEqual(merchant.username, username),
        timingSafeEqual(merchant.password, password),
      ]);
      if (user && pass && !found) found = merchant;
    }
    return found;
  }

  merchant(username: string): MerchantConfig {
    const merchant = this.merchants.get(username);
    if (!merchant)
      throw new SimError(404, 'merchant_not_found', `no Tpaga sandbox merchant is called "${username}"`);
    return merchant;
  }

  create(merchant: MerchantConfig, input: CreateInput): PaymentRequest {
    const token = `pr-${randomHex(36)}`;
    const pr: PaymentRequest = {
      ...input,
      merchant: merchant.username,
      token,
      paymentUrl: this.linkBase + encodePaymentLink(merchant.slug, token),
      createdAt: this.now(),
      status: PaymentRequestStatus.created,
      paidAt: null,
      cancelledAt: null,
      checkedByMerchantAt: null,
      deliveryNotificationAt: null,
    };
    this.#requests.set(token, pr);
    this.#byIdempotency.set(`${merchant.username}\n${input.idempotencyToken}`, pr);
    return pr;
  }

  /** A request in its current state (lazy expiry and auto-revert applied). */
  find(token: string): PaymentRequest | undefined {
    const pr = this.#requests.get(token);
    if (pr) this.#settle(pr);
    return pr;
  }

  /** Puts back snapshotted requests of merchants this sandbox has (`all()` gives them). */
  restore(requests: PaymentRequest[]): void {
    for (const pr of requests) {
      if (!this.merchants.has(pr.merchant)) continue;
      this.#requests.set(pr.token, pr);
      this.#byIdempotency.set(`${pr.merchant}\n${pr.idempotencyToken}`, pr);
    }
  }

  findByIdempotency(merchant: string, idempotencyToken: string): PaymentRequest | undefined {
    const pr = this.#byIdempotency.get(`${merchant}\n${idempotencyToken}`);
    if (pr) this.#settle(pr);
    return pr;
  }

  /** For the control API and the in-process sim methods: unknown tokens are a 404. */
  require(token: string): PaymentRequest {
    const pr = this.find(token);
    if (!pr)
      throw new SimError(
        404,
        'session_not_found',
        `no Tpaga sandbox payment request has the token "${token}"`,
      );
    return pr;
  }

  all(): PaymentRequest[] {
    return [...this.#requests.values()].map((pr) => {
      this.#settle(pr);
      return pr;
    });
  }

  /**
   * The buyer's decision (wallet page or sim). Resolves when Tpaga would redirect the buyer, that
   * is after the webhook in normal mode. False when the request was not `created`.
   */
  async decide(pr: PaymentRequest, approve: boolean): Promise<boolean> {
    this.#settle(pr);
    if (!decide(pr, approve, this.now())) return false;
    this.log(`tpaga: ${pr.token} ${pr.status}`);
    if (approve) this.#armAutoRevert(pr);
    await this.#notify(pr);
    return true;
  }

  /** Tpaga refunds an undelivered payment itself, and tells the merchant. */
  async revert(pr: PaymentRequest): Promise<boolean> {
    if (!revertUndelivered(pr)) return false;
    this.#disarmAutoRevert(pr.token);
    this.log(`tpaga: ${pr.token} reverted by Tpaga`);
    await this.#notify(pr);
    return true;
  }

  summary(pr: PaymentRequest): SandboxSessionSummary {
    return {
      token: pr.token,
      orderId: pr.orderId,
      amount: Number(pr.cost),
      status: pr.status,
      createdAt: formatTimestamp(pr.createdAt),
      expiresAt: formatTimestamp(pr.expiresAt),
      buyerUrl: pr.paymentUrl,
      deliveries: this.webhooks.forSession(pr.token),
    };
  }

  resetBehaviours(): void {
    this.webhook = this.#defaultWebhook;
    for (const pr of this.#requests.values()) delete pr.webhook;
    this.faults.clear();
    this.disabled = false;
    this.idempotencyUnwrapped = false;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#revertTimers.values()) clearTimeout(timer);
    this.#revertTimers.clear();
    this.faults.releaseHangs();
    await this.webhooks.close();
  }

  #settle(pr: PaymentRequest): void {
    expireIfDue(pr, this.now());
    const window = this.#autoRevertWindow(pr);
    // The timer covers real time; this covers an injected clock that jumps ahead.
    if (window !== undefined && pr.paidAt !== null && this.now() >= pr.paidAt + window) {
      void this.revert(pr);
    }
  }

  #autoRevertWindow(pr: PaymentRequest): number | undefined {
    const merchant = this.merchants.get(pr.merchant);
    if (pr.status !== PaymentRequestStatus.paid || merchant?.deliveryMode !== DeliveryMode.explicit) {
      return undefined;
    }
    return merchant.autoRevertAfterMs;
  }

  #armAutoRevert(pr: PaymentRequest): void {
    const window = this.#autoRevertWindow(pr);
    if (window === undefined || this.#closed) return;
    const timer = setTimeout(() => {
      this.#revertTimers.delete(pr.token);
      void this.revert(pr);
    }, window);
    timer.unref?.();
    this.#revertTimers.set(pr.token, timer);
  }

  #disarmAutoRevert(token: string): void {
    clearTimeout(this.#revertTimers.get(token));
    this.#revertTimers.delete(token);
  }

  /** The body-less, unauthenticated `POST {webhookBase}/{token}`, when the merchant takes webhooks. */
  async #notify(pr: PaymentRequest): Promise<void> {
    const merchant = this.merchants.get(pr.merchant);
    if (!merchant?.webhookBase || merchant.notify === Notify.redirect || this.#closed) return;
    const url = `${merchant.webhookBase.replace(/\/+$/, '')}/${pr.token}`;
    await this.webhooks.dispatch(pr.token, { url, body: null }, pr.webhook ?? this.webhook);
  }
}
