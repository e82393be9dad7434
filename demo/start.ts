// `npm start`: one process on one port (8787, or PORT): the Pasarela server in sandbox mode with
// both provider sandboxes, and an index page. Data lives in ./data and survives restarts.
import { html, page } from '../server/sandbox/shared/html.js';
import { closeOnSignals, startServer } from '../server/serve.js';

const server = await startServer({
  env: { ...process.env, PASARELA_SANDBOX: '1' },
  routes: (app, { config }) => {
    app.get('/', (c) =>
      c.html(
        page(
          'Pasarela',
          html`<h1>Pasarela</h1>
            <p>Servidor de pagos en modo sandbox: ningún pago es real.</p>
            <ul>
              <li><a href="/api/config">/api/config</a>: proveedores habilitados</li>
              <li><a href="/sandbox">Sesiones y notificaciones de los sandboxes</a></li>
              <li>ETpay (Chile): API en <code>${config.publicUrl}/sandbox/etpay/api</code>, funnel en <code>${config.publicUrl}/sandbox/etpay/pmt</code></li>
              <li>Tpaga (Colombia): API en <code>${config.publicUrl}/sandbox/tpaga/merchants/api/v1</code>, billetera en <code>${config.publicUrl}/sandbox/tpaga/w/</code></li>
              <li><a href="/pasarela.js">/pasarela.js</a>: el widget (tras <code>npm run build</code>)</li>
            </ul>`,
        ),
      ),
    );
  },
});
closeOnSignals(server);
console.log(`Pasarela on ${server.config.publicUrl} (listening on ${server.url})`);
console.log('Sandbox mode: payments are simulated, no money moves.');
