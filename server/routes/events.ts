import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppContext } from '../context.js';
import { isFinal, type PublicSession, toPublicSession } from '../core/session.js';
import { PasarelaError } from '../errors.js';
import { findSession } from './sessions.js';

/**
 * `GET /api/sessions/:id/events`: server-sent events. An `event: status` with the session now,
 * then one on every stored change; comment lines as heartbeats so proxies keep the stream open;
 * the stream ends after a final status, on shutdown, or when the browser leaves.
 */
export function eventRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  // Open streams per client address (PASARELA_STREAMS_PER_CLIENT): each holds a connection.
  const open = new Map<string, number>();

  app.get('/:id/events', async (c) => {
    const { id } = await findSession(ctx, c.req.param('id'));
    const client = ctx.clientIp(c) ?? 'unknown';
    if ((open.get(client) ?? 0) >= ctx.config.limits.streamsPerClient) {
      // The widget falls back to polling when its stream is refused.
      c.header('Retry-After', '10');
      throw new PasarelaError(
        429,
        'too_many_streams',
        `This address already follows ${ctx.config.limits.streamsPerClient} payments live; poll GET /api/sessions/:id instead.`,
      );
    }
    open.set(client, (open.get(client) ?? 0) + 1);
    const release = () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    };
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      const queue: PublicSession[] = [];
      let wake: (() => void) | undefined;
      const notify = () => {
        wake?.();
        wake = undefined;
      };
      // Subscribe before reading, so a change between the read and the subscription is not lost.
      const unsubscribe = ctx.hub.subscribe(id, (session) => {
        queue.push(session);
        notify();
      });
      const heartbeat = setInterval(() => {
        void stream.write(': heartbeat\n\n');
      }, ctx.sseHeartbeatMs);
      const stop = () => notify();
      ctx.shutdown.addEventListener('abort', stop);
      stream.onAbort(stop);
      try {
        const current = await ctx.store.getSession(id);
        if (!current) return;
        let last = toPublicSession(current);
        await stream.writeSSE({ event: 'status', data: JSON.stringify(last), retry: 3000 });
        while (!isFinal(last.status) && !stream.aborted && !ctx.shutdown.aborted) {
          const next = queue.shift();
          if (!next) {
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            continue;
          }
          if (next.status === last.status && next.updatedAt <= last.updatedAt) continue;
          last = next;
          await stream.writeSSE({ event: 'status', data: JSON.stringify(last) });
        }
      } finally {
        release();
        clearInterval(heartbeat);
        unsubscribe();
        ctx.shutdown.removeEventListener('abort', stop);
      }
    });
  });

  return app;
}
