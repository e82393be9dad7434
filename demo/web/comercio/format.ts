// What the merchant view says about amounts, times and statuses, in Spanish, and the small DOM
// pieces every part of the page shares.

export const statusNames: Record<string, string> = {
  pending: 'Pendiente',
  paid: 'Pagado',
  delivered: 'Entregado',
  failed: 'Rechazado',
  expired: 'Vencido',
  cancelled: 'Cancelado',
  refunded: 'Reembolsado',
};

export const providerNames: Record<string, string> = { etpay: 'ETpay', tpaga: 'Tpaga' };

export const money = (amount: number, currency: string) =>
  new Intl.NumberFormat(currency === 'CLP' ? 'es-CL' : 'es-CO', {
    style: 'currency',
    currency,
    maximumFractionDigits: 0,
  }).format(amount);

export const when = (iso: string) => new Date(iso).toLocaleString('es-CL');

/** How long ago, as a merchant would say it: "hace 5 min", "hace 2 h", "hace 3 días". */
export function ago(iso: string, now = Date.now()): string {
  // A browser clock a little behind the server's still says "just now", never "in 2 s".
  const minutes = Math.floor(Math.max(0, now - Date.parse(iso)) / 60_000);
  if (minutes < 1) return 'hace menos de 1 min';
  if (minutes < 60) return `hace ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `hace ${hours} h`;
  const days = Math.floor(hours / 24);
  return `hace ${days} ${days === 1 ? 'día' : 'días'}`;
}

export function badge(status: string): HTMLElement {
  const span = document.createElement('span');
  span.className = `status-badge status-${status}`;
  span.dataset.status = status;
  span.textContent = statusNames[status] ?? status;
  return span;
}

/** Marks a payment that arrived for an order another payment had already paid. */
export function duplicateBadge(): HTMLElement {
  const span = document.createElement('span');
  span.className = 'status-badge status-duplicate';
  span.dataset.duplicate = 'true';
  span.textContent = 'Pago duplicado: reembolsar';
  return span;
}

/** An element with only text in it. */
export function textElement<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

/** A `<time>` showing `text` for the instant `iso`. */
export function timeElement(iso: string, text = when(iso)): HTMLTimeElement {
  const time = textElement('time', text);
  time.dateTime = iso;
  return time;
}

/**
 * Replaces a container's children without losing the keyboard focus: the element focused before
 * (marked with `data-focus-key`) is focused again in the new content. The page redraws parts
 * every few seconds, and a merchant tabbing through them should not be thrown back to the top.
 */
export function replaceKeepingFocus(container: HTMLElement, children: Node[]): void {
  const active = document.activeElement;
  const key =
    active instanceof HTMLElement && container.contains(active) ? active.dataset.focusKey : undefined;
  container.replaceChildren(...children);
  if (key) container.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
}
