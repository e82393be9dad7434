// `npm start`: one process on one port (8787, or PORT): the Pasarela server in sandbox mode with
// both provider sandboxes, and the demo shop (its pages, the npm demo page, the merchant view).
// Data lives in ./data (beside DATABASE_URL's SQLite file) and survives restarts.
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../server/index.js';
import { closeOnSignals, type RunningServer, startServer } from '../server/node/index.js';
import { ensureBuilt } from './build.js';
import { OrderBook, OrderBookError } from './orders.js';
import { shopRoutes } from './shop.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
ensureBuilt(root);

const env: Record<string, string | undefined> = { ...process.env, PASARELA_SANDBOX: '1' };
// The merchant view needs the admin token; without one set, this process makes one up for this
// run and prints the link that carries it. The token sits in the link's fragment, which the
// browser never sends, so it stays out of the server's request log; it is on this terminal
// only. Set PASARELA_ADMIN_TOKEN to keep it out of the output too.
const madeUpAdminToken = !env.PASARELA_ADMIN_TOKEN;
env.PASARELA_ADMIN_TOKEN ||= randomBytes(24).toString('base64url');

// The shop learns of payments as any merchant backend would: signed notifications to its own
// route, checked with verifyWebhook. Unless both are set, this run makes up the secret (never
// printed) and points the notifications at the shop on this server.
if (!env.PASARELA_WEBHOOK_URL && !env.PASARELA_WEBHOOK_SECRET) {
  const publicUrl = env.PUBLIC_URL?.trim().replace(/\/+$/, '') || `http://localhost:${env.PORT || 8787}`;
  env.PASARELA_WEBHOOK_URL = `${publicUrl}/tienda/webhooks/pasarela`;
  env.PASARELA_WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
}

let orders: OrderBook | undefined;
let server: RunningServer;
try {
  server = await startServer({
    env,
    // Sooner than in production (60 s, doubling): a dropped webhook scripted on /sandbox resolves
    // while you watch.
    reconciler: { intervalMs: 1_000, firstCheckDelayMs: 3_000, maxCheckDelayMs: 30_000 },
    routes: (app, { config, widget }) => {
      const dataDir =
        config.databaseUrl.kind === 'sqlite' && config.databaseUrl.path !== ':memory:'
          ? dirname(config.databaseUrl.path)
          : 'data';
      orders = new OrderBook(join(dataDir, 'shop-orders.json'));
      app.route('/', shopRoutes({ config, orders, widget, root }));
    },
  });
} catch (error) {
  // A bad setting, a busy port or an unreadable order book: one line, no stack.
  if (!(error instanceof ConfigError || error instanceof OrderBookError)) throw error;
  console.error(error.message);
  process.exit(1);
}
closeOnSignals(server);

const base = server.config.publicUrl;
console.log(`\nTostaduría Andina (Pasarela demo) on ${base}  (listening on ${server.url})`);
console.log(
  'Sandbox mode: payments are simulated by the built-in ETpay and Tpaga sandboxes; no money moves.',
);
console.log(`  shop            ${base}/`);
console.log(`  npm demo page   ${base}/spa/`);
console.log(
  madeUpAdminToken
    ? `  merchant view   ${base}/comercio/#token=${env.PASARELA_ADMIN_TOKEN}`
    : `  merchant view   ${base}/comercio/  (sign in with PASARELA_ADMIN_TOKEN)`,
);
console.log(`  sandboxes       ${base}/sandbox\n`);
