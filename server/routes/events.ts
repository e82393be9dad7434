import { Hono } from 'hono';
import type { AppContext } from '../context.js';
import { isFinal, type PublicSession, toPublicSession } from '../core/session.js';
import { PasarelaError } from '../errors.js';
import { findSession } from './sessions.js';
import { eventStream } from './sse.js';

/**
 * `GET /api/sessions/:id/events`: server-sent events. An `event: status` with the session now,
 * then one on every stored change; comment lines as heartbeats so proxies keep the stream open;
 * the stream ends after a final status, on shutdown, or when the browser leaves.
 */
export function eventRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  // Open streams per client address (PASARELA_STREAMS_PER_CLIENT): each holds a connection.
  const open = new Map<string, number>();
  // One shutdown listener for every stream (not one each: thousands of listeners on one signal).
  const following = new Set<() => void>();
  ctx.shutdown.addEventListener('abort', () => {
    for (const notify of following) notify();
  });

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
    return eventStream(c, { 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' }, async (stream) => {
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
      const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), ctx.sseHeartbeatMs);
      following.add(notify);
      stream.onAbort(notify);
      try {
        const current = await ctx.store.getSession(id);
        if (!current) return;
        let last = toPublicSession(current);
        stream.write(`event: status\ndata: ${JSON.stringify(last)}\nretry: 3000\n\n`);
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
          stream.write(statusEvent(last));
        }
      } catch (error) {
        ctx.log.warn('event stream ended on an error', { session: id, error: String(error) });
      } finally {
        release();
        clearInterval(heartbeat);
        unsubscribe();
        following.delete(notify);
      }
    });
  });

  return app;
}

// One change reaches every stream following the session as the same object: its event text is
// built once, not once per stream (2,000 streams on one session: 2,000 serialisations).
const eventTexts = new WeakMap<PublicSession, string>();
function statusEvent(session: PublicSession): string {
  let text = eventTexts.get(session);
  if (text === undefined) {
    text = `event: status\ndata: ${JSON.stringify(session)}\n\n`;
    eventTexts.set(session, text);
  }
  return text;
}
