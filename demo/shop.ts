// The demo shop's routes, beside Pasarela's on the same Hono app: the store, the buy button,
// the order page with the widget by script tag, the JSON the npm demo page uses, and the built
// pages (demo/web: the npm demo and the merchant view).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import {
  type Config,
  clientIpResolver,
  type PublicSession,
  rateLimit,
  signOrder,
  verifyWebhook,
  WebhookVerificationError,
  type WidgetBundle,
} from '../server/index.js';
import { countries, findProduct, maxQuantity, products } from './catalog.js';
import { moneyPayment, type OrderBook, type ShopOrder } from './orders.js';
import { type Checkout, errorPage, orderPage, shopPage } from './pages.js';

export interface ShopOptions {
  config: Config;
  orders: OrderBook;
  widget: WidgetBundle | undefined;
  /** The package root: demo/public and dist/demo are found from here. */
  root: string;
}

const Purchase = z.object({
  pais: z.enum(['cl', 'co'], 'pais must be cl or co'),
  producto: z.string().refine((id) => findProduct(id) !== undefined, 'producto is not in the catalogue'),
  cantidad: z.coerce.number().int().min(1).max(maxQuantity, `cantidad must be 1 to ${maxQuantity}`),
});

/**
 * Signs the order for Pasarela: the few lines each merchant writes on their own server. The
 * amount comes from the shop's order (its catalogue prices), never from the browser.
 */
export function signShopOrder(order: ShopOrder, config: Config, returnUrl: string): Promise<string> {
  return signOrder(
    {
      order_id: order.id,
      amount: order.amount,
      currency: order.currency,
      description: `Tostaduría Andina, pedido ${order.id}`,
      items: order.lines.map((line) => ({ name: line.name, quantity: line.quantity, amount: line.amount })),
      return_url: returnUrl,
    },
    config.orderSecret,
    { expiresIn: '30m' },
  );
}

