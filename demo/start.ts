// `npm start`: one process on one port. Until the demo shop exists this serves the two provider
// sandboxes and a small index page linking to them.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createSandboxes } from '../server/sandbox/index.js';
import { html, page } from '../server/sandbox/shared/html.js';

const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? '127.0.0.1';
const publicUrl = (process.env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');

const sandboxes = createSandboxes({ publicUrl });
const app = new Hono();
app.get('/', (c) =>
  c.html(
    page(
      'Pasarela',
      html`<h1>Pasarela</h1>
        <p>Simuladores de proveedores de pago, sin conexión:</p>
        <ul>
          <li><a href="/sandbox">Sesiones y notificaciones de los sandboxes</a></li>
          <li>ETpay (Chile): API en <code>${publicUrl}/sandbox/etpay/api</code>, funnel en <code>${publicUrl}/sandbox/etpay/pmt</code></li>
          <li>Tpaga (Colombia): API en <code>${publicUrl}/sandbox/tpaga/merchants/api/v1</code>, billetera en <code>${publicUrl}/sandbox/tpaga/w/</code></li>
        </ul>`,
    ),
  ),
);
app.route('/', sandboxes.app);

const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
  console.log(`Pasarela sandboxes on http://${host}:${info.port} (public URL ${publicUrl})`);
  console.log('Sandbox mode: payments are simulated, no money moves.');
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void sandboxes.close().then(() => process.exit(0));
  });
}
