import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { Currency, type OrderItem } from './core/session.js';
import { PasarelaError } from './errors.js';

/** Integer pesos; `int()` also refuses numbers past the safe range, which deserve their own message. */
const wholePesos = z
  .number()
  .int({ error: (issue) => (issue.code === 'too_big' ? 'is too large' : 'must be whole pesos') });

/** The claims a merchant's backend signs into an order token (DESIGN.md, "Money, orders and trust"). */
export const OrderClaims = z.object({
  order_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 of A–Z, a–z, 0–9, "_" and "-"'),
  amount: wholePesos.positive('must be more than 0'),
  currency: z.enum([Currency.CLP, Currency.COP], 'must be CLP or COP'),
  description: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  items: z
    .array(
      z.object({
        name: z.string().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
        quantity: z
          .number()
          .int({ error: (issue) => (issue.code === 'too_big' ? 'is too large' : 'must be a whole number') })
          .positive('must be more than 0')
          .optional(),
        amount: wholePesos.nonnegative('must not be negative'),
      }),
    )
    .max(50, 'must hold at most 50 lines')
    .optional(),
  customer_email: z.email('must be an email address').max(254, 'must be at most 254 characters').optional(),
  return_url: z
    .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
    .max(2048, 'must be at most 2048 characters')
    .optional(),
});
export type OrderClaims = z.input<typeof OrderClaims>;

/** An order as the server trusts it, from a verified order token. */
export interface Order {
  orderId: string;
  amount: number;
  currency: Currency;
  description: string | null;
  items: OrderItem[];
  customerEmail: string | null;
  returnUrl: string | null;
}

/**
 * The one limit on an order token's length, checked by `signOrder` and by the server. The
 * largest valid order (50 items of 120 three-byte characters…) signs to about 33 KB with jose,
 * and to about 56 KB with a signer that escapes non-ASCII as `\u…` (Python's json.dumps): both
 * fit, as does the request body around it (64 KB).
 */
export const maxTokenLength = 62 * 1024;
/** How far the signing server's clock may be from this one's, for `exp` and `nbf` (seconds). */
export const clockToleranceSeconds = 30;
const defaultExpiry = '30m';
const encoder = new TextEncoder();

/**
 * Signs an order token: HS256 with `secret` (PASARELA_ORDER_SECRET), expiring in 30 minutes
 * unless `expiresIn` says otherwise (a jose time span like `'2h'`, or seconds from now).
 * Throws a TypeError naming the claim when the order would not be accepted.
 */
export async function signOrder(
  claims: OrderClaims,
  secret: string,
  options: { expiresIn?: string | number } = {},
): Promise<string> {
  const parsed = OrderClaims.safeParse(claims, { error: typeMessage });
  if (!parsed.success) throw new TypeError(`signOrder: ${describeIssue(parsed.error)}.`);
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresIn = options.expiresIn ?? defaultExpiry;
  const token = await new SignJWT(parsed.data)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(issuedAt)
    // jose reads a bare number as an absolute time; here it means seconds from now.
    .setExpirationTime(typeof expiresIn === 'number' ? issuedAt + expiresIn : expiresIn)
    .sign(encoder.encode(secret));
  if (token.length > maxTokenLength) {
    throw new TypeError(`signOrder: the order signs to ${token.length} characters, over ${maxTokenLength}.`);
  }
  return token;
}

const howToSign = 'your server must sign it with PASARELA_ORDER_SECRET (HS256, with an exp)';

/**
 * Verifies an order token (HS256 only, `exp` required) and returns the order it carries.
 * Throws PasarelaError 400 `order_expired` or 400 `invalid_order`.
 */
export async function verifyOrder(
  token: string,
  secret: string,
  options: { now?: () => number } = {},
): Promise<Order> {
  if (typeof token !== 'string') throw invalidOrder(`The order token is not a JWT: ${howToSign}.`);
  if (token.length > maxTokenLength) {
    throw new PasarelaError(
      413,
      'order_too_large',
      `The order token is ${token.length} characters; the most an order can be is ${maxTokenLength} (50 items, 200-character description): sign a smaller order.`,
    );
  }
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      clockTolerance: clockToleranceSeconds,
      ...(options.now && { currentDate: new Date(options.now()) }),
    }));
  } catch (error) {
    throw fromJoseError(error);
  }
  const claims = OrderClaims.safeParse(payload, { error: typeMessage });
  if (!claims.success) {
    throw invalidOrder(
      `The order token's ${describeIssue(claims.error)}: fix the order your server signs with PASARELA_ORDER_SECRET.`,
    );
  }
  const c = claims.data;
  return {
    orderId: c.order_id,
    amount: c.amount,
    currency: c.currency,
    description: c.description ?? null,
    items: (c.items ?? []).map((item) => ({
      name: item.name,
      amount: item.amount,
      ...(item.quantity !== undefined && { quantity: item.quantity }),
    })),
    customerEmail: c.customer_email ?? null,
    returnUrl: c.return_url ?? null,
  };
}

/** `return_url` must be on an allowed origin: no open redirects through Pasarela. */
export function assertReturnUrlAllowed(url: string, allowedOrigins: readonly string[]): void {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  // The protocol check matters: `blob:https://shop.example/…` has the origin https://shop.example.
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !allowedOrigins.includes(parsed.origin)) {
    throw new PasarelaError(
      422,
      'return_url_not_allowed',
      `The order's return_url is not on an allowed origin: use one of ${allowedOrigins.join(', ') || '(none)'}, or add its origin to PASARELA_ALLOWED_ORIGINS.`,
    );
  }
}

function invalidOrder(message: string): PasarelaError {
  return new PasarelaError(400, 'invalid_order', message);
}

function fromJoseError(error: unknown): PasarelaError {
  if (error instanceof joseErrors.JWTExpired) {
    return new PasarelaError(
      400,
      'order_expired',
      'The order token has expired: have your server sign a new one (reload the checkout page).',
    );
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return invalidOrder(
      "The order token's signature does not match: your server must sign it with the same PASARELA_ORDER_SECRET this server uses.",
    );
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported) {
    return invalidOrder(`The order token is not signed with HS256: ${howToSign}.`);
  }
  if (
    error instanceof joseErrors.JWTClaimValidationFailed &&
    (error.claim === 'nbf' || error.claim === 'iat')
  ) {
    return invalidOrder(
      `The order token's ${error.claim} is more than ${clockToleranceSeconds} s ahead of this server's clock: check the clock of the server that signs orders (NTP), or sign without ${error.claim}.`,
    );
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'exp') {
    return invalidOrder(`The order token has no valid exp: ${howToSign}.`);
  }
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) {
    return invalidOrder(`The order token is not a well-formed JWT: ${howToSign}.`);
  }
  return invalidOrder(`The order token is not valid: ${howToSign}.`);
}

/** Short messages for a missing claim or a claim of the wrong JSON type (schema messages cover the rest). */
const typeMessage: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'invalid_type') return undefined;
  return issue.input === undefined ? 'is missing' : `must be ${article(issue.expected)}`;
};

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'claims are not valid';
  const path = issue.path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`))
    .join('');
  return path ? `${path} ${issue.message}` : `claims ${issue.message}`;
}
