import { expect } from 'chai';
import type { PasarelaCheckout } from '../../widget/pasarela-checkout.js';
import type { CspPage } from './fixtures/csp-page.js';
import { $, eventTypesOf, mount, pay, text, until } from './helpers/fixture.js';
import { config, FakeEventSource, json, StubServer, session, tpagaInfo } from './helpers/stub-server.js';

describe('<pasarela-checkout> embedded', () => {
  it('works inside another element’s shadow root, themed through parts and custom properties', async () => {
    const server = new StubServer()
      .install()
      .on('GET', '/api/config', () => json(config(tpagaInfo)))
      .on('POST', '/api/sessions', () =>
        json(session({ provider: 'tpaga', id: 'ps_shadow000000000000000' }), 201),
      );
    const host = document.createElement('div');
    document.body.append(host);
    const root = host.attachShadow({ mode: 'closed' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(`
      pasarela-checkout { --pasarela-accent: rgb(10, 20, 30); }
      pasarela-checkout::part(base) { border-width: 3px; }
    `);
    root.adoptedStyleSheets = [sheet];
    const seenByDocument: string[] = [];
    const listener = (event: Event) => seenByDocument.push(event.type);
    document.addEventListener('pasarela-session', listener);
    try {
      const mounted = await mount({ 'order-id': '348820', locale: 'en' }, root);
      await until(() => $(mounted.element, 'input:checked') !== null, 'the picker');
      expect(getComputedStyle($(mounted.element, '[part="pay-button"]')!).backgroundColor).to.equal(
        'rgb(10, 20, 30)',
      );
      expect(getComputedStyle($(mounted.element, '[part="base"]')!).borderTopWidth).to.equal('3px');
      await pay(mounted.element);
      await until(() => $(mounted.element, '[part="qr"]') !== null, 'the wallet screen');
      FakeEventSource.latest!.status(
        session({ provider: 'tpaga', id: 'ps_shadow000000000000000', status: 'paid' }),
      );
      await until(() => text(mounted.element, 'h2') === 'Payment received', 'the paid screen');
      expect(eventTypesOf(mounted.events)).to.deep.equal([
        'ready',
        'session',
        'status:pending',
        'status:paid',
        'paid',
      ]);
      expect(seenByDocument).to.deep.equal(['pasarela-session']);
    } finally {
      document.removeEventListener('pasarela-session', listener);
      host.remove();
      server.restore();
    }
  });

  it('renders every screen under a strict Content-Security-Policy with no violation', async () => {
    const iframe = document.createElement('iframe');
    iframe.src = new URL('./fixtures/csp.html', import.meta.url).href;
    document.body.append(iframe);
    try {
      const frame = iframe.contentWindow as Window & { cspPage?: CspPage };
      await until(() => frame.cspPage !== undefined, 'the CSP page');
      const page = frame.cspPage!;
      const created = session({ provider: 'tpaga', expiresAt: '2030-01-01T00:30:00.000Z' });
      page.server
        .on('GET', '/api/config', () => json(config()))
        .on('POST', '/api/sessions', () => json(created, 201));
      const element = frame.document.createElement('pasarela-checkout') as PasarelaCheckout;
      element.setAttribute('order-id', '348820');
      frame.document.body.append(element);
      await until(() => $(element, 'input') !== null, 'the picker');
      $(element, 'input[value="tpaga"]')!.click();
      await pay(element);
      await until(() => $(element, '[part="qr"]') !== null, 'the wallet screen');
      const qr = $(element, '[part="qr"]') as HTMLImageElement;
      await until(() => qr.complete && qr.naturalWidth > 0, 'the QR image');
      page.FakeEventSource.instances.at(-1)!.status({ ...created, status: 'failed' });
      await until(() => $(element, '[part="status"] button') !== null, 'the failed screen');
      // Styles applied: the adopted stylesheet is not blocked by style-src.
      expect(frame.getComputedStyle($(element, '[part="status"] button')!).borderTopStyle).to.equal('solid');
      expect(page.violations).to.deep.equal([]);

      // The policy is really enforced: an inline style attribute is reported.
      const probe = frame.document.createElement('div');
      probe.innerHTML = '<p style="color: red">probe</p>';
      frame.document.body.append(probe);
      await until(() => page.violations.length > 0, 'the probe violation');
      expect(page.violations[0]).to.match(/^style-src-attr/);
    } finally {
      iframe.remove();
    }
  });
});
