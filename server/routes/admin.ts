import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type PaymentSession, Status, toPublicSession } from '../core/session.js';
import { PasarelaError } from '../errors.js';
import { ProviderError, ProviderErrorKind } from '../providers/errors.js';
import { adminEventRoutes, eventView } from './admin-events.js';
import { findSession } from './sessions.js';

const listQuery = z.object({
  status: z.enum(Object.values(Status) as [Status, ...Status[]]).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  before: z.string().max(64).optional(),
  duplicate: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
  awaiting_delivery: z.literal('true').optional(),
});

const operations = ['deliver', 'refund', 'cancel'] as const;

/** The merchant's API: sessions with their history, reconcile now, delivery/refund/cancel where the provider has them. */
export function adminRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  const token = ctx.config.adminToken;
  app.use('*', async (_c, next) => {
    if (!token) {
      throw new PasarelaError(
        404,
        'admin_disabled',
        'The admin API is off: set PASARELA_ADMIN_TOKEN to enable it.',
      );
    }
    return next();
  });
  // Hono's bearerAuth compares tokens in constant time.
  if (token) app.use('*', bearerAuth({ token }));

  app.route('/events', adminEventRoutes(ctx));

  app.get('/sessions', async (c) => {
    const query = listQuery.safeParse(c.req.query());
    if (!query.success) {
      throw new PasarelaError(
        400,
        'invalid_query',
        `status must be one of ${Object.values(Status).join(', ')}; limit 1–500; duplicate true or false; awaiting_delivery true.`,
      );
    }
    const { awaiting_delivery: awaiting, ...filters } = query.data;
    if (awaiting && filters.status && filters.status !== 'paid') {
      throw new PasarelaError(
        400,
        'invalid_query',
        'awaiting_delivery lists paid sessions whose delivery is not confirmed yet: leave status out.',
      );
    }
    // Paid with a provider that needs its delivery confirmed (the provider refunds it otherwise).
    const awaitingDelivery = awaiting && {
      status: 'paid' as const,
      providers: [...ctx.payments.providers()].filter((p) => p.capabilities.deliver).map((p) => p.info.id),
    };
    const sessions = await ctx.store.listSessions(stripUndefined({ ...filters, ...awaitingDelivery }));
    return c.json({ sessions: sessions.map(adminView) });
  });

  app.get('/sessions/:id', async (c) => {
    const session = await findSession(ctx, c.req.param('id'));
    return c.json({
      session: adminView(session),
      events: await ctx.store.listEvents(session.id),
      // The merchant notifications this session's changes made, with their deliveries.
      notifications: (await ctx.store.listNotifications({ sessionId: session.id, limit: 500 })).map(
        eventView,
      ),
    });
  });

  app.post('/sessions/:id/sync', async (c) => {
    const session = await findSession(ctx, c.req.param('id'));
    c.set('providerCall', { providerName: session.provider });
    const synced = await ctx.payments.sync(session, 'admin', c.req.raw.signal);
    return c.json({ session: adminView(synced) });
  });

  for (const operation of operations) {
    app.post(`/sessions/:id/${operation}`, async (c) => {
      const session = await findSession(ctx, c.req.param('id'));
      const provider = ctx.payments.provider(session.provider);
      if (!provider || !session.providerRef) {
        throw new PasarelaError(409, 'invalid_state', 'This session has no provider payment to act on.');
      }
      c.set('providerCall', { providerName: provider.info.name, operation });
      try {
        const observation = await provider[operation](session, c.req.raw.signal);
        const result = await ctx.payments.observe(session, observation, 'admin');
        return c.json({ session: adminView(result.session) });
      } catch (error) {
        // A refusal here is about this payment's state, which only this route can name.
        if (error instanceof ProviderError && error.kind === ProviderErrorKind.rejected) {
          ctx.log.warn('provider refused an admin operation', {
            session: session.id,
            operation,
            error: error.message,
          });
          throw new PasarelaError(
            409,
            'invalid_state',
            `${provider.info.name} refused to ${operation} this payment (it is ${session.providerStatus ?? session.status}).`,
          );
        }
        throw error;
      }
    });
  }

  return app;
}

/** What the merchant sees: the public session plus order facts and provider reference, no secret. */
function adminView(session: PaymentSession) {
  return {
    ...toPublicSession(session),
    items: session.items,
    customerEmail: session.customerEmail,
    returnUrl: session.returnUrl,
    providerRef: session.providerRef,
    providerStatus: session.providerStatus,
    nextCheckAt: session.nextCheckAt,
    /** A second payment for an order another session had already paid: refund it. */
    duplicate: session.duplicate,
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
