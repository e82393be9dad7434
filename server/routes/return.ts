import { Hono } from 'hono';
import type { AppContext } from '../context.js';
import { ProviderError } from '../providers/errors.js';
import { findSession } from './sessions.js';

/**
 * `GET /return/:id`: where the provider sends the buyer back. The session's provider reads the
 * query: a verified observation is applied (a signed `?jwt=`, say), a hint
 * makes Pasarela ask the provider while the session is pending, anything else changes nothing.
 * Then 303 to the order's `return_url` (or the server's own page) with `pasarela_session=<id>`,
 * where the widget resumes.
 */
export function returnRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  app.get('/:id', async (c) => {
    const session = await findSession(ctx, c.req.param('id'));
    const provider = ctx.payments.provider(session.provider);
    try {
      const query = new URL(c.req.url).searchParams;
      const outcome = await provider?.readReturn?.(session, query, (ref) =>
        ctx.store.findByProviderRef(session.provider, ref),
      );
      if (outcome && 'observation' in outcome) {
        await ctx.payments.observe(outcome.session, outcome.observation, 'return');
      } else if (outcome?.query && session.status === 'pending') {
        // Waits 3 s at most; the query goes on for the webhook or reconciler that shares it.
        await ctx.payments.hint(session, 'return', AbortSignal.timeout(3_000));
      }
    } catch (error) {
      // A bad or unverifiable return never blocks the buyer, whatever the failure's kind: this
      // route answers no error at all, and the widget keeps confirming.
      ctx.log.warn('return not applied', {
        session: session.id,
        ...(error instanceof ProviderError && { kind: error.kind }),
        error: String(error),
      });
    }
    const target = new URL(session.returnUrl ?? `${ctx.config.publicUrl}/`);
    target.searchParams.set('pasarela_session', session.id);
    return c.redirect(target.toString(), 303);
  });
  return app;
}
