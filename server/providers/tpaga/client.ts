import type { z } from 'zod';
import type { PaymentSession } from '../../core/session.js';
import { createProviderHttp, type ProviderResponse, ProviderUnavailableError } from '../http.js';
import {
  type CreateContext,
  type PaymentProvider,
  type ProviderAnswer,
  type ProviderCapabilities,
  type ProviderInfo,
  type ProviderObservation,
  ProviderRejectedError,
} from '../provider.js';
import { joinUrl, redact } from '../shared-http.js';
import { createBody } from './create-request.js';
import { toObservation } from './mapping.js';
import { tpagaMark } from './mark.js';
import {
  isValidTpagaToken,
  type TpagaCreatedPaymentRequest,
  type TpagaPaymentRequest,
  tpagaCreatedPaymentRequest,
  tpagaPaymentRequest,
  verifyPaymentRequest,
} from './payment-request.js';

export interface TpagaProviderOptions {
  /** Basic-auth credentials Tpaga assigns per merchant and environment (TPAGA.md §3). */
  username: string;
  password: string;
  /** `TPAGA_API_URL`, ending in `/merchants/api/v1`; a trailing `/` is fine. */
  apiUrl: string;
  /** `TPAGA_TERMINAL_ID` (`web`). */
  terminalId: string;
  /** `TPAGA_EXPIRY_MINUTES`: the payment link's lifetime. */
  expiryMinutes: number;
  /** Pasarela's PUBLIC_URL, under which the buyer's return URL lives. */
  publicUrl: string;
  fetch?: typeof fetch;
  /** Per API call (10 s). */
  timeoutMs?: number;
  /** First retry backoff step (200 ms). */
  backoffMs?: number;
  now?: () => number;
}

/** The Tpaga client: the shared provider interface plus the webhook's token check. */
export interface TpagaProvider extends PaymentProvider {
  /** True for a well-formed `pr-…` token; checked before a webhook may cause an `/info` call (§6). */
  isValidToken(token: string): boolean;
}

export const tpagaCapabilities: ProviderCapabilities = { deliver: true, refund: true, cancel: true };

export const tpagaInfo: ProviderInfo = {
  id: 'tpaga',
  name: 'Tpaga',
  currency: 'COP',
  country: 'CO',
  flow: 'wallet',
  mark: tpagaMark,
};

/** The three state changes of §4.3, by Pasarela operation. */
const stateChangePath = {
  deliver: 'payment_requests/confirm_delivery',
  refund: 'payment_requests/refund',
  cancel: 'payment_requests/cancel',
} as const;
type StateChange = keyof typeof stateChangePath;

