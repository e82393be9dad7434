import { randomAlphanumeric } from '../shared/random.js';
import type { WebhookBehaviour } from '../shared/webhooks.js';
import type { EtpayMerchant } from './options.js';

/** The two results the sandbox's funnel produces (ETpay's non-success word is assumed, §7). */
export const PaymentStatus = { success: 'success', error: 'error' } as const;
export type PaymentStatus = (typeof PaymentStatus)[keyof typeof PaymentStatus];

/** One `metadata` item of initialize. */
export interface MetadataItem {
  name: string;
  value: string;
  show: boolean;
}

/** The initialize fields the sandbox keeps (§4.1), already validated. */
export interface SessionRequest {
  merchantOrderId: string;
  orderAmount: number;
  customerEmail?: string;
  metadata: MetadataItem[];
  userBankCode?: string;
  userRut?: string;
  isRutBlock: boolean;
  paymentCompletedUrl?: string;
  paymentCancellationUrl?: string;
  paymentWebhookUrl?: string;
  concat?: string;
}

export interface EtpaySession extends SessionRequest {
  token: string;
  /** Secret: the HS256 key of this session's JWTs. */
  signatureToken: string;
  merchant: EtpayMerchant;
  createdAt: number;
  expiresAt: number;
  /** The funnel took its one decision. */
  decided: boolean;
  /** Overrides the sandbox's default notification behaviour. */
  webhook?: WebhookBehaviour;
}

/** A payment attempt, as `check_payment_status` lists it. */
export interface EtpayAttempt {
  sessionToken: string;
  merchantCode: string;
  merchantOrderId: string;
  paymentToken: string;
  /** Usually a PaymentStatus; scripted attempts may carry any word. */
  paymentStatus: string;
  userRut: string;
  at: number;
}

/** What `check_payment_status` filters on; every given id must match. */
export interface AttemptQuery {
  merchantCode: string;
  sessionToken?: string;
  paymentToken?: string;
  merchantOrderId?: string;
}

/** In-memory sessions and attempts of one sandbox. */
export class SessionStore {
  readonly #sessions = new Map<string, EtpaySession>();
  // Kept in creation order, so queries answer oldest first without sorting.
  readonly #attempts: EtpayAttempt[] = [];
  readonly #now: () => number;
  readonly #lifetimeMs: number;

  constructor(now: () => number, lifetimeMs: number) {
    this.#now = now;
    this.#lifetimeMs = lifetimeMs;
  }

  create(merchant: EtpayMerchant, request: SessionRequest): EtpaySession {
    const createdAt = this.#now();
    const session: EtpaySession = {
      ...request,
      token: randomAlphanumeric(64),
      signatureToken: randomAlphanumeric(64),
      merchant,
      createdAt,
      expiresAt: createdAt + this.#lifetimeMs,
      decided: false,
    };
    this.#sessions.set(session.token, session);
    return session;
  }

  snapshot(): { sessions: EtpaySession[]; attempts: EtpayAttempt[] } {
    return { sessions: this.all(), attempts: [...this.#attempts] };
  }

  /** Puts back snapshotted sessions, each with the configured merchant of its code. */
  restore(sessions: EtpaySession[], attempts: EtpayAttempt[], merchants: readonly EtpayMerchant[]): void {
    for (const session of sessions) {
      const merchant = merchants.find((m) => m.merchantCode === session.merchant?.merchantCode);
      if (merchant) this.#sessions.set(session.token, { ...session, merchant });
    }
    this.#attempts.push(...attempts.filter((a) => this.#sessions.has(a.sessionToken)));
  }

  get(token: string): EtpaySession | undefined {
    return this.#sessions.get(token);
  }

  all(): EtpaySession[] {
    return [...this.#sessions.values()];
  }

  isExpired(session: EtpaySession): boolean {
    return this.#now() >= session.expiresAt;
  }

  /** Ends the session's lifetime now. */
  expire(session: EtpaySession): void {
    session.expiresAt = Math.min(session.expiresAt, this.#now());
  }

  addAttempt(session: EtpaySession, paymentStatus: string, userRut: string): EtpayAttempt {
    const attempt: EtpayAttempt = {
      sessionToken: session.token,
      merchantCode: session.merchant.merchantCode,
      merchantOrderId: session.merchantOrderId,
      paymentToken: randomAlphanumeric(64),
      paymentStatus,
      userRut,
      at: this.#now(),
    };
    this.#attempts.push(attempt);
    return attempt;
  }

  attemptsOf(session: EtpaySession): EtpayAttempt[] {
    return this.#attempts.filter((a) => a.sessionToken === session.token);
  }

  query(query: AttemptQuery): EtpayAttempt[] {
    return this.#attempts.filter(
      (a) =>
        a.merchantCode === query.merchantCode &&
        (query.sessionToken === undefined || a.sessionToken === query.sessionToken) &&
        (query.paymentToken === undefined || a.paymentToken === query.paymentToken) &&
        (query.merchantOrderId === undefined || a.merchantOrderId === query.merchantOrderId),
    );
  }
}
