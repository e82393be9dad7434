import { formatPesos, html, page } from '../shared/html.js';
import { formatBogotaTime } from './format.js';
import { isJsonObject, member } from './json.js';
import { type PaymentRequest, PaymentRequestStatus } from './payment-request.js';

const statusLabels: Record<PaymentRequestStatus, string> = {
  created: 'pendiente de pago',
  paid: 'pagada',
  delivered: 'pagada y entregada',
  failed: 'rechazada',
  expired: 'vencida',
  cancelled: 'cancelada por el comercio',
  reverted: 'reembolsada',
};

/** The payment widget Billetera Tpaga shows for a `created` request; the form posts back here. */
export function paymentPage(pr: PaymentRequest, slug: string) {
  const items = itemNames(pr);
  return page(
    'Billetera Tpaga: pagar',
    html`<main>
      <h1>Billetera Tpaga</h1>
      <p>Pago a <strong data-merchant>${slug}</strong></p>
      <dl>
        <dt>Compra</dt><dd data-description>${pr.purchaseDescription}</dd>
        <dt>Total</dt><dd data-cost>${formatPesos(Number(pr.cost))}</dd>
        <dt>Vence</dt><dd data-expires>${formatBogotaTime(pr.expiresAt)} (hora de Colombia)</dd>
      </dl>
      ${items.length > 0 ? html`<ul data-items>${items.map((name) => html`<li>${name}</li>`)}</ul>` : ''}
      <form method="post">
        <button name="action" value="approve" data-action="approve">Pagar</button>
        <button name="action" value="reject" data-action="reject">Rechazar</button>
      </form>
    </main>`,
  );
}

/** A request that can no longer be paid, named by its status. */
export function statusPage(pr: PaymentRequest) {
  return page(
    'Billetera Tpaga: solicitud de pago',
    html`<main>
      <h1>Billetera Tpaga</h1>
      <p>Esta solicitud de pago está ${statusLabels[pr.status]}.</p>
      <p>Estado: <code data-status="${pr.status}">${pr.status}</code></p>
    </main>`,
  );
}

/** After the decision, for merchants that take webhooks only (no redirect). */
export function decisionPage(pr: PaymentRequest) {
  const paid = pr.status !== PaymentRequestStatus.failed;
  return page(
    paid ? 'Pago recibido' : 'Pago rechazado',
    html`<main>
      <h1>${paid ? 'Pago recibido' : 'Pago rechazado'}</h1>
      <p>${paid ? 'El comercio recibirá la confirmación de tu pago.' : 'No se hizo ningún cobro.'}</p>
      <p>Estado: <code data-status="${pr.status}">${pr.status}</code></p>
    </main>`,
  );
}

export function notFoundPage() {
  return page(
    'Billetera Tpaga: no encontrada',
    html`<main>
      <h1>Solicitud de pago no encontrada</h1>
      <p>El enlace no corresponde a ninguna solicitud de pago.</p>
    </main>`,
  );
}

export function badActionPage() {
  return page(
    'Billetera Tpaga: acción desconocida',
    html`<main>
      <h1>Acción desconocida</h1>
      <p>Elige <strong>Pagar</strong> o <strong>Rechazar</strong>.</p>
    </main>`,
  );
}

/** `name` of each item when `purchase_items` has the documented `[{"name": …}]` shape. */
function itemNames(pr: PaymentRequest): string[] {
  if (!Array.isArray(pr.purchaseItems)) return [];
  return pr.purchaseItems.flatMap((item) => {
    const name = isJsonObject(item) ? member(item, 'name') : undefined;
    return typeof name === 'string' ? [name] : [];
  });
}
