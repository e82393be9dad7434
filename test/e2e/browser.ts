// What every end-to-end suite shares: Debian's Chromium driven by playwright-core (never a
// downloaded browser), buyer pages that record the widget's events and any console error, the
// admin API and the sandboxes' control API, and screenshots saved as artefacts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { chromiumArgs, findChromium } from '../../scripts/chromium.mjs';

export const demo = inject('demo');
export const artifactsDir = fileURLToPath(new URL('../../artifacts/e2e', import.meta.url));

let shared: Browser | undefined;
// One browser per test file, for every file that imports this module.
beforeAll(async () => {
  shared = await launch();
});
afterAll(() => shared?.close());

/** The file's browser (launched before its first test). */
export function browser(): Browser {
  if (!shared) throw new Error('The browser is launched in beforeAll: call browser() inside a test.');
  return shared;
}

async function launch(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath)
    throw new Error('Chromium not found: apt-get install -y chromium, or set CHROME_PATH.');
  return chromium.launch({
    executablePath,
    headless: true,
    args: chromiumArgs.filter((arg) => !arg.startsWith('--headless')),
  });
}

export interface BuyerPage {
  page: Page;
  /** Each `pasarela-*` event the page saw, in order, across navigations. */
  events(): Promise<{ type: string; status?: string; session?: string; code?: string }[]>;
  /** Console errors and uncaught exceptions (a CSP violation shows up here). */
  errors: string[];
  close(): Promise<void>;
}

export async function buyer(browser: Browser, options: BrowserContextOptions = {}): Promise<BuyerPage> {
  const context = await browser.newContext({
    locale: 'es-CL',
    viewport: { width: 1200, height: 900 },
    ...options,
  });
  await context.addInitScript(() => {
    const log = JSON.parse(sessionStorage.getItem('__pasarelaEvents') ?? '[]');
    for (const type of [
      'pasarela-ready',
      'pasarela-session',
      'pasarela-status',
      'pasarela-paid',
      'pasarela-failed',
      'pasarela-error',
    ]) {
      document.addEventListener(type, (event) => {
        const detail = (event as CustomEvent).detail ?? {};
        log.push({ type, status: detail.session?.status, session: detail.session?.id, code: detail.code });
        sessionStorage.setItem('__pasarelaEvents', JSON.stringify(log));
      });
    }
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  return {
    page,
    errors,
    events: () => page.evaluate(() => JSON.parse(sessionStorage.getItem('__pasarelaEvents') ?? '[]')),
    close: () => context.close(),
  };
}

/** From the shop: pick the country, press "Comprar" on a product; lands on the order page. */
export async function buy(page: Page, country: 'cl' | 'co', product = 'cafe-huila'): Promise<string> {
  await page.goto(`${demo.url}/?pais=${country}`);
  await page.locator(`[data-product="${product}"]`).getByRole('button', { name: 'Comprar' }).click();
  await page.waitForURL(/\/pedido\/PD-/);
  return new URL(page.url()).pathname.split('/').pop()!;
}

/** The widget's pay button, once the picker is up (the provider chosen by its label). */
export async function pay(page: Page, provider: RegExp): Promise<void> {
  const widget = page.locator('pasarela-checkout');
  await widget.getByRole('radio', { name: provider }).check();
  await widget.getByRole('button', { name: /^Pagar/ }).click();
}

/** Buys in Colombia and chooses Tpaga on a desktop, until the widget shows the QR code. */
export async function tpagaQr(page: Page, product = 'cafe-huila'): Promise<string> {
  const orderId = await buy(page, 'co', product);
  await pay(page, /Billetera Tpaga/);
  await page
    .locator('pasarela-checkout')
    .getByRole('img', { name: /Código QR/ })
    .waitFor();
  return orderId;
}

/** Pays the QR code the widget shows, from the wallet page in a second page of the same context. */
export async function payQr(page: Page): Promise<void> {
  const widget = page.locator('pasarela-checkout');
  const link = await widget.getByRole('link', { name: 'Abrir en este dispositivo' }).getAttribute('href');
  const wallet = await page.context().newPage();
  await wallet.goto(link!);
  await wallet.getByRole('button', { name: 'Pagar' }).click();
  await wallet.getByText('Pago recibido').first().waitFor();
  await wallet.close();
}

/** In the ETpay sandbox's funnel: the test bank, then approve or reject. */
export async function etpayFunnel(page: Page, action: 'Aprobar transferencia' | 'Rechazar'): Promise<void> {
  await page.waitForURL(/\/sandbox\/etpay\/pmt\/session\//);
  await page.getByLabel('Banco Prueba').check();
  await page.getByRole('button', { name: 'Continuar' }).click();
  await page.getByRole('button', { name: action }).click();
}

export async function admin<T = unknown>(path: string, method = 'GET'): Promise<T> {
  const response = await fetch(`${demo.url}/api/admin${path}`, {
    method,
    headers: { Authorization: `Bearer ${demo.adminToken}` },
  });
  expect(response.status, `${method} /api/admin${path}`).toBeLessThan(300);
  return (await response.json()) as T;
}

export interface AdminSession {
  id: string;
  provider: string;
  status: string;
  orderId: string;
  amount: number;
  providerRef: string;
}

/** The one session the shop created for an order (the latest when there were retries). */
export async function sessionsOf(orderId: string): Promise<AdminSession[]> {
  const { sessions } = await admin<{ sessions: AdminSession[] }>('/sessions?limit=500');
  return sessions.filter((s) => s.orderId === orderId);
}

export async function sim(provider: 'etpay' | 'tpaga', path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${demo.url}/sandbox/${provider}/_sim${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  expect(response.status, `_sim${path}`).toBeLessThan(300);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}
