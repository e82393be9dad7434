import { Hono } from 'hono';
import { formatPesos, html, page } from './shared/html.js';
import type { Sandbox, SandboxSessionSummary } from './shared/types.js';

export interface NamedSandbox {
  /** Path segment (the provider's id) and label. */
  id: string;
  name: string;
  sandbox: Sandbox;
  /** Buttons that decide a session without the buyer's page (they notify like the provider). */
  decisions: Array<{ label: string; run: (token: string) => Promise<unknown> }>;
}

/**
 * `/sandbox`: every sandbox session with its notifications, and buttons to decide a session or
 * replay a notification. A person's tool for trying failure paths; tests use `_sim/` instead.
 */
export function sessionsPage(basePath: string, sandboxes: NamedSandbox[]): Hono {
  const app = new Hono();

  app.get('/', (c) =>
    c.html(
      page(
        'Sandboxes de Pasarela',
        html`<h1>Sandboxes</h1>
          ${sandboxes.map(
            ({ id, name, sandbox, decisions }) => html`<section>
              <h2>${name}</h2>
              <p><a href="${basePath}/${id}/_sim/sessions">JSON</a></p>
              ${
                sandbox.listSessions().length === 0
                  ? html`<p>Sin sesiones todavía.</p>`
                  : html`<table>
                      <thead><tr><th>Sesión</th><th>Orden</th><th>Monto</th><th>Estado</th><th>Notificaciones</th><th></th></tr></thead>
                      <tbody>${sandbox
                        .listSessions()
                        .reverse()
                        .map((s) => row(`${basePath}/_actions/${id}`, s, decisions))}</tbody>
                    </table>`
              }
            </section>`,
          )}`,
      ),
    ),
  );

  app.post('/_actions/:sandbox/sessions/:token/decide/:index', async (c) => {
    const entry = sandboxes.find((s) => s.id === c.req.param('sandbox'));
    const decision = entry?.decisions[Number(c.req.param('index'))];
    if (!decision) return c.notFound();
    // A session already decided refuses a second decision; the page simply shows its state.
    await decision.run(c.req.param('token')).catch(() => undefined);
    return c.redirect(basePath, 303);
  });

  app.post('/_actions/:sandbox/deliveries/:id/replay', async (c) => {
    const entry = sandboxes.find((s) => s.id === c.req.param('sandbox'));
    if (!entry) return c.notFound();
    await entry.sandbox.webhooks.replay(Number(c.req.param('id')));
    return c.redirect(basePath, 303);
  });

  return app;
}

function row(actions: string, s: SandboxSessionSummary, decisions: NamedSandbox['decisions']) {
  return html`<tr>
    <td><a href="${s.buyerUrl}">${s.token.slice(0, 12)}…</a></td>
    <td>${s.orderId}</td>
    <td>${formatPesos(s.amount)}</td>
    <td>${s.status}</td>
    <td>
      ${s.deliveries.map(
        (d) => html`<form method="post" action="${actions}/deliveries/${d.id}/replay">
          #${d.id} ${d.state}${d.status ? ` (${d.status})` : ''} <button>Reenviar</button>
        </form>`,
      )}
    </td>
    <td>
      ${decisions.map(
        (decision, index) => html`<form method="post" action="${actions}/sessions/${s.token}/decide/${index}">
          <button>${decision.label}</button>
        </form>`,
      )}
    </td>
  </tr>`;
}
