// Mounting the element against the stubbed server, and reading what the buyer sees.
import '../../../widget/index.js';
import type { PasarelaCheckout } from '../../../widget/pasarela-checkout.js';
import { FakeClock, settle } from './fake-clock.js';

export interface Mounted {
  element: PasarelaCheckout;
  clock: FakeClock;
  navigations: string[];
  /** Every pasarela-* event the element fired, in order. */
  events: Event[];
}

const eventTypes = [
  'pasarela-ready',
  'pasarela-provider-change',
  'pasarela-session',
  'pasarela-status',
  'pasarela-paid',
  'pasarela-failed',
  'pasarela-error',
  'pasarela-before-redirect',
] as const;

export async function mount(
  attributes: Record<string, string> = {},
  parent: ParentNode = document.body,
): Promise<Mounted> {
  const element = document.createElement('pasarela-checkout');
  const clock = new FakeClock();
  const navigations: string[] = [];
  const events: Event[] = [];
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.clock = clock;
  element.navigate = (url) => navigations.push(url);
  for (const type of eventTypes) element.addEventListener(type, (event) => events.push(event));
  parent.append(element);
  await element.updateComplete;
  return { element, clock, navigations, events };
}

export function $(element: HTMLElement, selector: string): HTMLElement | null {
  return element.shadowRoot!.querySelector<HTMLElement>(selector);
}

/** Whether `selector` is on screen; a boolean, so a failing assertion prints no DOM tree (chai hangs on one). */
export function shows(element: HTMLElement, selector: string): boolean {
  return $(element, selector) !== null;
}

export function $$(element: HTMLElement, selector: string): HTMLElement[] {
  return [...element.shadowRoot!.querySelectorAll<HTMLElement>(selector)];
}

export function text(element: HTMLElement, selector = '.base'): string {
  return ($(element, selector)?.textContent ?? '').replace(/[ \t\r\n]+/g, ' ').trim();
}

export function eventTypesOf(events: Event[]): string[] {
  return events.map((event) =>
    event.type === 'pasarela-status'
      ? `status:${(event as Event & { detail: { status: string } }).detail.status}`
      : event.type.replace('pasarela-', ''),
  );
}

/**
 * Waits (in real time) until `predicate` holds, settling the element between looks. The default
 * bound is generous (15 s): a loaded machine delays a test, it does not fail it.
 */
export async function until(predicate: () => boolean, what = 'condition', timeoutMs = 15_000): Promise<void> {
  const start = performance.now();
  for (;;) {
    await settle(1);
    if (predicate()) return;
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
  }
}

/** Clicks the radio of `provider` and submits the form with the pay button. */
export async function choose(element: PasarelaCheckout, provider: string): Promise<void> {
  $(element, `input[value="${provider}"]`)!.click();
  await element.updateComplete;
}

export async function pay(element: PasarelaCheckout): Promise<void> {
  $(element, '[part="pay-button"]')!.click();
  await element.updateComplete;
}
