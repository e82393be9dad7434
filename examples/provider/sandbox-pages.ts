/**
 * The buyer's pages of the Pago Simple sandbox, built with `html` and `page` from
 * `pasarela/sandbox` (escaped, in Spanish like the built-in sandboxes' pages). A provider author
 * imitates the real provider's page just enough for a buyer (or a test) to pay or refuse.
 */
import { formatPesos, html, page } from '../../server/sandbox/index.js';

/** A payment as the sandbox keeps it (plain JSON, so `snapshot` can save it). */
export interface SandboxPayment {
  id: string;
  reference: string;
  amount: number;
  currency: string;
  status: 'pending' | 'paid' | 'failed' | 'expired';
  returnUrl: string;
  notifyUrl: string;
  /** Epoch milliseconds. */
  createdAt: number;
  expiresAt: number;
}

const statusLabels: Record<SandboxPayment['status'], string> = {
  pending: 'pendiente',
  paid: 'pagado',
  failed: 'rechazado',
  expired: 'vencido',
};

/** A pending payment: the two buttons post `action` back to the same URL. */
export function payPage(payment: SandboxPayment) {
  return page(
    'Pago Simple: pagar',
    html`<main>
      <h1>Pago Simple</h1>
      <dl>
        <dt>Referencia</dt><dd data-reference>${payment.reference}</dd>
        <dt>Total</dt><dd data-amount>${formatPesos(payment.amount)}</dd>
      </dl>
      <form method="post">
        <button name="action" value="approve" data-action="approve">Pagar</button>
        <button name="action" value="reject" data-action="reject">Rechazar</button>
      </form>
    </main>`,
  );
}

/** A payment that can no longer be decided, named by its status. */
export function statusPage(payment: SandboxPayment) {
  return page(
    'Pago Simple: pago',
    html`<main>
      <h1>Pago Simple</h1>
      <p>Este pago está ${statusLabels[payment.status]}.</p>
      <p>Estado: <code data-status="${payment.status}">${payment.status}</code></p>
    </main>`,
  );
}

export function notFoundPage() {
  return page(
    'Pago Simple: no encontrado',
    html`<main>
      <h1>Pago no encontrado</h1>
      <p>El enlace no corresponde a ningún pago.</p>
    </main>`,
  );
}
