// The selected session's merchant notifications: each event with its deliveries (state, attempts,
// next attempt, last error), every attempt of a delivery on demand (`GET /api/admin/events/:id`),
// and "Reenviar" (`POST /api/admin/events/:id/redeliver`).
import {
  AdminError,
  admin,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryState,
  type NotificationDetail,
  type NotificationEvent,
  Unauthorized,
} from './api.js';
import { replaceKeepingFocus, statusNames, textElement, timeElement } from './format.js';

const deliveryStateNames: Record<DeliveryState, string> = {
  delivered: 'Entregada',
  pending: 'Pendiente',
  failed: 'Fallida',
};

/** Where a delivery goes, as the merchant knows it: the hook, Tpaga's delivery, or the URL. */
export function destinationName(destination: string): string {
  if (destination === 'hook:onStatusChange') return 'onStatusChange';
  if (destination === 'provider:deliver') return 'Entrega automática (Tpaga)';
  return destination;
}

/** `session.paid` → "Pagado". */
function eventName(type: string): string {
  return statusNames[type.replace(/^session\./, '')] ?? type;
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** How much of an answer is shown; the server keeps its first 4 KB. */
const responsePreviewChars = 200;

export interface NotificationsOptions {
  /** The `<ol>` the events go in. */
  list: HTMLElement;
  /** A live region saying what "Reenviar" did. */
  result: HTMLElement;
  /** Reads the selected session again (after a redelivery). */
  refresh: () => Promise<void>;
  /** Errors the page handles itself: a token no longer valid, a server out of reach. */
  fail: (error: unknown) => void;
}

export interface NotificationsView {
  /** Shows a session's events; redraws only when a delivery changed, keeping the focus. */
  render(sessionId: string, events: NotificationEvent[]): void;
}

export function notificationsView({ list, result, refresh, fail }: NotificationsOptions): NotificationsView {
  let shownSession: string | undefined;
  let version = '';
  /** Deliveries whose attempts are open (`eventId destination`), kept open across redraws. */
  const openAttempts = new Set<string>();
  const redelivering = new Set<string>();

  function render(sessionId: string, events: NotificationEvent[]): void {
    if (sessionId !== shownSession) {
      shownSession = sessionId;
      openAttempts.clear();
      result.textContent = '';
      version = '';
    }
    const next = JSON.stringify(events.map((event) => [event.id, event.deliveries]));
    if (next === version) return;
    version = next;
    replaceKeepingFocus(
      list,
      events.length ? events.map(eventItem) : [textElement('li', 'Ningún cambio notificado todavía.')],
    );
  }

  function eventItem(event: NotificationEvent): HTMLLIElement {
    const li = document.createElement('li');
    li.className = 'notification';
    li.dataset.event = event.id;
    li.dataset.type = event.type;
    const title = textElement('h4', eventName(event.type));
    const meta = document.createElement('p');
    meta.className = 'notification-meta';
    meta.append(timeElement(event.timestamp), ' · ', textElement('code', event.id));
    const deliveries = document.createElement('ul');
    deliveries.className = 'deliveries';
    deliveries.setAttribute('aria-label', `Entregas de la notificación ${eventName(event.type)}`);
    deliveries.append(...event.deliveries.map((delivery) => deliveryItem(event, delivery)));
    if (!event.deliveries.length) deliveries.append(textElement('li', 'Sin destinos.'));
    li.append(title, meta, deliveries, redeliverButton(event));
    return li;
  }

  function deliveryItem(event: NotificationEvent, delivery: Delivery): HTMLLIElement {
    const li = document.createElement('li');
    li.className = 'delivery';
    li.dataset.destination = delivery.destination;
    li.dataset.state = delivery.state;
    li.dataset.attempts = String(delivery.attemptCount);
    const head = document.createElement('p');
    head.append(
      textElement('span', destinationName(delivery.destination), 'delivery-destination'),
      ' ',
      textElement('span', deliveryStateNames[delivery.state], `status-badge delivery-${delivery.state}`),
    );
    const facts = document.createElement('p');
    facts.className = 'delivery-facts';
    facts.append(plural(delivery.attemptCount, 'intento', 'intentos'));
    if (delivery.state === 'delivered' && delivery.deliveredAt) {
      facts.append(' · entregada el ', timeElement(delivery.deliveredAt));
    }
    if (delivery.state === 'pending' && delivery.nextAttemptAt) {
      facts.append(' · próximo intento: ', timeElement(delivery.nextAttemptAt));
    }
    li.append(head, facts);
    if (delivery.lastError) {
      li.append(textElement('p', `Último error: ${delivery.lastError}`, 'delivery-error'));
    }
    if (delivery.attemptCount > 0) li.append(attemptsDetails(event.id, delivery));
    return li;
  }

  /** A native disclosure: keyboard and screen readers know it; its attempts load when opened. */
  function attemptsDetails(eventId: string, delivery: Delivery): HTMLDetailsElement {
    const key = `${eventId} ${delivery.destination}`;
    const details = document.createElement('details');
    details.className = 'attempts';
    const summary = textElement(
      'summary',
      delivery.attemptCount === 1 ? 'Ver el intento' : `Ver los ${delivery.attemptCount} intentos`,
    );
    summary.dataset.focusKey = `attempts ${key}`;
    const attempts = document.createElement('ol');
    details.append(summary, attempts);
    details.addEventListener('toggle', () => {
      if (!details.open) {
        openAttempts.delete(key);
        delete details.dataset.loaded;
        return;
      }
      openAttempts.add(key);
      if (!details.dataset.loaded) void loadAttempts(details, attempts, eventId, delivery.destination);
    });
    if (openAttempts.has(key)) {
      details.open = true;
      void loadAttempts(details, attempts, eventId, delivery.destination);
    }
    return details;
  }

  async function loadAttempts(
    details: HTMLDetailsElement,
    attempts: HTMLOListElement,
    eventId: string,
    destination: string,
  ): Promise<void> {
    // Set before the request, so the toggle event that follows an `open` set in code loads nothing.
    details.dataset.loaded = 'loading';
    attempts.replaceChildren(textElement('li', 'Cargando los intentos…'));
    try {
      const { event } = await admin<{ event: NotificationDetail }>(`/events/${eventId}`);
      const found = event.deliveries.find((delivery) => delivery.destination === destination)?.attempts ?? [];
      attempts.replaceChildren(
        ...(found.length ? found.map(attemptItem) : [textElement('li', 'Sin intentos todavía.')]),
      );
      details.dataset.loaded = 'true';
    } catch (error) {
      if (error instanceof Unauthorized) return fail(error);
      delete details.dataset.loaded;
      attempts.replaceChildren(
        textElement('li', `No se pudieron leer los intentos: ${(error as Error).message}`),
      );
    }
  }

  function attemptItem(attempt: DeliveryAttempt): HTMLLIElement {
    const li = document.createElement('li');
    li.className = 'attempt';
    if (attempt.httpStatus !== null) li.dataset.httpStatus = String(attempt.httpStatus);
    const outcome = attempt.httpStatus !== null ? `HTTP ${attempt.httpStatus}` : 'sin respuesta HTTP';
    const line = document.createElement('p');
    line.append(timeElement(attempt.at), ` · ${outcome} · ${attempt.durationMs} ms`);
    li.append(line);
    if (attempt.error) li.append(textElement('p', `Error: ${attempt.error}`, 'delivery-error'));
    const answer = attempt.response?.trim();
    if (answer) {
      const preview = document.createElement('p');
      const start =
        answer.length > responsePreviewChars ? `${answer.slice(0, responsePreviewChars)}…` : answer;
      preview.append('Respuesta: ', textElement('code', start));
      li.append(preview);
    } else if (attempt.httpStatus !== null) {
      li.append(textElement('p', 'Respuesta sin cuerpo.'));
    }
    return li;
  }

  function redeliverButton(event: NotificationEvent): HTMLButtonElement {
    const button = textElement('button', 'Reenviar');
    button.type = 'button';
    button.dataset.focusKey = `redeliver ${event.id}`;
    button.setAttribute('aria-label', `Reenviar la notificación ${eventName(event.type)}`);
    // Not disabled while it runs: a disabled button drops the focus, and the redraw that follows
    // would leave the merchant at the top of the page.
    button.addEventListener('click', async () => {
      if (redelivering.has(event.id)) return;
      redelivering.add(event.id);
      const name = eventName(event.type);
      try {
        const { event: queued } = await admin<{ event: NotificationDetail }>(
          `/events/${event.id}/redeliver`,
          'POST',
        );
        const destinations = queued.deliveries.map((delivery) => destinationName(delivery.destination));
        result.textContent = `Notificación «${name}» en cola para reenviarse a ${destinations.join(', ')}, con el mismo webhook-id (${queued.id}).`;
      } catch (error) {
        if (error instanceof Unauthorized) return fail(error);
        result.textContent =
          error instanceof AdminError && error.code === 'no_destination'
            ? `No se reenvió «${name}»: no hay ningún destino de notificaciones configurado. Define PASARELA_WEBHOOK_URL y PASARELA_WEBHOOK_SECRET (o pasa onStatusChange) y reinicia el servidor.`
            : `No se reenvió «${name}»: ${(error as Error).message}`;
      } finally {
        redelivering.delete(event.id);
      }
      await refresh().catch(fail);
    });
    return button;
  }

  return { render };
}
