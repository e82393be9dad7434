// Text the server or a provider supplies is shown as text (issue 13, "The widget"): a provider's
// name and an error message. None of it becomes markup.
import { expect } from 'chai';
import type { Mounted } from './helpers/fixture.js';
import { $, $$, eventTypesOf, mount, pay, text, until } from './helpers/fixture.js';
import { config, etpayInfo, json, StubServer, tpagaInfo } from './helpers/stub-server.js';

const markup = '<img src="x" onerror="window.__pwned = true"><b>bold</b>';

declare global {
  interface Window {
    __pwned?: boolean;
  }
}

/**
 * No element the page did not write itself: no image (but the providers' own marks), script,
 * frame or inline handler.
 */
function injected(element: HTMLElement): string[] {
  return $$(element, '*')
    .filter(
      (node) =>
        (['IMG', 'SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'B'].includes(node.tagName) &&
          !node.matches('[part="provider"] > img.icon[alt=""]')) ||
        [...node.attributes].some((attribute) => attribute.name.startsWith('on')),
    )
    .map((node) => node.outerHTML);
}

describe('<pasarela-checkout> given markup in what the server sends', () => {
  let server: StubServer;
  let mounted: Mounted | undefined;
  beforeEach(() => {
    server = new StubServer().install();
    window.__pwned = undefined;
  });
  afterEach(() => {
    mounted?.element.remove();
    mounted = undefined;
    server.restore();
  });

  it('shows provider names as text in the picker', async () => {
    server.on('GET', '/api/config', () =>
      json(config({ ...etpayInfo, name: `ETpay ${markup}` }, { ...tpagaInfo, name: `Tpaga ${markup}` })),
    );
    mounted = await mount({ 'order-id': '348820', locale: 'en' });
    await until(() => text(mounted!.element, '[part="provider"]').includes('ETpay'), 'the picker');
    expect(text(mounted.element, '.base')).to.include(`ETpay ${markup}`);
    expect(injected(mounted.element)).to.deep.equal([]);
    expect(window.__pwned).to.equal(undefined);
  });

  it('shows an error message from the server as text', async () => {
    server
      .on('GET', '/api/config', () => json(config(etpayInfo)))
      .on('POST', '/api/sessions', () =>
        json({ error: { code: 'invalid_order', message: `Bad order ${markup}` } }, 400),
      );
    mounted = await mount({ 'order-id': '348820', locale: 'en', providers: 'etpay' });
    await until(() => $(mounted!.element, 'input:checked') !== null, 'the picker');
    await pay(mounted.element);
    await until(() => eventTypesOf(mounted!.events).includes('error'), 'pasarela-error');
    await until(() => text(mounted!.element, '[part="status"]').includes('Bad order'), 'the error screen');
    expect(text(mounted.element, '[part="status"]')).to.include(`Bad order ${markup}`);
    expect(injected(mounted.element)).to.deep.equal([]);
    expect(window.__pwned).to.equal(undefined);
  });
});
