import { SignJWT } from 'jose';
import { type EtpayCore, finishedUrl } from './core.js';
import { type EtpayAttempt, type EtpaySession, PaymentStatus } from './session.js';

/** The RUT of ETpay's test payer, used when nobody typed one. */
export const sandboxRut = '11111111-1';

export interface RecordedAttempt {
  attempt: EtpayAttempt;
  /** The JWT of the notification and of the return URL (the same string). */
  jwt: string;
}

/**
 * Records a payment attempt, signs its JWT and notifies the merchant. Resolves when ETpay would
 * go on to redirect the buyer: after the notification in normal mode (≤ the webhook timeout),
 * at once when the behaviour delays, holds or drops it.
 */
export async function recordAttempt(
  core: EtpayCore,
  session: EtpaySession,
  paymentStatus: string,
  userRut: string,
): Promise<RecordedAttempt> {
  const attempt = core.store.addAttempt(session, paymentStatus, userRut);
  const jwt = await signPaymentJwt(session, attempt, core.now());
  const url = session.paymentWebhookUrl ?? session.merchant.webhookUrl;
  if (url === undefined) {
    core.log(`etpay: session ${session.token.slice(0, 8)}… has no webhook URL; no notification sent`);
  } else {
    await core.webhooks.dispatch(
      session.token,
      { url, body: JSON.stringify({ payment: jwt }) },
      core.behaviourFor(session),
    );
  }
  return { attempt, jwt };
}

/** §6: HS256 over the UTF-8 bytes of the session's signature_token; `iat`, no `exp`. */
export function signPaymentJwt(session: EtpaySession, attempt: EtpayAttempt, nowMs: number): Promise<string> {
  return new SignJWT({
    session_token: session.token,
    merchant_order_id: session.merchantOrderId,
    payment_token: attempt.paymentToken,
    payment_status: attempt.paymentStatus,
    user_rut: attempt.userRut,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(Math.floor(nowMs / 1000))
    .sign(new TextEncoder().encode(session.signatureToken));
}

/**
 * Where the funnel sends the buyer after a decision (§5). `concat` replaces the `?` verbatim
 * and the JWT is appended unencoded, exactly as the record describes, even when that makes an
 * odd URL (`…?a=1?jwt=…` without `concat`).
 */
export function returnUrl(
  core: EtpayCore,
  session: EtpaySession,
  paymentStatus: string,
  jwt: string,
): string {
  const base =
    paymentStatus === PaymentStatus.success
      ? (session.paymentCompletedUrl ?? session.merchant.successUrl)
      : (session.paymentCancellationUrl ?? session.merchant.errorUrl);
  return `${base ?? finishedUrl(core)}${session.concat ?? '?'}jwt=${jwt}`;
}

/** The RUT for an attempt the funnel did not produce: the last one typed, else the prefill. */
export function lastRut(core: EtpayCore, session: EtpaySession): string {
  return core.store.attemptsOf(session).at(-1)?.userRut ?? session.userRut ?? sandboxRut;
}
