// The npm path: the Vite-built page that imports the element from the package build and shows
// its own order confirmation on `pasarela-paid`.
import { describe, expect, it } from 'vitest';
import { browser, buyer, demo, etpayFunnel, pay, screenshot, sessionsOf } from './browser.js';

describe('the npm demo page', () => {
  it('buys with the imported element and confirms the order on pasarela-paid', async () => {
    const buyerPage = await buyer(browser(), { locale: 'es-CO' });
    const { page } = buyerPage;
    await page.goto(`${demo.url}/spa/`);
    await page.locator('[data-product="taza-greda"]').getByRole('button', { name: 'Comprar' }).click();
    const heading = await page.getByRole('heading', { level: 1, name: /^Pedido PD-/ }).textContent();
    const orderId = heading!.replace('Pedido ', '');
    await pay(page, /Billetera Tpaga/);
    const widget = page.locator('pasarela-checkout');
    const link = await widget.getByRole('link', { name: 'Abrir en este dispositivo' }).getAttribute('href');
    const wallet = await page.context().newPage();
    await wallet.goto(link!);
    await wallet.getByRole('button', { name: 'Pagar' }).click();

    const confirmation = page.locator(`[data-order-confirmed="${orderId}"]`);
    await confirmation.waitFor();
    expect(await confirmation.textContent()).toContain('27.000');
    await screenshot(page, 'npm-page-confirmed');
    const [session] = await sessionsOf(orderId);
    expect(session).toMatchObject({ provider: 'tpaga', status: 'paid', amount: 27_000 });
    expect(buyerPage.errors).toEqual([]);
    await buyerPage.close();
  });

  it('comes back from ETpay to the npm page, which resumes the session and confirms the order', async () => {
    const buyerPage = await buyer(browser());
    const { page } = buyerPage;
    await page.goto(`${demo.url}/spa/?pais=cl`);
    await page.locator('[data-product="cafe-huila"]').getByRole('button', { name: 'Comprar' }).click();
    const heading = await page.getByRole('heading', { level: 1, name: /^Pedido PD-/ }).textContent();
    const orderId = heading!.replace('Pedido ', '');
    await pay(page, /Transferencia bancaria/);
    await etpayFunnel(page, 'Aprobar transferencia');

    await page.waitForURL(`${demo.url}/spa/?pedido=${orderId}**`);
    const confirmation = page.locator(`[data-order-confirmed="${orderId}"]`);
    await confirmation.waitFor();
    expect(await confirmation.textContent()).toContain('8.990');
    expect(buyerPage.errors).toEqual([]);
    await buyerPage.close();
  });
});
