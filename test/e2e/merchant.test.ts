// What happens after the buyer pays: a webhook that never arrives (reconciliation still finds the
// payment), and the merchant confirming delivery and refunding from the merchant view, which the
// buyer sees on the order page.
import { describe, expect, it } from 'vitest';
import {
  type AdminSession,
  admin,
  browser,
  buy,
  buyer,
  demo,
  etpayFunnel,
  pay,
  payQr,
  screenshot,
  sessionsOf,
  sim,
  tpagaQr,
} from './browser.js';

interface Notification {
  id: string;
  type: string;
}

/** A session's notification events, oldest first, as the admin API lists them. */
async function notificationsOf(sessionId: string): Promise<Notification[]> {
  const { notifications } = await admin<{ notifications: Notification[] }>(`/sessions/${sessionId}`);
  return notifications;
}

interface StatusEvent {
  source: string;
  from: string;
  to: string;
}

describe('after the payment', () => {
  it('a dropped Tpaga webhook: reconciliation still brings the session to paid', async () => {
    const buyerPage = await buyer(browser(), { locale: 'es-CO' });
    const { page } = buyerPage;
    const orderId = await tpagaQr(page);
    const widget = page.locator('pasarela-checkout');
    const [session] = await sessionsOf(orderId);
    await sim('tpaga', `/sessions/${session!.providerRef}/webhook`, { mode: 'drop' });

    // The buyer scans the code and pays in the Tpaga app: no browser comes back through the
    // return URL, and the sandbox drops the webhook; only the server's own queries can tell.
    await sim('tpaga', `/sessions/${session!.providerRef}/pay`);
    await widget.getByRole('heading', { name: 'Pago recibido' }).waitFor({ timeout: 45_000 });
    const { events } = await admin<{ events: StatusEvent[] }>(`/sessions/${session!.id}`);
    expect(events.map(({ source, from, to }) => ({ source, from, to }))).toEqual([
      { source: 'reconcile', from: 'pending', to: 'paid' },
    ]);
    await screenshot(page, 'tpaga-paid-by-reconciliation');
    expect(buyerPage.errors).toEqual([]);
    await buyerPage.close();
  });

  it('delivery and refund from the merchant view, visible on the buyer’s order page', async () => {
    const buyerPage = await buyer(browser(), { locale: 'es-CO' });
    const { page } = buyerPage;
    const orderId = await tpagaQr(page, 'prensa-francesa');
    await payQr(page);
    await page.locator('pasarela-checkout').getByRole('heading', { name: 'Pago recibido' }).waitFor();
    const [session] = await sessionsOf(orderId);

    const merchant = await browser().newPage();
    const dialogs: string[] = [];
    merchant.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await merchant.goto(`${demo.url}/comercio/#token=${demo.adminToken}`);
    await merchant.getByRole('button', { name: `Ver el pago del pedido ${orderId}` }).click();
    const detail = merchant.locator(`#detail[data-session="${session!.id}"]`);
    await detail.locator('[data-status="paid"]').first().waitFor();

    await detail.getByRole('button', { name: 'Confirmar entrega' }).click();
    await merchant.locator('#detail[data-status="delivered"]').waitFor();
    await merchant.locator(`tr[data-order="${orderId}"] [data-status="delivered"]`).waitFor();
    await page.reload();
    await page.locator('[data-order-status="delivered"]').waitFor();
    await page.getByText('Tu pedido fue entregado').waitFor();
    await screenshot(page, 'order-delivered');

    await detail.getByRole('button', { name: 'Reembolsar' }).click();
    await merchant.locator('#detail[data-status="refunded"]').waitFor();
    expect(dialogs).toHaveLength(1);
    expect(dialogs[0]).toMatch(new RegExp(`^¿Reembolsar \\$\\s99\\.900 del pedido ${orderId}\\?$`));
    await merchant.locator('#history li', { hasText: 'Entregado → Reembolsado, por panel' }).waitFor();
    await screenshot(merchant, 'merchant-refunded');
    await merchant.close();

    await page.reload();
    await page.locator('[data-order-status="refunded"]').waitFor();
    await page.getByText('Te devolvimos el pago').waitFor();
    await screenshot(page, 'order-refunded');
    // The widget, following the session from the address, says the same.
    await page.goto(`${demo.url}/pedido/${orderId}?pasarela_session=${session!.id}`);
    await page
      .locator('pasarela-checkout')
      .getByRole('heading', { name: 'El pago fue reembolsado' })
      .waitFor();
    expect((await sessionsOf(orderId)).map((s) => s.status)).toEqual(['refunded']);
    expect(buyerPage.errors).toEqual([]);
    await buyerPage.close();
  });

  it('the merchant view asks for the token, refuses a wrong one, and cancels a pending Tpaga link the buyer sees end', async () => {
    const buyerPage = await buyer(browser(), { locale: 'es-CO' });
    const { page } = buyerPage;
    const orderId = await tpagaQr(page, 'taza-greda');
    const widget = page.locator('pasarela-checkout');

    const merchant = await browser().newPage();
    merchant.on('dialog', (dialog) => void dialog.accept());
    await merchant.goto(`${demo.url}/comercio/`);
    const token = merchant.getByLabel('Token');
    await token.fill('not-the-admin-token-at-all');
    await merchant.getByRole('button', { name: 'Entrar' }).click();
    await merchant.getByText('El token no es válido.').waitFor();
    await token.fill(demo.adminToken);
    await merchant.getByRole('button', { name: 'Entrar' }).click();
    await merchant.getByRole('button', { name: `Ver el pago del pedido ${orderId}` }).click();
    await merchant.locator('#detail[data-status="pending"]').waitFor();
    await merchant.locator('#detail').getByRole('button', { name: 'Cancelar el cobro' }).click();
    await merchant.locator('#detail[data-status="cancelled"]').waitFor();
    await merchant.close();

    // The buyer's page learns it live.
    await widget.getByRole('heading', { name: 'El pago fue cancelado' }).waitFor();
    await page.locator('[data-order-status="cancelled"]').waitFor();
    await screenshot(page, 'tpaga-cancelled');
    expect(buyerPage.errors).toEqual([]);
    await buyerPage.close();
  });
});

