// The demo's own pages pass axe (WCAG 2.2 A/AA and best practices), in light and dark, on a
// desktop and a phone: the shop, an order page with the widget, the npm page and the merchant view
// (with a payment waiting for its delivery, and a notification's attempts open).
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browser, buy, demo, payQr, tpagaQr } from './browser.js';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const results = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
    });
    return results.violations.map(
      (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    );
  });
}

describe('accessibility of the demo pages', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const viewport of [
      { width: 1200, height: 900 },
      { width: 390, height: 844 },
    ]) {
      it(`has no axe violations (${colorScheme}, ${viewport.width} px)`, async () => {
        // axe is injected as an inline script, which the pages' CSP would (rightly) block.
        const context = await browser().newContext({
          colorScheme,
          viewport,
          bypassCSP: true,
          locale: 'es-CL',
        });
        const page = await context.newPage();
        const found: Record<string, string[]> = {};
        await page.goto(`${demo.url}/?pais=cl`);
        found.shop = await violations(page);
        await buy(page, 'cl');
        await page
          .locator('pasarela-checkout')
          .getByRole('button', { name: /^Pagar/ })
          .waitFor();
        found.order = await violations(page);
        const paidOrder = await tpagaQr(page);
        found.qr = await violations(page);
        // Paid and never delivered: it waits in the merchant view's "Esperando entrega".
        await payQr(page);
        await page.locator('pasarela-checkout').getByRole('heading', { name: 'Pago recibido' }).waitFor();
        await page.goto(`${demo.url}/spa/`);
        await page.locator('[data-product]').first().waitFor();
        found.spa = await violations(page);
        await page.goto(`${demo.url}/comercio/`);
        await page.getByLabel('Token').waitFor();
        found.signIn = await violations(page);
        await page.goto(`${demo.url}/comercio/#token=${demo.adminToken}`);
        await page.locator('tr[data-session] button').first().click();
        await page.locator('#history li').first().waitFor();
        found.merchant = await violations(page);
        // The waiting delivery opened from its panel, with its notification's attempts shown.
        await page.getByRole('button', { name: `Abrir el pago del pedido ${paidOrder}` }).click();
        await page.locator('li.notification[data-type="session.paid"] summary').first().click();
        await page.locator('li.attempt').first().waitFor();
        found.notifications = await violations(page);
        await context.close();
        expect(found).toEqual({
          shop: [],
          order: [],
          qr: [],
          spa: [],
          signIn: [],
          merchant: [],
          notifications: [],
        });
      });
    }
  }
});
