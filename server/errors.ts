import { assertNever } from './core/session.js';
import { type ProviderError, ProviderErrorKind } from './providers/errors.js';

/** Every `code` the server answers with: snake_case and stable, since clients branch on them. */
export const ErrorCode = {
  adminDisabled: 'admin_disabled',
  badRequest: 'bad_request',
  currencyNotSupported: 'currency_not_supported',
  eventNotFound: 'event_not_found',
  idempotencyInProgress: 'idempotency_in_progress',
  idempotencyMismatch: 'idempotency_mismatch',
  internalError: 'internal_error',
  invalidIdempotencyKey: 'invalid_idempotency_key',
  invalidJson: 'invalid_json',
  invalidNotification: 'invalid_notification',
  invalidOrder: 'invalid_order',
  invalidQuery: 'invalid_query',
  invalidRequest: 'invalid_request',
  invalidSignature: 'invalid_signature',
  invalidState: 'invalid_state',
  noDestination: 'no_destination',
  notFound: 'not_found',
  operationNotSupported: 'operation_not_supported',
  orderAlreadyPaid: 'order_already_paid',
  orderExpired: 'order_expired',
  orderNotFound: 'order_not_found',
  orderTokenRequired: 'order_token_required',
  orderTooLarge: 'order_too_large',
  payloadTooLarge: 'payload_too_large',
  providerNotAvailable: 'provider_not_available',
  providerUnavailable: 'provider_unavailable',
  qrNotAvailable: 'qr_not_available',
  rateLimited: 'rate_limited',
  returnUrlNotAllowed: 'return_url_not_allowed',
  sessionNotFound: 'session_not_found',
  storeBusy: 'store_busy',
  storeUnavailable: 'store_unavailable',
  tooManyStreams: 'too_many_streams',
  unauthorized: 'unauthorized',
  widgetNotBuilt: 'widget_not_built',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The JSON body of every error response (DESIGN.md, "Server: HTTP API"). */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** The one error type routes throw; `app.onError` turns it into `{ error: { code, message } }`. */
export class PasarelaError extends Error {
  override readonly name = 'PasarelaError';
  /** HTTP status (4xx, or 5xx for provider and server failures). */
  readonly status: number;
  /** Clients branch on it. */
  readonly code: ErrorCode;
  /**
   * @param message Says what to do; shown to merchants and sometimes buyers, so never a secret.
   */
  constructor(status: number, code: ErrorCode, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * What a route tells `app.onError` about the provider call it is making (`c.set('providerCall',
 * …)`), so a provider failure is answered in that provider's name.
 */
export interface ProviderCall {
  /** The provider's display name. */
  providerName: string;
  /** The admin operation asked for (deliver, refund, cancel), when there is one. */
  operation?: string;
}

declare module 'hono' {
  interface ContextVariableMap {
    providerCall: ProviderCall;
  }
}

/**
 * The one place a provider failure becomes an HTTP answer. A route whose answer is its own (a
 * webhook that must not be acknowledged, an admin refusal naming the session's state) catches
 * that case itself; everything else reaches `app.onError` and comes here.
 */
export function providerErrorAnswer(error: ProviderError, call: ProviderCall | undefined): PasarelaError {
  const name = call?.providerName ?? 'The payment provider';
  switch (error.kind) {
    case ProviderErrorKind.unavailable:
    case ProviderErrorKind.rejected:
    // An answer about another payment is applied nowhere: to the buyer, the provider failed.
    case ProviderErrorKind.answerMismatch:
      return new PasarelaError(
        502,
        ErrorCode.providerUnavailable,
        `${name} is not answering right now. Please try again in a moment or choose another payment method.`,
      );
    case ProviderErrorKind.notSupported:
      return new PasarelaError(
        422,
        ErrorCode.operationNotSupported,
        call?.operation ? `${name} has no ${call.operation} operation.` : error.message,
      );
    case ProviderErrorKind.malformedNotification:
      return new PasarelaError(400, ErrorCode.invalidNotification, error.message);
    case ProviderErrorKind.untrustedNotification:
      return new PasarelaError(401, ErrorCode.invalidSignature, error.message);
    default:
      return assertNever(error.kind);
  }
}
