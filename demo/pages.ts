// The shop's pages, rendered on the server with Hono's `html` (which escapes every value).
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { type Country, countries, formatPrice, maxQuantity, products } from './catalog.js';
import { orderStatus, type ShopOrder } from './orders.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const shopName = 'Tostaduría Andina';

export const statusLabels: Record<ReturnType<typeof orderStatus>, string> = {
  unpaid: 'Esperando el pago',
  pending: 'Pago en curso',
  paid: 'Pagado',
  delivered: 'Entregado',
  failed: 'Pago rechazado',
  expired: 'Pago vencido',
  cancelled: 'Pago cancelado',
  refunded: 'Reembolsado',
};

export function layout(title: string, body: Html, head: Html = html``): Html {
  return html`<!doctype html>
    <html lang="es">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · ${shopName}</title>
        <link rel="stylesheet" href="/shop.css" />
    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        ${head}
      </head>
      <body>
        <aside class="sandbox-banner" aria-label="Modo sandbox">
          Modo sandbox: los pagos son simulados, no se mueve dinero.
          <a href="/sandbox">Sandboxes</a> · <a href="/comercio/">Panel del comercio</a> ·
          <a href="/spa/">Compra rápida (npm)</a>
        </aside>
        <header class="shop-header">
          <a class="brand" href="/">${shopName}</a>
          <span class="tagline">Café de especialidad, de Colombia a Chile</span>
        </header>
        <main>${body}</main>
        <footer class="shop-footer">
          Pagos con <strong>ETpay</strong> en Chile y <strong>Tpaga</strong> en Colombia, por
          Pasarela.
        </footer>
      </body>
    </html>`;
}

export function shopPage(country: Country): Html {
  const other = countries[country.code === 'cl' ? 'co' : 'cl'];
  return layout(
    'Tienda',
    html`<section class="hero">
        <h1>Tienda</h1>
        <nav class="country-switch" aria-label="País y moneda">
          ${Object.values(countries).map(
            (c) =>
              html`<a href="/?pais=${c.code}" ${raw(c.code === country.code ? 'aria-current="page"' : '')}
                >${c.name} (${c.currency})</a
              >`,
          )}
        </nav>
        <p>
          Precios en ${country.currency}; se paga con ${country.providerName}.
          <a href="/?pais=${other.code}">¿Compras desde ${other.name}?</a>
        </p>
      </section>
      <ul class="products">
        ${products.map(
          (product) => html`<li class="product" data-product="${product.id}">
            <div class="art art-${product.art}" aria-hidden="true"></div>
            <h2>${product.name}</h2>
            <p>${product.blurb}</p>
            <p class="price">${formatPrice(product.price[country.code], country)}</p>
            <form method="post" action="/comprar">
              <input type="hidden" name="pais" value="${country.code}" />
              <input type="hidden" name="producto" value="${product.id}" />
              <label
                >Cantidad
                <select name="cantidad">
                  ${Array.from({ length: maxQuantity }, (_, i) => html`<option>${i + 1}</option>`)}
                </select></label
              >
              <button type="submit">Comprar</button>
            </form>
          </li>`,
        )}
      </ul>`,
  );
}

/**
 * What the order page offers: the widget with a signed order (`pay`), the widget following the
 * session the buyer came back with and nothing to pay (`resume`), or a `receipt`.
 */
export type Checkout = { mode: 'pay'; token: string } | { mode: 'resume' } | { mode: 'receipt' };

export interface WidgetScript {
  src: string;
  integrity: string;
}

export function orderPage(order: ShopOrder, checkout: Checkout, script: WidgetScript | undefined): Html {
  const country = countries[order.country];
  const status = orderStatus(order);
  return layout(
    `Pedido ${order.id}`,
    html`<section class="order">
        <h1>Pedido <span class="order-id">${order.id}</span></h1>
        <table class="lines">
          <thead>
            <tr>
              <th scope="col">Producto</th>
              <th scope="col">Cantidad</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            ${order.lines.map(
              (line) =>
                html`<tr>
                  <td>${line.name}</td>
                  <td>${line.quantity}</td>
                  <td>${formatPrice(line.amount, country)}</td>
                </tr>`,
            )}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colspan="2">Total</th>
              <td>${formatPrice(order.amount, country)}</td>
            </tr>
          </tfoot>
        </table>
        <p class="order-status">
          Estado del pedido:
          <strong class="status-badge status-${status}" data-order-status="${status}"
            data-labels="${JSON.stringify(statusLabels)}"
            >${statusLabels[status]}</strong
          >
        </p>
        ${history(order)}
      </section>
      ${
        checkout.mode === 'receipt'
          ? html`<section class="receipt">
            <p>
              ${
                status === 'refunded'
                  ? 'Te devolvimos el pago de este pedido.'
                  : status === 'delivered'
                    ? 'Tu pedido fue entregado. ¡Gracias por tu compra!'
                    : 'Recibimos tu pago. Te avisaremos cuando despachemos el pedido.'
              }
            </p>
            <p><a href="/?pais=${order.country}">Seguir comprando</a></p>
          </section>`
          : widgetSection(checkout, country, script)
      }`,
    checkout.mode !== 'receipt' && script
      ? html`<script
            type="module"
            src="${script.src}"
            integrity="${script.integrity}"
            crossorigin="anonymous"
          ></script>
          <script type="module" src="/shop.js"></script>`
      : html``,
  );
}

function widgetSection(checkout: Checkout, country: Country, script: WidgetScript | undefined): Html {
  if (!script) {
    return html`<section class="checkout">
      <p class="notice">El widget no está compilado: ejecuta <code>npm run build</code> y recarga.</p>
    </section>`;
  }
  return html`<section class="checkout">
    <h2>Pago</h2>
    ${
      checkout.mode === 'pay'
        ? html`<pasarela-checkout order="${checkout.token}" locale="${country.locale}"></pasarela-checkout>`
        : html`<pasarela-checkout locale="${country.locale}"></pasarela-checkout>`
    }
  </section>`;
}

function history(order: ShopOrder): Html {
  if (!order.history.length) return html``;
  return html`<details class="history">
    <summary>Historial del pago</summary>
    <ol>
      ${order.history.map(
        (entry) =>
          html`<li>
            <time datetime="${entry.at}">${new Date(entry.at).toLocaleString('es-CL')}</time>:
            ${statusLabels[entry.status]}
          </li>`,
      )}
    </ol>
  </details>`;
}

export function errorPage(title: string, message: string): Html {
  return layout(
    title,
    html`<section class="problem"><h1>${title}</h1><p>${message}</p><p><a href="/">Volver a la tienda</a></p></section>`,
  );
}