describe('notifications and deliveries to confirm in the merchant view', () => {
  it('a paid Tpaga session waits for its delivery, its paid notification reached the shop and goes again on "Reenviar", and confirming the delivery clears it', async () => {
    const buyerPage = await buyer(browser(), { locale: 'es-CO' });
    const { page } = buyerPage;
    const orderId = await tpagaQr(page, 'prensa-francesa');
    await payQr(page);
    await page.locator('pasarela-checkout').getByRole('heading', { name: 'Pago recibido' }).waitFor();
    const [session] = await sessionsOf(orderId);

    const merchant = await buyer(browser(), { locale: 'es-CO' });
    const view = merchant.page;
    await view.goto(`${demo.url}/comercio/#token=${demo.adminToken}`);
    const waiting = view.getByRole('region', { name: /^Esperando entrega/ });
    await waiting
      .getByText('Tpaga reembolsa al comprador los pagos cuya entrega nunca se confirma')
      .waitFor();
    const entry = waiting.locator(`li[data-session="${session!.id}"]`);
    await entry.locator('time.age', { hasText: /^hace (menos de 1 min|\d+ min)$/ }).waitFor();
    expect(await entry.textContent()).toMatch(
      new RegExp(
        `^Pedido ${orderId} \\$\\s${session!.amount.toLocaleString('es-CO').replace('.', '\\.')} pagado hace`,
      ),
    );
    await screenshot(view, 'merchant-awaiting-delivery');

    await entry.getByRole('button', { name: `Abrir el pago del pedido ${orderId}` }).click();
    const detail = view.locator(`#detail[data-session="${session!.id}"][data-status="paid"]`);
    await detail.waitFor();
    expect(await view.evaluate(() => document.activeElement?.id)).toBe('detail-title');
    const paidEvent = detail.locator('li.notification[data-type="session.paid"]');
    await paidEvent.getByRole('heading', { name: 'Pagado' }).waitFor();
    const shopWebhook = `${demo.url}/tienda/webhooks/pasarela`;
    const delivery = paidEvent.locator(`li.delivery[data-destination="${shopWebhook}"]`);
    await paidEvent
      .locator(`li.delivery[data-destination="${shopWebhook}"][data-state="delivered"][data-attempts="1"]`)
      .waitFor();
    await delivery.getByText(shopWebhook, { exact: true }).waitFor();
    await delivery.getByText('Entregada', { exact: true }).waitFor();
    await delivery.getByText(/^1 intento · entregada el /).waitFor();

    // Its attempt, as the shop answered it.
    await delivery.getByText('Ver el intento').click();
    const attempts = delivery.locator('li.attempt');
    await attempts.first().waitFor();
    expect(await attempts.count()).toBe(1);
    expect(await attempts.first().textContent()).toMatch(/ · HTTP 204 · \d+ msRespuesta sin cuerpo\.$/);

    // "Reenviar": queued again with the same webhook-id, tried again, delivered again.
    const [paidNotification] = await notificationsOf(session!.id);
    await paidEvent.getByRole('button', { name: 'Reenviar la notificación Pagado' }).click();
    await view
      .getByRole('status')
      .filter({ hasText: `Notificación «Pagado» en cola para reenviarse a ${shopWebhook}` })
      .waitFor();
    await paidEvent.locator('li.delivery[data-state="delivered"][data-attempts="2"]').waitFor();
    // The attempts stay open across the redraw and show the new one.
    await expect.poll(() => delivery.locator('li.attempt[data-http-status="204"]').count()).toBe(2);
    const [again] = await notificationsOf(session!.id);
    expect(again!.id).toBe(paidNotification!.id);
    await screenshot(view, 'merchant-notification-redelivered');

    // Confirming the delivery takes the session off the list, and is itself notified.
    await detail.getByRole('button', { name: 'Confirmar entrega' }).click();
    await view.locator(`#detail[data-session="${session!.id}"][data-status="delivered"]`).waitFor();
    await entry.waitFor({ state: 'detached' });
    await view
      .locator('li.notification[data-type="session.delivered"]')
      .locator(`li.delivery[data-destination="${shopWebhook}"][data-state="delivered"]`)
      .waitFor();
    const { sessions: stillWaiting } = await admin<{ sessions: AdminSession[] }>(
      '/sessions?awaiting_delivery=true&limit=500',
    );
    expect(stillWaiting.map((s) => s.id)).not.toContain(session!.id);
    expect(merchant.errors).toEqual([]);
    expect(buyerPage.errors).toEqual([]);
    await merchant.close();
    await buyerPage.close();
  });
});

