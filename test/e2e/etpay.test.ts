// ETpay as a buyer in Chile goes through it: the shop, the widget, the sandbox's bank funnel,
// and back to the shop, where the widget confirms the result.
import { describe, expect, it } from 'vitest';
import { browser, buy, buyer, demo, etpayFunnel, pay, screenshot, sessionsOf } from './browser.js';

describe('ETpay', () => {
  it('approved: back on the shop the widget shows paid, fires pasarela-paid, and the merchant view agrees', async () => {
    const buyerPage = await buyer(browser());
    const { page } = buyerPage;
    await page.goto(`${demo.url}/?pais=co`);
    await screenshot(page, 'shop');
    const orderId = await buy(page, 'cl');
    await screenshot(page, 'etpay-checkout');
    await pay(page, /Transferencia bancaria/);
    await etpayFunnel(page, 'Aprobar transferencia');

    await page.waitForURL(`${demo.url}/pedido/${orderId}**`);
    await page.locator('pasarela-checkout').getByRole('heading', { name: 'Pago recibido' }).waitFor();
    await page.locator('[data-order-status="paid"]').waitFor();
    const events = await buyerPage.events();
    expect(events.filter((e) => e.type === 'pasarela-paid').map((e) => e.status)).toEqual(['paid']);
    expect(new URL(page.url()).searchParams.has('pasarela_session')).toBe(false);
    await screenshot(page, 'etpay-paid');

    const [session] = await sessionsOf(orderId);
    expect(session).toMatchObject({ provider: 'etpay', status: 'paid', amount: 8_990 });

    // The merchant view, as the merchant opens it from the link npm start prints.
    const merchant = await browser().newPage();
    await merchant.goto(`${demo.url}/comercio/#token=${demo.adminToken}`);
    const row = merchant.locator(`tr[data-order="${orderId}"]`);
    await row.locator('[data-status="paid"]').waitFor();
    expect(new URL(merchant.url()).hash).toBe('');
    await row.getByRole('button', { name: `Ver el pago del pedido ${orderId}` }).click();
    await merchant.locator('#history li', { hasText: 'Pendiente → Pagado' }).waitFor();
    await screenshot(merchant, 'merchant-etpay-paid');
    await merchant.close();

    // Coming back later, the order page is a receipt: no second payment is offered.
    await page.reload();
    await page.locator('.receipt').waitFor();
    expect(await page.locator('pasarela-checkout').count()).toBe(0);
    expect(buyerPage.errors).toEqual([]);
    await buyerPage.close();
  });

  it('rejected: the failed screen, and a retry creates a new session that can be paid', async () => {
    const buyerPage = await buyer(browser());
    const { page } = buyerPage;
    const orderId = await buy(page, 'cl', 'prensa-francesa');
    await pay(page, /Transferencia bancaria/);
    await etpayFunnel(page, 'Rechazar');

    await page.waitForURL(`${demo.url}/pedido/${orderId}**`);
    const widget = page.locator('pasarela-checkout');
    await widget.getByRole('heading', { name: 'El pago no se completó' }).waitFor();
    await page.locator('[data-order-status="failed"]').waitFor();
    expect(
      (await buyerPage.events()).some((e) => e.type === 'pasarela-failed' && e.status === 'failed'),
    ).toBe(true);
    await screenshot(page, 'etpay-failed');
    const [first] = await sessionsOf(orderId);
    expect(first?.status).toBe('failed');

    await widget.getByRole('button', { name: 'Intentar de nuevo' }).click();
    // Straight back to the funnel with a new session.
    await etpayFunnel(page, 'Aprobar transferencia');
    await page.waitForURL(`${demo.url}/pedido/${orderId}**`);
    await widget.getByRole('heading', { name: 'Pago recibido' }).waitFor();

    const sessions = await sessionsOf(orderId);
    expect(sessions).toHaveLength(2);
    expect(sessions.map((s) => s.status).sort()).toEqual(['failed', 'paid']);
    expect(new Set(sessions.map((s) => s.id)).size).toBe(2);
    expect(buyerPage.errors).toEqual([]);
    await buyerPage.close();
  });
});
