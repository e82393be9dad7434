import { Hono } from 'hono';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type PaymentSession, toPublicSession } from '../core/session.js';
import { PasarelaError } from '../errors.js';
import { apiAnswer } from '../middleware/api-headers.js';
import { assertReturnUrlAllowed, verifyOrder } from '../orders.js';
import type { TrustedOrder } from '../payments.js';
import { withIdempotencyKey } from './idempotency.js';
import { readJson } from './read-json.js';

// The order's size is checked where it is verified (`maxTokenLength`, one limit with signOrder).
const createBody = z.union([
  z.object({ provider: z.string(), order: z.string().min(1) }).strict(),
  z.object({ provider: z.string(), orderId: z.string().min(1).max(64) }).strict(),
]);

const sessionId = /^ps_[A-Za-z0-9]{22,32}$/;

const sessionJson = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } as const;

/** `POST /api/sessions`, `GET /api/sessions/:id` (the widget's routes; SSE and QR live beside). */
export function sessionRoutes(ctx: AppContext): Hono {
  const app = new Hono();

  app.post('/', async (c) => {
    const raw = await readJson(c);
    const parsed = createBody.safeParse(raw);
    if (!parsed.success) {
      throw new PasarelaError(
        400,
        'invalid_request',
        `Send {"provider": ${[...ctx.payments.providers()].map(({ info }) => JSON.stringify(info.id)).join('|')}, "order": "<order token>"} (or "orderId" when the server resolves orders).`,
      );
    }
    const body = parsed.data;
    const provider = ctx.payments.provider(body.provider);
    if (!provider) {
      throw new PasarelaError(
        422,
        'provider_not_available',
        `The provider "${body.provider}" is not enabled here.`,
      );
    }
    const create = async () => {
      const order = await trustedOrder(ctx, body);
      if (order.currency !== provider.info.currency) {
        throw new PasarelaError(
          422,
          'currency_not_supported',
          `${provider.info.name} accepts ${provider.info.currency} only; this order is in ${order.currency}.`,
        );
      }
      if (order.returnUrl) assertReturnUrlAllowed(order.returnUrl, ctx.config.allowedOrigins);
      c.set('providerCall', { providerName: provider.info.name });
      const session = await ctx.payments.create(provider.info.id, order, {
        clientIp: ctx.clientIp(c) ?? '127.0.0.1',
        signal: c.req.raw.signal,
      });
      return { status: 201 as const, body: toPublicSession(session) };
    };
    const key = c.req.header('idempotency-key');
    const result = key ? await withIdempotencyKey(ctx, key, body, create) : await create();
    return c.json(result.body, result.status);
  });

  app.get('/:id', async (c) => {
    const cached = ctx.hub.cachedJson(c.req.param('id'));
    if (cached) return apiAnswer(c, cached, 200, sessionJson);
    // The generation the read starts in: if everything cached is dropped meanwhile, it is not cached.
    const generation = ctx.hub.generation;
    const session = await findSession(ctx, c.req.param('id'));
    return apiAnswer(c, ctx.hub.remember(toPublicSession(session), generation), 200, sessionJson);
  });

  return app;
}

export async function findSession(ctx: AppContext, id: string): Promise<PaymentSession> {
  const session = sessionId.test(id) ? await ctx.store.getSession(id) : undefined;
  if (!session) throw new PasarelaError(404, 'session_not_found', 'No payment session has this id.');
  return session;
}

async function trustedOrder(
  ctx: AppContext,
  body: { order: string } | { orderId: string },
): Promise<TrustedOrder> {
  if ('order' in body) return verifyOrder(body.order, ctx.config.orderSecret, { now: ctx.now });
  if (!ctx.resolveOrder) {
    throw new PasarelaError(
      400,
      'order_token_required',
      'This server takes signed order tokens: send "order".',
    );
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(body.orderId)) {
    throw new PasarelaError(400, 'invalid_order', 'orderId must be 1–64 of A–Z, a–z, 0–9, "_" and "-".');
  }
  const order = await ctx.resolveOrder(body.orderId);
  if (!order) throw new PasarelaError(404, 'order_not_found', `The merchant has no order "${body.orderId}".`);
  return order;
}
