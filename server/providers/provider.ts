import type { Currency, PaymentSession, ProviderId, Status } from '../core/session.js';
import type { ProviderAttachment } from '../store/store.js';
import { ProviderError, ProviderErrorKind } from './errors.js';

/** What a provider answers to a creation: the attachment, before Pasarela dates and schedules it. */
export type ProviderAnswer = Omit<ProviderAttachment, 'updatedAt' | 'nextCheckAt'>;

/** What `GET /api/config` says about a provider. */
export interface ProviderInfo {
  id: ProviderId;
  name: string;
  currency: Currency;
  country: 'CL' | 'CO';
  flow: 'redirect' | 'wallet';
}

export interface CreateContext {
  /** The buyer's IP address (Tpaga's `user_ip_address`). */
  clientIp: string;
  signal?: AbortSignal;
}

/** A verified provider answer, ready for `Store.applyObservation`. */
export interface ProviderObservation {
  /** Statuses to apply in order; empty when the answer changes nothing (pending, unknown word). */
  statuses: Status[];
  /** The provider's raw status word. */
  providerStatus: string | null;
  /** Identifies this observation for deduplication, or null when repeats are harmless. */
  dedupeKey: string | null;
  detail?: Record<string, string>;
}

/** Which operations after payment a provider has (the others throw `OperationNotSupportedError`). */
export interface ProviderCapabilities {
  /** Confirming delivery (Tpaga refunds a payment whose delivery is never confirmed). */
  deliver: boolean;
  refund: boolean;
  cancel: boolean;
}

/** One payment provider's client (one folder each: HTTP plumbing plus pure status mapping). */
export interface PaymentProvider {
  readonly info: ProviderInfo;
  readonly capabilities: ProviderCapabilities;
  /**
   * Creates the provider's session for a stored Pasarela session. Safe to call again for the same
   * session where the provider deduplicates (Tpaga's idempotency token).
   */
  create(session: PaymentSession, context: CreateContext): Promise<ProviderAnswer>;
  /** Asks the provider for the current status (reconciliation; Tpaga's webhook hint). */
  query(session: PaymentSession, signal?: AbortSignal): Promise<ProviderObservation>;
  /** Admin operations. Providers without them throw a 422 `operation_not_supported` PasarelaError. */
  deliver(session: PaymentSession, signal?: AbortSignal): Promise<ProviderObservation>;
  refund(session: PaymentSession, signal?: AbortSignal): Promise<ProviderObservation>;
  cancel(session: PaymentSession, signal?: AbortSignal): Promise<ProviderObservation>;
}

/** The provider answered with a definite refusal (4xx): nothing was created or changed. */
export class ProviderRejectedError extends ProviderError {
  override readonly name = 'ProviderRejectedError';
  /** The provider's 4xx status. */
  readonly status: number;
  /** The provider's own error word or code, for logs (never shown to a buyer). */
  readonly providerCode: string | undefined;
  constructor(message: string, status: number, providerCode?: string) {
    super(ProviderErrorKind.rejected, message);
    this.status = status;
    this.providerCode = providerCode;
  }
}

/** The provider has no such operation (ETpay has no delivery, refund or cancel call). */
export class OperationNotSupportedError extends ProviderError {
  override readonly name = 'OperationNotSupportedError';
  constructor(message?: string) {
    super(ProviderErrorKind.notSupported, message);
  }
}
