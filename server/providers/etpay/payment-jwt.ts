import { decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { PaymentSession } from '../../core/session.js';
import { ProviderError, ProviderErrorKind } from '../errors.js';
import type { ProviderObservation } from '../provider.js';
import { observeAttempt } from './mapping.js';

/** Why a payment JWT (webhook body or return `?jwt=`) was refused. */
export const EtpayJwtReason = {
  /** Not a compact JWT, or lacking the claims ETpay always sends: the webhook answers 400. */
  malformed: 'malformed',
  /** No ETpay session has the JWT's `session_token`: 401. */
  unknownSession: 'unknown_session',
  /** Not HS256 with that session's `signature_token`: 401. */
  badSignature: 'bad_signature',
  /** Signed correctly but for another order than the session's: 401. */
  orderMismatch: 'order_mismatch',
} as const;
export type EtpayJwtReason = (typeof EtpayJwtReason)[keyof typeof EtpayJwtReason];

/** A payment JWT that must not be applied. Messages are log-safe: no token, no claim values. */
export class EtpayJwtError extends ProviderError {
  override readonly name = 'EtpayJwtError';
  readonly reason: EtpayJwtReason;
  constructor(reason: EtpayJwtReason, message: string) {
    super(
      reason === EtpayJwtReason.malformed
        ? ProviderErrorKind.malformedNotification
        : ProviderErrorKind.untrustedNotification,
      message,
    );
    this.reason = reason;
  }
}

/** A JWT that passed every check, and what it says about its session. */
export interface VerifiedPayment {
  session: PaymentSession;
  observation: ProviderObservation;
}

/** Looks a session up by its ETpay `token` (the JWT's `session_token`). */
export type FindEtpaySession = (sessionToken: string) => Promise<PaymentSession | undefined>;

// Read only after the signature is verified. `user_rut` is personal data: deliberately not read.
const paymentClaims = z.object({
  session_token: z.string().min(1),
  merchant_order_id: z.string(),
  payment_token: z.string().min(1),
  payment_status: z.string().min(1),
});

const encoder = new TextEncoder();

/**
 * Verifies an ETpay payment JWT exactly as ETPAY.md §6 "Client procedure" says: the unverified
 * payload is read only to find whose `signature_token` to verify with; HS256 is pinned (so
 * `alg: none`, HS512 or a public-key algorithm never get a say); `exp`/`iat` are not required
 * because ETpay sends no `exp`; the order id must be the one this session was created with.
 */
export async function verifyPaymentJwt(jwt: string, findSession: FindEtpaySession): Promise<VerifiedPayment> {
  if (typeof jwt !== 'string' || jwt.split('.').length !== 3) {
    throw new EtpayJwtError(
      EtpayJwtReason.malformed,
      'the notification is not a JWT (three dot-separated parts)',
    );
  }
  let sessionToken: unknown;
  try {
    decodeProtectedHeader(jwt);
    sessionToken = decodeJwt(jwt).session_token;
  } catch {
    throw new EtpayJwtError(EtpayJwtReason.malformed, "the notification's JWT cannot be decoded");
  }
  if (typeof sessionToken !== 'string' || sessionToken === '') {
    throw new EtpayJwtError(EtpayJwtReason.malformed, "the notification's JWT has no session_token claim");
  }

  const session = await findSession(sessionToken);
  if (!session || session.providerRef !== sessionToken || !session.providerSecret) {
    throw new EtpayJwtError(
      EtpayJwtReason.unknownSession,
      "the notification's session_token matches no ETpay session on this server",
    );
  }

  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(jwt, encoder.encode(session.providerSecret), { algorithms: ['HS256'] }));
  } catch (error) {
    throw verificationError(error);
  }

  const claims = paymentClaims.safeParse(payload);
  if (!claims.success) {
    throw new EtpayJwtError(
      EtpayJwtReason.malformed,
      "the notification's JWT lacks merchant_order_id, payment_token or payment_status",
    );
  }
  if (claims.data.merchant_order_id !== session.orderId) {
    throw new EtpayJwtError(
      EtpayJwtReason.orderMismatch,
      "the notification's merchant_order_id is not the order this session was created for",
    );
  }
  return { session, observation: observeAttempt(claims.data.session_token, claims.data) };
}

function verificationError(error: unknown): EtpayJwtError {
  const code = error instanceof errors.JOSEError ? error.code : undefined;
  switch (code) {
    case errors.JOSEAlgNotAllowed.code:
      return new EtpayJwtError(
        EtpayJwtReason.badSignature,
        "the notification's JWT is not signed with HS256, the only algorithm ETpay uses",
      );
    case errors.JWTExpired.code:
    case errors.JWTClaimValidationFailed.code:
      // ETpay sends no exp or nbf; a signed JWT with stale ones is still refused.
      return new EtpayJwtError(
        EtpayJwtReason.badSignature,
        "the notification's JWT is no longer valid (exp/nbf)",
      );
    case errors.JWSInvalid.code:
    case errors.JWTInvalid.code:
      return new EtpayJwtError(EtpayJwtReason.malformed, "the notification's JWT is not a well-formed JWS");
    default:
      return new EtpayJwtError(
        EtpayJwtReason.badSignature,
        "the notification's JWT is not signed with this session's signature_token",
      );
  }
}
