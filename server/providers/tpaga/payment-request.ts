import { z } from 'zod';
import type { PaymentSession } from '../../core/session.js';
import { ProviderError, ProviderErrorKind } from '../errors.js';

/** A payment request token: `pr-` + 72 lowercase hex, 36 random bytes (TPAGA.md §9). */
export const tpagaTokenPattern = /^pr-[0-9a-f]{72}$/;

/** True for a well-formed token; the webhook route checks this before any `/info` call (§6). */
export function isValidTpagaToken(token: string): boolean {
  return tpagaTokenPattern.test(token);
}

const parseableDate = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'is not a date');

/**
 * The PaymentRequest fields Pasarela reads from every answer (§4.2, §4.3). Other keys
 * (`purchase_items`, timestamps, …) are ignored: the client never interprets them.
 */
export const tpagaPaymentRequest = z.object({
  token: z.string().regex(tpagaTokenPattern),
  status: z.string().min(1),
  // Answers write it as a BigDecimal string (`"12000.0"`); a number is accepted too (§9).
  cost: z.union([z.string(), z.number()]),
  idempotency_token: z.string().nullish(),
  expires_at: parseableDate.nullish(),
});
export type TpagaPaymentRequest = z.infer<typeof tpagaPaymentRequest>;

/** A create answer (`201`, or the PR inside a `409`) must also carry the link and its expiry. */
export const tpagaCreatedPaymentRequest = tpagaPaymentRequest.extend({
  tpaga_payment_url: z.url({ protocol: /^https?$/ }),
  expires_at: parseableDate,
});
export type TpagaCreatedPaymentRequest = z.infer<typeof tpagaCreatedPaymentRequest>;

export const TpagaAnswerField = {
  token: 'token',
  idempotencyToken: 'idempotency_token',
  cost: 'cost',
} as const;
export type TpagaAnswerField = (typeof TpagaAnswerField)[keyof typeof TpagaAnswerField];

/**
 * A Tpaga answer that does not belong to the session it was asked about (§7): the caller logs it
 * and applies nothing. The message names the field, never the values.
 */
export class TpagaAnswerMismatchError extends ProviderError {
  override readonly name = 'TpagaAnswerMismatchError';
  readonly sessionId: string;
  readonly field: TpagaAnswerField;
  constructor(sessionId: string, field: TpagaAnswerField) {
    super(
      ProviderErrorKind.answerMismatch,
      `Tpaga answered about another payment request for session ${sessionId}: ${field} does not match`,
    );
    this.sessionId = sessionId;
    this.field = field;
  }
}

/**
 * Checks §7's three facts before an answer may change a session: the token asked about (when
 * known), the idempotency token (= the session id) and the amount.
 */
export function verifyPaymentRequest(
  pr: TpagaPaymentRequest,
  session: Pick<PaymentSession, 'id' | 'amount'>,
  expectedToken: string | null,
): void {
  if (expectedToken !== null && pr.token !== expectedToken) {
    throw new TpagaAnswerMismatchError(session.id, TpagaAnswerField.token);
  }
  if (pr.idempotency_token !== session.id) {
    throw new TpagaAnswerMismatchError(session.id, TpagaAnswerField.idempotencyToken);
  }
  // `Number` reads both `"12000.0"` and `12000`; a blank string would read 0, never a valid amount.
  if (Number(pr.cost) !== session.amount) {
    throw new TpagaAnswerMismatchError(session.id, TpagaAnswerField.cost);
  }
}