export function createTpagaProvider(options: TpagaProviderOptions): TpagaProvider {
  const send = createProviderHttp({
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(options.backoffMs !== undefined && { backoffMs: options.backoffMs }),
  });
  const now = options.now ?? Date.now;
  const headers = {
    Authorization: basicAuthorization(options.username, options.password),
    'Content-Type': 'application/json',
    Accept: 'application/json',
  };

  /** Tpaga's refusal as a log-safe error: status, and for a DataErrorModel its field and message. */
  function refused(operation: string, response: ProviderResponse): ProviderRejectedError {
    if (response.status === 401) {
      // The 401 body is unspecified (§3): never parsed, never repeated.
      return new ProviderRejectedError(
        `Tpaga refused the credentials for ${operation} (401): check TPAGA_USERNAME and TPAGA_PASSWORD for this TPAGA_API_URL`,
        401,
      );
    }
    const model = dataError(response.json);
    const field = model.field ? ` ${model.field}` : '';
    const said = model.message ? `:${field} ${redact(model.message, options.password, tpagaOpaqueRun)}` : '';
    const hint = response.status === 403 ? ' (the merchant is disabled at Tpaga: contact Tpaga support)' : '';
    return new ProviderRejectedError(
      `Tpaga refused ${operation} (${response.status})${said}${hint}`,
      response.status,
      model.code,
    );
  }

  function unexpected(operation: string, response: ProviderResponse): ProviderUnavailableError {
    return new ProviderUnavailableError(
      `Tpaga answered ${operation} with an unexpected ${response.status}`,
      response.status,
    );
  }

  /** A PaymentRequest answer, or a ProviderUnavailableError: without its fields the outcome is unknown. */
  function parseAnswer<T extends TpagaPaymentRequest>(
    operation: string,
    schema: z.ZodType<T>,
    value: unknown,
  ): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new ProviderUnavailableError(`Tpaga answered ${operation} without a valid payment request`);
    }
    return parsed.data;
  }

  function requireToken(session: PaymentSession): string {
    const token = session.providerRef;
    if (!token || !isValidTpagaToken(token)) {
      throw new Error(`session ${session.id} has no Tpaga payment request token`);
    }
    return token;
  }

  async function changeState(
    change: StateChange,
    session: PaymentSession,
    signal?: AbortSignal,
  ): Promise<ProviderObservation> {
    const token = requireToken(session);
    const path = stateChangePath[change];
    const response = await send({
      method: 'POST',
      url: joinUrl(options.apiUrl, path),
      headers,
      body: JSON.stringify({ payment_request_token: token }),
      // Repeating any of the three on the same token answers 200 unchanged (§4.3, §10): safe to retry.
      idempotent: true,
      ...(signal && { signal }),
    });
    if (response.status >= 400) throw refused(path, response);
    if (response.status < 200 || response.status >= 300) throw unexpected(path, response);
    const pr = parseAnswer(path, tpagaPaymentRequest, response.json);
    verifyPaymentRequest(pr, session, token);
    return toObservation(pr, session);
  }

  return {
    info: tpagaInfo,
    capabilities: tpagaCapabilities,

    async create(session: PaymentSession, context: CreateContext): Promise<ProviderAnswer> {
      const operation = 'payment_requests/create';
      const body = createBody(session, { ...options, clientIp: context.clientIp, now: now() });
      const response = await send({
        method: 'POST',
        url: joinUrl(options.apiUrl, operation),
        headers,
        body: JSON.stringify(body),
        // The idempotency token dedupes at Tpaga: a retry after a lost answer gets the 409 below.
        idempotent: true,
        ...(context.signal && { signal: context.signal }),
      });
      let pr: TpagaCreatedPaymentRequest;
      if (response.status === 409) {
        // The token was used before (§8): by this session's own lost attempt when the answer
        // carries a request with the same idempotency token (wrapped in `data`, or 2018's bare PR).
        const previous = earlierRequest(response.json);
        if (typeof previous?.token !== 'string' || previous.idempotency_token !== session.id) {
          throw refused(operation, response);
        }
        pr = parseAnswer(operation, tpagaCreatedPaymentRequest, previous);
      } else if (response.status >= 400) {
        throw refused(operation, response);
      } else if (response.status >= 200 && response.status < 300) {
        pr = parseAnswer(operation, tpagaCreatedPaymentRequest, response.json);
      } else {
        throw unexpected(operation, response);
      }
      verifyPaymentRequest(pr, session, null);
      return {
        providerRef: pr.token,
        providerSecret: null,
        action: {
          type: 'wallet',
          url: pr.tpaga_payment_url,
          // Root-relative, under the path PUBLIC_URL carries when the server is mounted (`/pay`).
          qr: joinUrl(
            new URL(options.publicUrl).pathname,
            `/api/sessions/${encodeURIComponent(session.id)}/qr.svg`,
          ),
        },
        expiresAt: new Date(pr.expires_at).toISOString(),
        providerStatus: pr.status,
      };
    },

    async query(session: PaymentSession, signal?: AbortSignal): Promise<ProviderObservation> {
      const token = requireToken(session);
      const operation = 'payment_requests/info';
      const response = await send({
        method: 'GET',
        url: joinUrl(options.apiUrl, `payment_requests/${token}/info`),
        headers,
        idempotent: true,
        ...(signal && { signal }),
      });
      if (response.status >= 400) throw refused(operation, response);
      if (response.status < 200 || response.status >= 300) throw unexpected(operation, response);
      const pr = parseAnswer(operation, tpagaPaymentRequest, response.json);
      verifyPaymentRequest(pr, session, token);
      return toObservation(pr, session);
    },

    deliver: (session, signal) => changeState('deliver', session, signal),
    refund: (session, signal) => changeState('refund', session, signal),
    cancel: (session, signal) => changeState('cancel', session, signal),

    isValidToken: isValidTpagaToken,
  };
}

/** `Basic base64(user:password)`, UTF-8 first so credentials outside Latin-1 do not throw in `btoa`. */
function basicAuthorization(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/** The PR inside a 409: `body.data`, or the body itself in the 2018 form. */
function earlierRequest(body: unknown): { token?: unknown; idempotency_token?: unknown } | undefined {
  if (!isRecord(body)) return undefined;
  const pr = body.data ?? body;
  return isRecord(pr) ? pr : undefined;
}

/** Tpaga's DataErrorModel (§4.4), as far as it is present. `rejected_value` is never read: it echoes input. */
function dataError(body: unknown): { code?: string; field?: string; message?: string } {
  if (!isRecord(body)) return {};
  const { error_code, field_name, error_message } = body;
  return {
    ...((typeof error_code === 'number' || typeof error_code === 'string') && { code: String(error_code) }),
    ...(typeof field_name === 'string' && { field: field_name }),
    ...(typeof error_message === 'string' && { message: error_message }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Tpaga's `pr-…` tokens and ids: long runs of letters, digits and dashes. */
const tpagaOpaqueRun = /[A-Za-z0-9-]{24,}/g;
