// Stored Tpaga sessions for the benches that read them (deployed, profile-deployed, streams):
// pending wallet payments with a QR code, as the widget polls or follows them.
import { newSessionId } from '../server/app.js';
import { newPaymentSession, type PaymentSession } from '../server/core/session.js';

/**
 * `count` pending Tpaga sessions, order ids `<prefix>-<n>`, amounts 10,000 + n pesos; past their
 * expiry unless `expires: false` (sessions with no expiry at all).
 */
export function benchSessions(count: number, prefix: string, { expires = true } = {}): PaymentSession[] {
  const now = new Date().toISOString();
  return Array.from({ length: count }, (_, i) =>
    newPaymentSession({
      id: newSessionId(),
      provider: 'tpaga',
      amount: 10_000 + i,
      currency: 'COP',
      orderId: `${prefix}-${i}`,
      description: 'Café de grano 500 g',
      items: [{ name: 'Café de grano 500 g', quantity: 1, amount: 10_000 + i }],
      createdAt: now,
      expiresAt: expires ? now : null,
      action: {
        type: 'wallet',
        url: `https://w.tpaga.example/${'x'.repeat(48)}`,
        qr: '/api/sessions/x/qr.svg',
      },
      providerRef: `pr-${i}`,
      providerStatus: 'created',
    }),
  );
}
