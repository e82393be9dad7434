import { assertNever, Status } from '../../core/session.js';
import type { ProviderObservation } from '../provider.js';

/**
 * The `payment_status` words that mean something to Pasarela (ETPAY.md §7), lower case. Only
 * `success` is ever observed; ETpay calls the other outcome "error", and the failure synonyms are
 * accepted so that a real provider spelling them differently still ends the session.
 */
export const EtpayPaymentStatus = {
  success: 'success',
  error: 'error',
  failed: 'failed',
  failure: 'failure',
  rejected: 'rejected',
  cancelled: 'cancelled',
  canceled: 'canceled',
  expired: 'expired',
} as const;
export type EtpayPaymentStatus = (typeof EtpayPaymentStatus)[keyof typeof EtpayPaymentStatus];

/** One payment attempt, as `check_payment_status` lists it and as a notification JWT carries it. */
export interface EtpayAttempt {
  payment_token: string;
  payment_status: string;
}

function isKnownStatus(word: string): word is EtpayPaymentStatus {
  return Object.hasOwn(EtpayPaymentStatus, word);
}

/**
 * ETpay's raw `payment_status` → Pasarela status, compared after lower-casing; `undefined` for
 * words that are not final (`pending`, `processing`, anything unknown): the session is unchanged.
 */
export function mapPaymentStatus(raw: string): Status | undefined {
  const word = raw.trim().toLowerCase();
  if (!isKnownStatus(word)) return undefined;
  switch (word) {
    case EtpayPaymentStatus.success:
      return Status.paid;
    case EtpayPaymentStatus.error:
    case EtpayPaymentStatus.failed:
    case EtpayPaymentStatus.failure:
    case EtpayPaymentStatus.rejected:
    case EtpayPaymentStatus.cancelled:
    case EtpayPaymentStatus.canceled:
      return Status.failed;
    case EtpayPaymentStatus.expired:
      return Status.expired;
    default:
      return assertNever(word);
  }
}

/**
 * The deduplication key of one attempt's outcome (ETPAY.md §8). The webhook, the return's `?jwt=`
 * and a later `check_payment_status` answer about the same attempt all produce the same key.
 */
export function attemptKey(sessionToken: string, attempt: EtpayAttempt): string {
  return `${sessionToken}:${attempt.payment_token}:${attempt.payment_status}`;
}

/** What one attempt says about the session. `detail` holds the attempt id only (never the RUT). */
export function observeAttempt(sessionToken: string, attempt: EtpayAttempt): ProviderObservation {
  const status = mapPaymentStatus(attempt.payment_status);
  return {
    statuses: status ? [status] : [],
    providerStatus: attempt.payment_status,
    dedupeKey: attemptKey(sessionToken, attempt),
    detail: { payment_token: attempt.payment_token },
  };
}

function isFinalFailure(attempt: EtpayAttempt): boolean {
  const status = mapPaymentStatus(attempt.payment_status);
  return status === Status.failed || status === Status.expired;
}

/**
 * A `check_payment_status` answer → one observation (ETPAY.md §7 "With several attempts"): any
 * `success` wins ("money wins"); otherwise the newest clearly final failure; otherwise `expired`
 * once the session is past its lifetime (ETpay never reports expiry itself); otherwise no change.
 * The list is taken as oldest first: the public record gives no timestamps to sort by.
 */
export function mapAttempts(
  attempts: readonly EtpayAttempt[],
  context: { sessionToken: string; expired: boolean },
): ProviderObservation {
  const { sessionToken } = context;
  const paid = attempts.find((attempt) => mapPaymentStatus(attempt.payment_status) === Status.paid);
  if (paid) return observeAttempt(sessionToken, paid);
  const failure = attempts.findLast(isFinalFailure);
  if (failure) return observeAttempt(sessionToken, failure);
  const newest = attempts.at(-1);
  if (context.expired) {
    return {
      statuses: [Status.expired],
      providerStatus: newest?.payment_status ?? null,
      // Pasarela's own conclusion, not an ETpay attempt: keyed so repeated checks store it once.
      dedupeKey: `${sessionToken}:lifetime:expired`,
    };
  }
  // Not final (no attempt yet, or `pending`/unknown): nothing changes, the raw word is kept for the log.
  if (newest) return { ...observeAttempt(sessionToken, newest), statuses: [] };
  return { statuses: [], providerStatus: null, dedupeKey: null };
}
