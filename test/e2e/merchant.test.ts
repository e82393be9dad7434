// What happens after the buyer pays: a webhook that never arrives (reconciliation still finds the
// payment), and the merchant confirming delivery and refunding from the merchant view, which the
// buyer sees on the order page.
import type { Page } from 'playwright-core';
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
  screenshot,
  sessionsOf,
  sim,
  tpagaQr,
} from './browser.js';

/** Pays the QR code the widget shows, from the wallet page in a second page. */
async function payQr(page: Page): Promise<void> {
  const widget = page.locator('pasarela-checkout');
  const link = await widget.getByRole('link', { name: 'Abrir en este dispositivo' }).getAttribute('href');
  const wallet = await page.context().newPage();
  await wallet.goto(link!);
  await wallet.getByRole('button', { name: 'Pagar' }).click();
  await wallet.getByText('Pago recibido').first().waitFor();
  await wallet.close();
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