describe('one order paid twice', () => {
  it('two tabs both transfer with ETpay: the second payment is kept and shown as a duplicate to refund', async () => {
    const first = await buyer(browser(), { locale: 'es-CL' });
    const orderId = await buy(first.page, 'cl');
    const second = await buyer(browser(), { locale: 'es-CL' });
    await second.page.goto(first.page.url());
    // Both tabs reach ETpay's funnel before either pays (an ETpay session cannot be cancelled).
    await pay(first.page, /Transferencia bancaria/);
    await first.page.waitForURL(/\/sandbox\/etpay\/pmt\/session\//);
    await pay(second.page, /Transferencia bancaria/);
    await etpayFunnel(first.page, 'Aprobar transferencia');
    await first.page.locator('[data-order-status="paid"]').waitFor();
    await etpayFunnel(second.page, 'Aprobar transferencia');
    await second.page.waitForURL(/\/pedido\//);

    const sessions = await sessionsOf(orderId);
    expect(sessions.map((s) => s.status)).toEqual(['paid', 'paid']);
    const { sessions: duplicates } = await admin<{ sessions: AdminSession[] }>('/sessions?duplicate=true');
    const duplicate = duplicates.find((s) => s.orderId === orderId);
    expect(duplicate).toBeDefined();

    const merchant = await browser().newPage();
    await merchant.goto(`${demo.url}/comercio/#token=${demo.adminToken}`);
    await merchant.locator('#status-filter').selectOption('duplicate');
    const row = merchant.locator(`tr[data-session="${duplicate!.id}"]`);
    await row.getByText('Pago duplicado: reembolsar').waitFor();
    await screenshot(merchant, 'merchant-duplicate');
    await merchant.close();
    expect(first.errors).toEqual([]);
    await first.close();
    await second.close();
  });
});
