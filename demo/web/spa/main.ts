// The npm path: a framework-free single-page app that imports the element from the package and
// listens to its events. Its backend (the demo shop) signs each order; the page never sets an
// amount. In your app: `npm install pasarela`, then the same import.
import 'pasarela';
import type { PasarelaCheckout } from 'pasarela';

interface Country {
  code: 'cl' | 'co';
  name: string;
  currency: string;
  locale: string;
  providerName: string;
}
interface Product {
  id: string;
  name: string;
  blurb: string;
  price: Record<string, number>;
}

const app = document.querySelector<HTMLElement>('#app')!;
const params = new URLSearchParams(location.search);

const money = (amount: number, country: Country) =>
  new Intl.NumberFormat(country.locale, {
    style: 'currency',
    currency: country.currency,
    maximumFractionDigits: 0,
  }).format(amount);

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** A failed request leaves a message and a way back, never a blank page. */
function showProblem(text: string, code: Country['code']): void {
  const retry = element('button', { type: 'button', textContent: 'Intentar de nuevo' });
  retry.addEventListener('click', () => void showCatalogue(code));
  app.replaceChildren(element('p', { className: 'notice', textContent: text }), retry);
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as T;
}

async function showCatalogue(code: Country['code']): Promise<void> {
  let catalogue: { countries: Country[]; products: Product[] };
  try {
    catalogue = await getJson('/tienda/api/productos');
  } catch {
    return showProblem('No pudimos cargar la tienda. Revisa tu conexión.', code);
  }
  const { countries, products } = catalogue;
  const country = countries.find((c) => c.code === code) ?? countries[0]!;
  const switcher = element(
    'nav',
    { className: 'country-switch', ariaLabel: 'País y moneda' },
    ...countries.map((c) => {
      const button = element('button', { type: 'button', textContent: `${c.name} (${c.currency})` });
      button.setAttribute('aria-pressed', String(c.code === country.code));
      button.addEventListener('click', () => void showCatalogue(c.code));
      return button;
    }),
  );
  const list = element(
    'ul',
    { className: 'products' },
    ...products.map((product) => {
      const buy = element('button', { type: 'button', textContent: 'Comprar' });
      buy.addEventListener('click', () => {
        // One order per click: the button waits for the answer.
        buy.disabled = true;
        void checkout(country, product);
      });
      const item = element(
        'li',
        { className: 'product' },
        element('h2', { textContent: product.name }),
        element('p', { textContent: product.blurb }),
        element('p', { className: 'price', textContent: money(product.price[country.code]!, country) }),
        buy,
      );
      item.dataset.product = product.id;
      return item;
    }),
  );
  app.replaceChildren(element('h1', { textContent: 'Compra rápida' }), switcher, list);
}

async function checkout(country: Country, product: Product): Promise<void> {
  let created: { order: { id: string }; token: string };
  try {
    created = await getJson('/tienda/api/pedidos', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ country: country.code, product: product.id, quantity: 1 }),
    });
  } catch {
    return showProblem('No pudimos crear el pedido. Intenta de nuevo.', country.code);
  }
  const { order, token } = created;
  const widget = element('pasarela-checkout') as PasarelaCheckout;
  widget.order = token;
  widget.locale = country.locale;
  follow(widget, order.id);
  const back = element('button', { type: 'button', className: 'link', textContent: '← Volver' });
  back.addEventListener('click', () => void showCatalogue(country.code));
  app.replaceChildren(
    element('h1', { textContent: `Pedido ${order.id}` }),
    element('p', { textContent: product.name }),
    widget,
    back,
  );
}

/** The events an app listens to: here, an order confirmation once the payment went through. */
function follow(widget: PasarelaCheckout, orderId: string | null): void {
  widget.addEventListener('pasarela-paid', (event) => {
    const { session } = event.detail;
    const country = {
      currency: session.currency,
      locale: session.currency === 'CLP' ? 'es-CL' : 'es-CO',
    } as Country;
    const confirmation = element(
      'section',
      { className: 'confirmation' },
      element('h1', { textContent: '¡Gracias por tu compra!' }),
      element('p', {
        textContent: `Pedido ${orderId ?? session.orderId}: pagaste ${money(session.amount, country)}.`,
      }),
      element('a', { href: '/spa/', textContent: 'Hacer otra compra' }),
    );
    confirmation.dataset.orderConfirmed = session.orderId;
    app.replaceChildren(confirmation);
  });
}

// Back from a redirect (ETpay): the element resumes the session named in the address.
if (params.has('pasarela_session')) {
  const widget = element('pasarela-checkout') as PasarelaCheckout;
  follow(widget, params.get('pedido'));
  app.replaceChildren(element('h1', { textContent: 'Confirmando tu pago' }), widget);
} else {
  void showCatalogue(params.get('pais') === 'cl' ? 'cl' : 'co');
}
