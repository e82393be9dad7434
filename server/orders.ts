import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { Currency } from './core/session.js';
import { PasarelaError } from './errors.js';
import type { TrustedOrder } from './payments.js';

/** The claims a merchant's backend signs into an order token (DESIGN.md, "Money, orders and trust"). */
export const OrderClaims = z.object({
  order_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'order_id must be 1–64 of A–Z, a–z, 0–9, "_", "-"'),
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  currency: z.enum([Currency.CLP, Currency.COP]),
  description: z.string().min(1).max(200).optional(),
  items: z
    .array(
      z.object({
        name: z.string().min(1).max(120),
        quantity: z.number().int().positive().max(10_000).optional(),
        amount: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
      }),
    )
    .max(50)
    .optional(),
  customer_email: z.email().max(254).optional(),
  return_url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional(),
});
export type OrderClaims = z.infer<typeof OrderClaims>;

const encoder = new TextEncoder();

/** Signs an order token (HS256, `exp` required: 30 minutes unless `expiresIn` says otherwise). */
export async function signOrder(
  claims: OrderClaims,
  secret: string,
  options: { expiresIn?: string | number } = {},
): Promise<string> {
  const parsed = OrderClaims.parse(claims);
  return new SignJWT(parsed)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '30m')
    .sign(encoder.encode(secret));
}

/** Verifies an order token (HS256 only, `exp` required) and returns the order it carries. */
export async function verifyOrder(
  token: string,
  secret: string,
  options: { now?: () => number } = {},
): Promise<TrustedOrder> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      ...(options.now && { currentDate: new Date(options.now()) }),
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw new PasarelaError(
        400,
        'order_expired',
        'The order token has expired: reload the page to get a new one.',
      );
    }
    throw new PasarelaError(
      400,
      'invalid_order',
      'The order token is not valid: it must be an HS256 JWT with an exp, signed by the merchant’s server with PASARELA_ORDER_SECRET.',
    );
  }
  const claims = OrderClaims.safeParse(payload);
  if (!claims.success) {
    const issue = claims.error.issues[0];
    throw new PasarelaError(
      400,
      'invalid_order',
      `The order token's ${issue?.path.join('.') || 'claims'} is invalid.`,
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
  if (!allowedOrigins.includes(new URL(url).origin)) {
    throw new PasarelaError(
      422,
      'return_url_not_allowed',
      `return_url must be on one of PASARELA_ALLOWED_ORIGINS (${allowedOrigins.join(', ')}).`,
    );
  }
}
