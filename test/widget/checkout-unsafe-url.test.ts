import { expect } from 'chai';
import { isSafeUrl } from '../../widget/safe-url.js';
import type { ServerConfig, Session } from '../../widget/types.js';
import { $, eventTypesOf, type Mounted, mount, pay, shows, text, until } from './helpers/fixture.js';
import {
  config,
  etpayInfo,
  FakeEventSource,
  json,
  StubServer,
  session,
  tpagaInfo,
} from './helpers/stub-server.js';

const script = 'javascript:alert(document.domain)';
const page = 'data:text/html,<script>alert(1)</script>';

describe('payment URLs the widget will open', () => {
  it('takes https:, and http: only in sandbox mode', () => {
    expect(isSafeUrl('https://etpay.example/session/1', false)).to.equal(true);
    expect(isSafeUrl('http://etpay.example/session/1', false)).to.equal(false);
    expect(isSafeUrl('http://127.0.0.1:8787/sandbox/etpay/pmt/1', true)).to.equal(true);
    for (const url of [script, ' JavaScript:alert(1)', page, 'blob:https://x.example/1', '/relative', '']) {
      expect(isSafeUrl(url, true), url).to.equal(false);
    }
  });

  it('checks a QR code path as resolved against the server', () => {
    expect(isSafeUrl('/pay/api/sessions/ps_1/qr.svg', false, 'https://shop.example/pay/')).to.equal(true);
    expect(isSafeUrl('/pay/api/sessions/ps_1/qr.svg', false, 'http://localhost:8787/pay/')).to.equal(false);
    expect(isSafeUrl('/pay/api/sessions/ps_1/qr.svg', true, 'http://localhost:8787/pay/')).to.equal(true);
    expect(isSafeUrl('data:image/svg+xml,<svg/>', true, 'https://shop.example/')).to.equal(false);
  });
});

describe('<pasarela-checkout> given an unsafe payment URL', () => {
  let server: StubServer;
  let mounted: Mounted | undefined;
  const originalOpen = window.open;
  const originalMatchMedia = window.matchMedia;

  function serve(created: Session, serverConfig: ServerConfig = config()) {
    server
      .on('GET', '/api/config', () => json(serverConfig))
      .on('POST', '/api/sessions', () => json(created, 201))
      .on('GET', /^\/api\/sessions\/ps_\w+$/, () => json(created));
  }

  async function payWith(provider: 'etpay' | 'tpaga') {
    mounted = await mount({ 'order-id': '348820', locale: 'en', providers: provider });
    await until(() => $(mounted!.element, 'input:checked') !== null, 'the picker');
    await pay(mounted.element);
  }

  /** The refusal a buyer and the page can see: the error screen, with no link, and the event. */
  async function expectRefused() {
    await until(() => eventTypesOf(mounted!.events).includes('error'), 'pasarela-error');
    const error = mounted!.events.find((e) => e.type === 'pasarela-error') as Event & {
      detail: { code: string };
    };
    expect(error.detail.code).to.equal('unsafe_url');
    expect(text(mounted!.element, '[part="status"] h2')).to.equal('We could not continue');
    expect(text(mounted!.element, '[part="status"] p')).to.equal('The payment link is not safe.');
    expect(shows(mounted!.element, '[part="status"] a')).to.equal(false);
    expect(shows(mounted!.element, '[part="qr"]')).to.equal(false);
    expect(mounted!.navigations).to.deep.equal([]);
    expect(eventTypesOf(mounted!.events)).to.not.include('before-redirect');
  }

  beforeEach(() => {
    server = new StubServer().install();
  });
  afterEach(() => {
    mounted?.element.remove();
    mounted = undefined;
    server.restore();
    window.open = originalOpen;
    window.matchMedia = originalMatchMedia;
  });

  it('does not navigate to a javascript: redirect', async () => {
    serve(session({ provider: 'etpay', action: { type: 'redirect', url: script } }));
    await payWith('etpay');
    await expectRefused();
    expect(FakeEventSource.instances).to.have.length(0);
  });

  it('does not show a data: wallet link or its QR code', async () => {
    serve(session({ provider: 'tpaga', action: { type: 'wallet', url: page, qr: '/qr.svg' } }));
    await payWith('tpaga');
    await expectRefused();
  });

  it('does not show a QR code from a javascript: or data: URL', async () => {
    for (const qr of [script, 'data:image/svg+xml,<svg/>']) {
      serve(session({ provider: 'tpaga', action: { type: 'wallet', url: 'https://wallet.example/1', qr } }));
      await payWith('tpaga');
      await expectRefused();
      mounted!.element.remove();
    }
  });

  it('does not send a phone’s window to an unsafe wallet link, and closes it', async () => {
    window.matchMedia = ((query: string) => ({
      matches: query === '(pointer: coarse)',
    })) as typeof matchMedia;
    const popup = { opener: {} as unknown, location: { href: 'about:blank' }, closed: false };
    window.open = (() =>
      Object.assign(popup, { close: () => (popup.closed = true) })) as unknown as typeof window.open;
    serve(session({ provider: 'tpaga', action: { type: 'wallet', url: script, qr: '/qr.svg' } }));
    await payWith('tpaga');
    await expectRefused();
    expect(popup.location.href).to.equal('about:blank');
    expect(popup.closed).to.equal(true);
  });

  it('refuses http: outside sandbox mode, and takes it in sandbox mode', async () => {
    const plain = session({ provider: 'etpay', action: { type: 'redirect', url: 'http://etpay.example/1' } });
    serve(plain, { ...config(etpayInfo), sandbox: false });
    await payWith('etpay');
    await expectRefused();
    mounted!.element.remove();
    serve(plain, config(etpayInfo));
    await payWith('etpay');
    await until(() => mounted!.navigations.length === 1, 'the navigation');
    expect(mounted!.navigations).to.deep.equal(['http://etpay.example/1']);
  });

  it('drops the wallet screen when a status update brings an unsafe link', async () => {
    const created = session({ provider: 'tpaga' });
    serve(created, config(tpagaInfo));
    await payWith('tpaga');
    await until(() => $(mounted!.element, '[part="qr"]') !== null, 'the wallet screen');
    const stream = FakeEventSource.latest!;
    stream.status({ ...created, action: { type: 'wallet', url: script, qr: '/qr.svg' } });
    await expectRefused();
    expect(stream.closed).to.equal(true);
  });

  it('refuses a resumed session with an unsafe link', async () => {
    const resumed = session({ provider: 'etpay', action: { type: 'redirect', url: script } });
    serve(resumed);
    const pageUrl = location.href;
    const url = new URL(pageUrl);
    url.searchParams.set('pasarela_session', resumed.id);
    history.replaceState(null, '', url.href);
    try {
      mounted = await mount({ 'order-id': '348820', locale: 'en' });
      await expectRefused();
      expect(FakeEventSource.instances).to.have.length(0);
    } finally {
      history.replaceState(null, '', pageUrl);
    }
  });
});
