// "Esperando entrega": paid sessions of a provider that needs the delivery confirmed (Tpaga), not
// confirmed yet (`GET /api/admin/sessions?awaiting_delivery=true`), oldest first, each with how
// long ago it was paid. Tpaga refunds a payment whose delivery is never confirmed.
import { type AdminSession, admin } from './api.js';
import { ago, money, replaceKeepingFocus, textElement, timeElement } from './format.js';

export interface AwaitingOptions {
  /** The panel; `data-count` says how many sessions wait. */
  section: HTMLElement;
  title: HTMLElement;
  list: HTMLElement;
  empty: HTMLElement;
  /** Shows one session in the detail, focused. */
  open: (sessionId: string) => void;
  now?: () => number;
}

export interface AwaitingView {
  refresh(): Promise<void>;
}

export function awaitingView({
  section,
  title,
  list,
  empty,
  open,
  now = Date.now,
}: AwaitingOptions): AwaitingView {
  let version: string | undefined;
  let requests = 0;

  async function refresh(): Promise<void> {
    const request = ++requests;
    const { sessions } = await admin<{ sessions: AdminSession[] }>(
      '/sessions?awaiting_delivery=true&limit=500',
    );
    if (request !== requests) return;
    const next = sessions.map((s) => `${s.id}:${s.updatedAt}`).join(',');
    if (next === version) {
      // Only time went by: the ages change in place, the buttons (and the focus) stay.
      for (const age of list.querySelectorAll<HTMLTimeElement>('time.age')) {
        age.textContent = ago(age.dateTime, now());
      }
      return;
    }
    version = next;
    const oldestFirst = [...sessions].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    section.dataset.count = String(sessions.length);
    title.textContent = sessions.length ? `Esperando entrega (${sessions.length})` : 'Esperando entrega';
    empty.hidden = sessions.length > 0;
    replaceKeepingFocus(list, oldestFirst.map(item));
  }

  function item(session: AdminSession): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.session = session.id;
    li.dataset.order = session.orderId;
    const age = timeElement(session.updatedAt, ago(session.updatedAt, now()));
    age.className = 'age';
    const paid = document.createElement('span');
    paid.append('pagado ', age);
    const button = textElement('button', 'Abrir', 'link');
    button.type = 'button';
    button.dataset.focusKey = session.id;
    button.setAttribute('aria-label', `Abrir el pago del pedido ${session.orderId}`);
    button.addEventListener('click', () => open(session.id));
    // The spaces keep the words apart for screen readers and in copied text (flex ignores them).
    li.append(
      textElement('span', `Pedido ${session.orderId}`, 'awaiting-order'),
      ' ',
      textElement('span', money(session.amount, session.currency)),
      ' ',
      paid,
      ' ',
      button,
    );
    return li;
  }

  return { refresh };
}
