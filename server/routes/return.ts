import { Hono } from 'hono';
import type { AppContext } from '../context.js';
import { ProviderError } from '../providers/errors.js';
import type { EtpayProvider } from '../providers/etpay/index.js';
import { findSession } from './sessions.js';

/**
 * `GET /return/:id`: where the provider sends the buyer back. A verified ETpay `?jwt=` is applied
 * (it is signed like the notification); anything else changes nothing. Then 303 to the order's
 * `return_url` (or the server's own page) with `pasarela_session=<id>`, where the widget resumes.
 */
export function returnRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  app.get('/:id', async (c) => {
    const session = await findSession(ctx, c.req.param('id'));
    const jwt = c.req.query('jwt');
    try {
      if (jwt && session.provider === 'etpay') {
        const etpay = ctx.payments.provider('etpay') as EtpayProvider | undefined;
        const verified = await etpay?.verifyPaymentJwt(jwt, (token) =>
          ctx.store.findByProviderRef('etpay', token),
        );
        if (verified && verified.session.id === session.id) {
          await ctx.payments.observe(verified.session, verified.observation, 'return');
        }
      } else if (session.provider === 'tpaga' && session.status === 'pending') {
        // The buyer is back from the wallet: a good moment to ask Tpaga (never proof by itself).
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
