import { Hono } from 'hono';
import type { AppContext } from '../context.js';

/** `GET /api/config` (what the widget offers) and `GET /healthz` (the store answers). */
export function miscRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  app.get('/api/config', (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json({
      providers: [...ctx.payments.providers()].map(({ info }) => info),
      sandbox: ctx.config.sandbox,
    });
  });
  app.get('/healthz', async (c) => {
    const ok = await ctx.store.ping().catch(() => false);
    return c.json({ ok }, ok ? 200 : 503);
  });
  return app;
}
