/**
 * The one base class of every provider failure. Providers say what went wrong (`kind`); they know
 * nothing of HTTP: `app.onError` turns a kind into an answer, in one place (server/errors.ts).
 */
export const ProviderErrorKind = {
  /** Not reached, timed out or answered 5xx: the outcome is unknown. */
  unavailable: 'unavailable',
  /** A definite refusal (4xx): nothing was created or changed. */
  rejected: 'rejected',
  /** The provider has no such operation (`capabilities` says which it has). */
  notSupported: 'not_supported',
  /** The provider answered about another payment than the one asked about: nothing is applied. */
  answerMismatch: 'answer_mismatch',
  /** A notification that cannot even be read (not a JWT, missing claims). */
  malformedNotification: 'malformed_notification',
  /** A readable notification that is not signed for its session, or names another order. */
  untrustedNotification: 'untrusted_notification',
} as const;
export type ProviderErrorKind = (typeof ProviderErrorKind)[keyof typeof ProviderErrorKind];

/** A provider failure of a known kind. Messages are log-safe: no secret, no token. */
export class ProviderError extends Error {
  override readonly name: string = 'ProviderError';
  readonly kind: ProviderErrorKind;
  constructor(kind: ProviderErrorKind, message?: string) {
    super(message);
    this.kind = kind;
  }
}
