import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import { expect } from 'chai';
import type { Session } from '../../widget/types.js';
import { axeViolations } from './helpers/axe.js';
import { $, type Mounted, mount, pay, text, until } from './helpers/fixture.js';
import { config, errorResponse, FakeEventSource, json, StubServer, session } from './helpers/stub-server.js';

function focused(element: HTMLElement): Element | null {
  return element.shadowRoot!.activeElement;
}

describe('<pasarela-checkout> accessibility', () => {
  let server: StubServer;
  let mounted: Mounted | undefined;
  let created: Session[];

  beforeEach(() => {
    created = [];
    server = new StubServer()
      .install()
      .on('GET', '/api/config', () => json(config()))
      .on('POST', '/api/sessions', (request) => {
        const next = session({
          provider: (request.body as { provider: 'etpay' | 'tpaga' }).provider,
          expiresAt: '2030-01-01T00:30:00.000Z',
        });
        created.push(next);
        return json(next, 201);
      });
  });
  afterEach(async () => {
    mounted?.element.remove();
    mounted = undefined;
    server.restore();
    await emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
  });

  it('pays by keyboard alone: radios with arrow keys, Tab to pay, Enter', async () => {
    mounted = await mount({ 'order-id': '348820', locale: 'en' });
    await until(() => $(mounted!.element, 'input') !== null, 'the picker');
    await sendKeys({ press: 'Tab' });
    expect((focused(mounted.element) as HTMLInputElement).value).to.equal('etpay');
    await sendKeys({ press: 'ArrowDown' });
    expect((focused(mounted.element) as HTMLInputElement).value).to.equal('tpaga');
    expect(($(mounted.element, 'input:checked') as HTMLInputElement).value).to.equal('tpaga');
    await sendKeys({ press: 'Tab' });
    expect(focused(mounted.element)?.getAttribute('part')).to.equal('pay-button');
    await sendKeys({ press: 'Enter' });
    await until(() => $(mounted!.element, '[part="qr"]') !== null, 'the wallet screen');
    await mounted.element.updateComplete;
    // Focus moves to the new screen's heading, and Tab continues inside it.
    expect(focused(mounted.element)?.tagName).to.equal('H2');
    await sendKeys({ press: 'Tab' });
    expect(focused(mounted.element)?.textContent?.trim()).to.equal('Open on this device');
    await sendKeys({ press: 'Tab' });
    expect(focused(mounted.element)?.textContent?.trim()).to.equal('Copy link');
    FakeEventSource.latest!.status({ ...created[0]!, status: 'failed' });
    await until(() => text(mounted!.element, 'h2') === 'The payment did not go through', 'the failed screen');
    expect(focused(mounted.element)?.tagName).to.equal('H2');
    await sendKeys({ press: 'Tab' });
    expect(focused(mounted.element)?.textContent?.trim()).to.equal('Try again');
    await sendKeys({ press: 'Enter' });
    await until(() => created.length === 2, 'a second session');
  });

  it('shows a visible focus ring on the focused radio’s label and on buttons', async () => {
    mounted = await mount({ 'order-id': '348820', locale: 'en' });
    await until(() => $(mounted!.element, 'input') !== null, 'the picker');
    await sendKeys({ press: 'Tab' });
    const label = $(mounted.element, '[part="provider"]')!;
    expect(getComputedStyle(label).outlineStyle).to.equal('solid');
    await sendKeys({ press: 'Tab' });
    expect(getComputedStyle($(mounted.element, '[part="pay-button"]')!).outlineStyle).to.equal('solid');
  });

  it('announces status changes in a polite live region', async () => {
    mounted = await mount({ 'order-id': '348820', locale: 'en', providers: 'etpay' });
    const live = $(mounted.element, '[role="status"]')!;
    expect(live.getAttribute('aria-live')).to.equal('polite');
    await until(() => $(mounted!.element, 'input:checked') !== null, 'the picker');
    expect(live.textContent).to.equal('');
    await pay(mounted.element);
    await until(() => live.textContent === 'Waiting for the payment to be confirmed…', 'waiting');
    FakeEventSource.latest!.status({ ...created[0]!, status: 'paid' });
    await until(() => live.textContent === 'Payment received', 'the paid announcement');
    expect($(mounted.element, '[role="status"]')).to.equal(live);
  });

  it('does not take the focus from the page on the first screen', async () => {
    const before = document.createElement('button');
    document.body.append(before);
    before.focus();
    mounted = await mount({ 'order-id': '348820', locale: 'en' });
    await until(() => $(mounted!.element, 'input') !== null, 'the picker');
    expect(document.activeElement).to.equal(before);
    before.remove();
  });

  it('stops the spinner for buyers who prefer reduced motion', async () => {
    server.on('GET', '/api/config', () => new Promise(() => {}));
    mounted = await mount({ 'order-id': '348820' });
    const spinner = $(mounted.element, '.spinner')!;
    expect(getComputedStyle(spinner).animationName).to.equal('spin');
    await emulateMedia({ reducedMotion: 'reduce' });
    expect(getComputedStyle(spinner).animationName).to.equal('none');
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`has no axe violations in any state (${scheme})`, async () => {
      await emulateMedia({ colorScheme: scheme });
      const check = async (state: string) => {
        await mounted!.element.updateComplete;
        expect(await axeViolations(mounted!.element), state).to.deep.equal([]);
      };
      let answer!: (response: Response) => void;
      server.on('GET', '/api/config', () => new Promise((resolve) => (answer = resolve)));
      mounted = await mount({ 'order-id': '348820', locale: 'es-CL' });
      await check('loading');
      answer(json(config()));
      await until(() => $(mounted!.element, 'input') !== null, 'the picker');
      await check('picker');
      $(mounted.element, 'input[value="tpaga"]')!.click();
      let create!: (response: Response) => void;
      server.on('POST', '/api/sessions', () => new Promise((resolve) => (create = resolve)));
      await pay(mounted.element);
      await check('creating');
      const wallet = session({ provider: 'tpaga', expiresAt: '2030-01-01T00:30:00.000Z' });
      create(json(wallet, 201));
      await until(() => $(mounted!.element, '[part="qr"]') !== null, 'the wallet screen');
      await check('wallet');
      FakeEventSource.latest!.status({ ...wallet, status: 'expired' });
      await until(() => text(mounted!.element, 'h2') === 'El tiempo para pagar terminó', 'expired');
      await check('expired');
      server.on('POST', '/api/sessions', () =>
        errorResponse(502, 'provider_unavailable', 'Tpaga no responde.'),
      );
      $(mounted.element, '[part="status"] button')!.click();
      await until(() => text(mounted!.element, 'h2') === 'No pudimos continuar', 'the error screen');
      await check('error');
      const redirect = session({ provider: 'etpay' });
      server.on('POST', '/api/sessions', () => json(redirect, 201));
      $$(mounted.element, '[part="status"] button')[1]!.click();
      await until(() => $(mounted!.element, 'fieldset') !== null, 'the picker again');
      $(mounted.element, 'input[value="etpay"]')!.click();
      await pay(mounted.element);
      await until(() => mounted!.navigations.length === 1, 'the redirect');
      await check('redirect');
      FakeEventSource.latest!.status({ ...redirect, status: 'paid' });
      await until(() => text(mounted!.element, 'h2') === 'Pago recibido', 'paid');
      await check('paid');
    });
  }
});

function $$(element: HTMLElement, selector: string): HTMLElement[] {
  return [...element.shadowRoot!.querySelectorAll<HTMLElement>(selector)];
}
