import { Hono } from 'hono';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { PasarelaError } from '../errors.js';
import type { NotificationDetail, NotificationEvent } from '../store/outbox.js';

const eventId = /^evt_[A-Za-z0-9]{22}$/;

const listQuery = z.object({
  after: z.string().regex(eventId).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/**
 * The merchant's notification events (DESIGN.md, "Merchant notifications"): every event after a
 * cursor, in the order they were created (catching up after an outage), one event with each
 * delivery attempt, and a redelivery with the same `webhook-id`. Mounted behind the admin token.
 */
export function adminEventRoutes(ctx: AppContext): Hono {
  const app = new Hono();

  app.get('/', async (c) => {
    const query = listQuery.safeParse(c.req.query());
    if (!query.success) {
      throw new PasarelaError(
        400,
        'invalid_query',
        'after must be an event id (evt_…) from an earlier answer; limit a whole number from 1 to 500.',
      );
    }
    const { after, limit = 100 } = query.data;
    if (after !== undefined) await findEvent(ctx, after);
    // One more than asked tells whether another page follows.
    const events = await ctx.store.listNotifications({ ...(after && { after }), limit: limit + 1 });
    return c.json({ events: events.slice(0, limit).map(eventView), hasMore: events.length > limit });
  });

  app.get('/:id', async (c) => c.json({ event: detailView(await findEvent(ctx, c.req.param('id'))) }));

  app.post('/:id/redeliver', async (c) => {
    const event = await findEvent(ctx, c.req.param('id'));
    const { destinations, dispatcher } = ctx.notifications;
    if (destinations.length === 0) {
      throw new PasarelaError(
        409,
        'no_destination',
        'No notification destination is configured: set PASARELA_WEBHOOK_URL and PASARELA_WEBHOOK_SECRET (or pass onStatusChange).',
      );
    }
    await ctx.store.redeliver(event.id, destinations, new Date(ctx.now()).toISOString());
    dispatcher.wake();
    const queued = await findEvent(ctx, event.id);
    return c.json({ event: detailView(queued) }, 202);
  });

  return app;
}

async function findEvent(ctx: AppContext, id: string): Promise<NotificationDetail> {
  const event = eventId.test(id) ? await ctx.store.getNotification(id) : undefined;
  if (!event) {
    throw new PasarelaError(
      404,
      'event_not_found',
      `No notification event ${JSON.stringify(id.slice(0, 40))}: use an id (evt_…) from GET /api/admin/events.`,
    );
  }
  return event;
}

/** The event as the merchant's endpoint received it (id, type, timestamp, data) and its deliveries. */
export function eventView(event: NotificationEvent) {
  const { data } = JSON.parse(event.body) as { data: unknown };
  return {
    id: event.id,
    type: event.type,
    timestamp: event.timestamp,
    sessionId: event.sessionId,
    data,
    deliveries: event.deliveries,
  };
}

function detailView(event: NotificationDetail) {
  return { ...eventView(event), deliveries: event.deliveries };
}
