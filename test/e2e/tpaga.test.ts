// Tpaga as a buyer in Colombia goes through it: a QR code on a desktop (paid on a "phone", here
// a second page), the payment link opened from the click on a phone, and a link left unpaid.
import { devices } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browser, buy, buyer, demo, pay, screenshot, sessionsOf, sim, tpagaQr } from './browser.js';

describe('Tpaga', () => {
  it('on a desktop: the QR code, the wallet in a second page, and paid without a reload', async () => {
    const buyerPage = await buyer(browser(), { locale: 'es-CO' });
    const { page } = buyerPage;
    const orderId = await buy(page, 'co');
    await pay(page, /Billetera Tpaga/);
    const widget = page.locator('pasarela-checkout');
    const qr = widget.getByRole('img', { name: /Código QR/ });
    await qr.waitFor();
    // The QR code is an SVG drawn by the server; it loads and has a size.
    expect(
      await qr.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth)),
    ).toBeGreaterThan(0);
    await widget.getByText(/El código expira en/).waitFor();
    await screenshot(page, 'tpaga-qr');

    // The buyer scans the code: the wallet page opens elsewhere (here, a second page).
    const link = await widget.getByRole('link', { name: 'Abrir en este dispositivo' }).getAttribute('href');
    expect(link).toMatch(new RegExp(`^${demo.url}/sandbox/tpaga/w/`));
    await page.evaluate(() => {
      (window as Window & { sameDocument?: boolean }).sameDocument = true;
    });
    const wallet = await page.context().newPage();
    await wallet.goto(link!);
    await screenshot(wallet, 'tpaga-wallet');
    const paidAt = Date.now();
    await wallet.getByRole('button', { name: 'Pagar' }).click();
    await widget.getByRole('heading', { name: 'Pago recibido' }).waitFor();
    const elapsed = Date.now() - paidAt;
    console.log(`Tpaga desktop: wallet "Pagar" → widget paid in ${elapsed} ms (no reload)`);

    expect(await page.evaluate(() => (window as Window & { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );
    await page.locator('[data-order-status="paid"]').waitFor();
    expect((await buyerPage.events()).filter((e) => e.type === 'pasarela-paid')).toHaveLength(1);
    expect((await sessionsOf(orderId))[0]?.status).toBe('paid');
    await screenshot(page, 'tpaga-paid');
    expect(buyerPage.errors).toEqual([]);
    await buyerPage.close();
  });

  it('on a phone: the pay click opens the payment link, and this page follows the payment', async () => {
    const buyerPage = await buyer(browser(), { ...devices['Pixel 7'], locale: 'es-CO' });
    const { page } = buyerPage;
    await buy(page, 'co', 'taza-greda');
    const popup = page.waitForEvent('popup');
    await pay(page, /Billetera Tpaga/);
    const wallet = await popup;
    await wallet.waitForURL(new RegExp(`^${demo.url}/sandbox/tpaga/w/`));
    const widget = page.locator('pasarela-checkout');
    expect(await widget.getByRole('img', { name: /Código QR/ }).count()).toBe(0);
    await screenshot(wallet, 'tpaga-phone-wallet');

    await wallet.getByRole('button', { name: 'Pagar' }).click();
    await widget.getByRole('heading', { name: 'Pago recibido' }).waitFor();
    await screenshot(page, 'tpaga-phone-paid');
    expect(buyerPage.errors).toEqual([]);
    await buyerPage.close();
  });

  it('a link left unpaid ends expired, in the widget and in the API', async () => {
    const buyerPage = await buyer(browser(), { locale: 'es-CO' });
    const { page } = buyerPage;
    const orderId = await tpagaQr(page, 'cafe-narino');
    const widget = page.locator('pasarela-checkout');

    // The sandbox moves the link past its lifetime; nobody pays, and no webhook comes: the
    // server's reconciliation finds out from Tpaga.
    const [session] = await sessionsOf(orderId);
    await sim('tpaga', `/sessions/${session!.providerRef}/expire`);
    await widget.getByRole('heading', { name: 'El tiempo para pagar terminó' }).waitFor({ timeout: 45_000 });
    await page.locator('[data-order-status="expired"]').waitFor();
    await screenshot(page, 'tpaga-expired');

    const response = await fetch(`${demo.url}/api/sessions/${session!.id}`);
    expect(((await response.json()) as { status: string }).status).toBe('expired');
    expect(
      (await buyerPage.events()).some((e) => e.type === 'pasarela-failed' && e.status === 'expired'),
    ).toBe(true);
    expect(buyerPage.errors).toEqual([]);
    await buyerPage.close();
  });

  it('another order’s paid session in the address of an expensive order: that order stays unpaid', async () => {
    const buyerPage = await buyer(browser(), { locale: 'es-CO' });
    const { page } = buyerPage;
    const cheap = await tpagaQr(page);
    const [paid] = await sessionsOf(cheap);
    await sim('tpaga', `/sessions/${paid!.providerRef}/pay`);
    await page.locator('[data-order-status="paid"]').waitFor();

    const expensive = await buy(page, 'co', 'prensa-francesa');
    await page.goto(`${demo.url}/pedido/${expensive}?pasarela_session=${paid!.id}`);
    const widget = page.locator('pasarela-checkout');
    // The widget ignores the session of the other order and offers this one for payment.
    await widget.getByRole('button', { name: /^Pagar/ }).waitFor();
    expect(await widget.getByRole('heading', { name: 'Pago recibido' }).count()).toBe(0);
    expect(await page.locator('[data-order-status="paid"]').count()).toBe(0);
    const events = await buyerPage.events();
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'pasarela-error', code: 'session_mismatch' }),
    );
    expect(events.filter((e) => e.type === 'pasarela-paid').map((e) => e.session)).toEqual([paid!.id]);
    await screenshot(page, 'tpaga-other-order-session-ignored');
    await buyerPage.close();
  });
});