export function shopRoutes({ config, orders, widget, root }: ShopOptions): Hono {
  const app = new Hono();
  const pagesCsp = contentSecurityPolicy();
  const asset = (file: string, type: string) => {
    const body = readFileSync(join(root, 'demo', 'public', file), 'utf8');
    return (c: Context) => c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
  };
  app.get('/shop.css', asset('shop.css', 'text/css; charset=utf-8'));
  app.get('/shop.js', asset('shop.js', 'text/javascript; charset=utf-8'));
  // Also as /favicon.ico, which browsers ask for on every page (the sandboxes' too).
  app.get('/favicon.svg', asset('favicon.svg', 'image/svg+xml'));
  app.get('/favicon.ico', asset('favicon.svg', 'image/svg+xml'));

  app.get('/', pagesCsp, (c) => {
    const pais = c.req.query('pais') ?? 'cl';
    if (pais !== 'cl' && pais !== 'co') {
      return c.html(errorPage('País desconocido', 'Elige Chile (pais=cl) o Colombia (pais=co).'), 400);
    }
    return c.html(shopPage(countries[pais]));
  });

  // Orders are free to create (anyone may press "Comprar"), so each address gets a fair share.
  const orderLimit = rateLimit({
    name: 'order creation',
    limit: 30,
    windowMs: 60_000,
    clientIp: clientIpResolver({ trustProxy: config.trustProxy }),
    now: Date.now,
  });
  app.post('/comprar', orderLimit);
  app.post('/tienda/api/pedidos', orderLimit);

  app.post('/comprar', pagesCsp, async (c) => {
    const form = Purchase.safeParse(await c.req.parseBody().catch(() => ({})));
    if (!form.success) {
      return c.html(errorPage('No pudimos crear el pedido', form.error.issues[0]?.message ?? ''), 400);
    }
    const { pais, producto, cantidad } = form.data;
    const order = orders.create(pais, [{ product: findProduct(producto)!, quantity: cantidad }]);
    return c.redirect(`/pedido/${order.id}`, 303);
  });

  app.get('/pedido/:id', pagesCsp, async (c) => {
    const order = orders.get(c.req.param('id'));
    if (!order) return c.html(errorPage('Pedido no encontrado', 'Revisa el enlace de tu pedido.'), 404);
    const returning = c.req.query('pasarela_session');
    const paidWith = moneyPayment(order);
    // Until the money moves, the page offers to pay (a retry after a failure included). After
    // that it is a receipt; a buyer coming back from the provider with the paying session still
    // gets the widget, to confirm it and fire its events, but with no order to pay again.
    let checkout: Checkout;
    if (!paidWith) {
      checkout = {
        mode: 'pay',
        token: await signShopOrder(order, config, `${config.publicUrl}/pedido/${order.id}`),
      };
    } else if (returning === paidWith.sessionId) checkout = { mode: 'resume' };
    else if (returning !== undefined) return c.redirect(`/pedido/${order.id}`, 303);
    else checkout = { mode: 'receipt' };
    c.header('Cache-Control', 'no-store');
    return c.html(
      orderPage(
        order,
        checkout,
        widget && { src: `/widget/${widget.version}/pasarela.js`, integrity: widget.integrity },
      ),
    );
  });

  // The npm demo page's backend: the catalogue, and orders signed for it.
  app.get('/tienda/api/productos', (c) =>
    c.json({
      countries: Object.values(countries),
      products: products.map(({ id, name, blurb, price }) => ({ id, name, blurb, price })),
    }),
  );
  app.post('/tienda/api/pedidos', async (c) => {
    const body = await c.req.json().catch(() => undefined);
    const wanted = z
      .object({
        country: z.enum(['cl', 'co']),
        product: z.string().refine((id) => findProduct(id) !== undefined),
        quantity: z.number().int().min(1).max(maxQuantity),
      })
      .safeParse(body);
    if (!wanted.success) {
      return c.json(
        {
          error: {
            code: 'invalid_order',
            message: `Send {"country": "cl"|"co", "product": one of the catalogue ids, "quantity": 1–${maxQuantity}}.`,
          },
        },
        400,
      );
    }
    const { country, product, quantity } = wanted.data;
    const order = orders.create(country, [{ product: findProduct(product)!, quantity }]);
    const token = await signShopOrder(order, config, `${config.publicUrl}/spa/?pedido=${order.id}`);
    return c.json(
      { order: { id: order.id, amount: order.amount, currency: order.currency, lines: order.lines }, token },
      201,
    );
  });

  // Pasarela's signed notifications (PASARELA_WEBHOOK_URL points here): verified on the raw body,
  // then recorded on the order. A 2xx only once recorded, so a failure is sent again.
  app.post('/tienda/webhooks/pasarela', async (c) => {
    const secret = config.webhooks?.secret;
    if (!secret) return c.json({ error: { code: 'not_configured', message: 'No webhook secret.' } }, 404);
    const body = await c.req.text();
    try {
      const { id, payload } = await verifyWebhook<{ data: PublicSession }>(body, c.req.raw.headers, secret);
      orders.recordPayment(payload.data, id);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      return c.json({ error: { code: error.reason, message: error.message } }, 400);
    }
    return c.body(null, 204);
  });

  // The built pages (npm run build → dist/demo).
  const built = builtPages(join(root, 'dist', 'demo'));
  for (const page of ['spa', 'comercio']) {
    app.get(`/${page}`, (c) => c.redirect(`/${page}/`, 301));
    app.use(`/${page}/*`, pagesCsp, built);
  }
  app.use('/demo-assets/*', built);
  return app;
}

/**
 * Serves `dist/demo` once it exists (looked up on each request until then, so a build made after
 * the shop started is found); before, a 404 that says how to build it.
 */
function builtPages(root: string): MiddlewareHandler {
  let serve: MiddlewareHandler | undefined;
  return async (c, next) => {
    if (!serve && existsSync(root)) serve = serveStatic({ root });
    if (!serve) return c.text('The demo pages are not built yet: run npm run build.', 404);
    return serve(c, next);
  };
}

/**
 * The shop's pages run under a strict policy: scripts and styles only from this origin, no
 * inline code; the widget needs nothing more.
 */
function contentSecurityPolicy(): MiddlewareHandler {
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
  return async (c, next) => {
    await next();
    if (c.res.headers.get('content-type')?.startsWith('text/html'))
      c.res.headers.set('Content-Security-Policy', policy);
  };
}
