import { z } from 'zod';
import type { PaymentSession } from '../../core/session.js';
import { createProviderHttp, type ProviderResponse, ProviderUnavailableError } from '../http.js';
import {
  type CreateContext,
  OperationNotSupportedError,
  type PaymentProvider,
  type ProviderAnswer,
  type ProviderCapabilities,
  type ProviderInfo,
  type ProviderObservation,
  ProviderRejectedError,
} from '../provider.js';
import { joinUrl, redact } from '../shared-http.js';
import { initializeBody } from './initialize-request.js';
import { mapAttempts } from './mapping.js';
import { etpayMark } from './mark.js';
import { type FindEtpaySession, type VerifiedPayment, verifyPaymentJwt } from './payment-jwt.js';

export interface EtpayProviderOptions {
  merchantCode: string;
  /** `merchant_api_token`: a secret, sent in the JSON body only (ETpay has no auth header). */
  apiToken: string;
  /** `ETPAY_API_URL`; may carry a path and a trailing slash. */
  apiUrl: string;
  /** `ETPAY_PMT_URL`: the buyer's funnel host. */
  pmtUrl: string;
  /** Pasarela's PUBLIC_URL, under which the return and webhook URLs handed to ETpay live. */
  publicUrl: string;
  /** ETpay does not publish a session lifetime; Pasarela assumes 30 minutes (ETPAY.md §7). */
  sessionLifetimeMs?: number;
  fetch?: typeof fetch;
  /** Per API call (10 s). */
  timeoutMs?: number;
  /** First retry backoff step for status queries (200 ms). */
  backoffMs?: number;
  now?: () => number;
}

/** The ETpay client: the shared provider interface plus verification of its payment JWTs. */
export interface EtpayProvider extends PaymentProvider {
  /**
   * Verifies a payment JWT from the webhook body or the return's `?jwt=` (ETPAY.md §6) and says
   * what it means for the session it names. Throws `EtpayJwtError` with a `reason`.
   */
  verifyPaymentJwt(jwt: string, findSession: FindEtpaySession): Promise<VerifiedPayment>;
}

export const etpayCapabilities: ProviderCapabilities = { deliver: false, refund: false, cancel: false };

export const etpayInfo: ProviderInfo = {
  id: 'etpay',
  name: 'ETpay',
  currency: 'CLP',
  country: 'CL',
  flow: 'redirect',
  mark: etpayMark,
};

const defaultLifetimeMs = 30 * 60_000;

// Other keys (an expiry, a funnel URL) may appear in the real answer; they are ignored.
const initializeAnswer = z.object({ token: z.string().min(1), signature_token: z.string().min(1) });
const statusAnswer = z.array(z.object({ payment_token: z.string(), payment_status: z.string() }));

export function createEtpayProvider(options: EtpayProviderOptions): EtpayProvider {
  const send = createProviderHttp({
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(options.backoffMs !== undefined && { backoffMs: options.backoffMs }),
  });
  const lifetimeMs = options.sessionLifetimeMs ?? defaultLifetimeMs;
  const now = options.now ?? Date.now;
  const headers = { 'Content-Type': 'application/json' };

  /** ETpay's refusal as a log-safe error: status plus its `message`, with anything token-like masked. */
  function refused(operation: string, response: ProviderResponse): ProviderRejectedError {
    const text = (response.json as { message?: unknown } | undefined)?.message;
    const said = typeof text === 'string' ? `: ${redact(text, options.apiToken, etpayOpaqueRun)}` : '';
    return new ProviderRejectedError(
      `ETpay refused ${operation} (${response.status})${said}`,
      response.status,
    );
  }

  function expiresAt(session: PaymentSession): number {
    return session.expiresAt ? Date.parse(session.expiresAt) : createdAt(session) + lifetimeMs;
  }

  function createdAt(session: PaymentSession): number {
    const parsed = Date.parse(session.createdAt);
    return Number.isNaN(parsed) ? now() : parsed;
  }

  return {
    info: etpayInfo,
    capabilities: etpayCapabilities,

    async create(session: PaymentSession, context: CreateContext): Promise<ProviderAnswer> {
      const response = await send({
        method: 'POST',
        url: joinUrl(options.apiUrl, '/session/initialize'),
        headers,
        body: JSON.stringify(initializeBody(session, options)),
        // Every initialize creates a new ETpay session and there is no idempotency key: never
        // repeated here. A failed create is retried by the caller; an orphan session just expires.
        idempotent: false,
        ...(context.signal && { signal: context.signal }),
      });
      if (response.status !== 200) throw refused('session/initialize', response);
      const answer = initializeAnswer.safeParse(response.json);
      if (!answer.success) {
        // Something may have been created, but without its tokens it can never be used.
        throw new ProviderUnavailableError(
          'ETpay answered session/initialize without token and signature_token',
          200,
        );
      }
      const { token, signature_token } = answer.data;
      return {
        providerRef: token,
        providerSecret: signature_token,
        action: { type: 'redirect', url: joinUrl(options.pmtUrl, `/session/${encodeURIComponent(token)}`) },
        expiresAt: new Date(createdAt(session) + lifetimeMs).toISOString(),
        providerStatus: null,
      };
    },

    async query(session: PaymentSession, signal?: AbortSignal): Promise<ProviderObservation> {
      const sessionToken = session.providerRef;
      if (!sessionToken) throw new Error(`session ${session.id} has no ETpay session token to query`);
      const response = await send({
        method: 'POST',
        url: joinUrl(options.apiUrl, '/merchant/check_payment_status'),
        headers,
        body: JSON.stringify({
          merchant_code: options.merchantCode,
          merchant_api_token: options.apiToken,
          session_token: sessionToken,
        }),
        idempotent: true,
        ...(signal && { signal }),
      });
      if (response.status !== 200) throw refused('merchant/check_payment_status', response);
      const attempts = statusAnswer.safeParse(response.json);
      if (!attempts.success) {
        throw new ProviderUnavailableError(
          'ETpay answered check_payment_status without a list of attempts',
          200,
        );
      }
      return mapAttempts(attempts.data, { sessionToken, expired: now() > expiresAt(session) });
    },

    deliver: notSupported('deliver'),
    refund: notSupported('refund'),
    cancel: notSupported('cancel'),

    verifyPaymentJwt,
  };
}

function notSupported(operation: 'deliver' | 'refund' | 'cancel') {
  return async (): Promise<ProviderObservation> => {
    throw new OperationNotSupportedError(
      `ETpay has no ${operation} call: its pay-in API only collects (refunds go through ETpay's Payouts product)`,
    );
  };
}

/** ETpay's session and signature tokens: long alphanumeric runs. */
const etpayOpaqueRun = /[A-Za-z0-9]{20,}/g;
