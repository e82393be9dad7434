// The widget knows providers only through `GET /api/config` (DESIGN.md, "Providers are modules"):
// one it has never heard of is offered with its own name and mark, described by its flow, and paid
// through that flow; a mark it must not load is replaced by a plain one.
import { expect } from 'chai';
import { isSafeMark } from '../../widget/safe-url.js';
import type { ProviderInfo, ServerConfig } from '../../widget/types.js';
import { $, $$, eventTypesOf, type Mounted, mount, pay, text, until } from './helpers/fixture.js';
import {
  config,
  etpayInfo,
  FakeEventSource,
  json,
  orderToken,
  StubServer,
  session,
  svgMark,
} from './helpers/stub-server.js';

const khipuInfo: ProviderInfo = {
  id: 'khipu',
  name: 'Khipu',
  currency: 'CLP',
  country: 'CL',
  flow: 'redirect',
  mark: svgMark('#8a2be2'),
};

const nequiInfo: ProviderInfo = {
  id: 'nequi',
  name: 'Nequi',
  currency: 'COP',
  country: 'CO',
  flow: 'wallet',
  mark: svgMark('#da0081'),
};

describe('provider marks the widget will show', () => {
  const server = 'https://shop.example/pay/';

  it('takes data:image/ URLs, and https: ones (http: only in sandbox mode) without credentials', () => {
    expect(isSafeMark(etpayInfo.mark, false, server)).to.equal(true);
    expect(isSafeMark('DATA:image/png;base64,iVBORw0KGgo=', false, server)).to.equal(true);
    expect(isSafeMark('https://cdn.example/khipu.svg', false, server)).to.equal(true);
    expect(isSafeMark('/pay/marks/khipu.svg', false, server)).to.equal(true);
    expect(isSafeMark('http://cdn.example/khipu.svg', true, server)).to.equal(true);
    expect(isSafeMark('http://cdn.example/khipu.svg', false, server)).to.equal(false);
    for (const mark of [
      'javascript:alert(1)',
      ' JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'data:,plain',
      'https://user:secret@cdn.example/khipu.svg',
      'https://user@cdn.example/khipu.svg',
      'blob:https://cdn.example/1',
      '',
      undefined,
    ]) {
      expect(isSafeMark(mark, true, server), String(mark)).to.equal(false);
    }
  });
});

describe('<pasarela-checkout> with a provider it was not built for', () => {
  let server: StubServer;
  let mounted: Mounted | undefined;
  const originalOpen = window.open;
  const originalMatchMedia = window.matchMedia;

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

  async function mountWith(serverConfig: ServerConfig, attributes: Record<string, string>) {
    server.on('GET', '/api/config', () => json(serverConfig));
    mounted = await mount(attributes);
    await until(() => $$(mounted!.element, '[part="provider"]').length > 0, 'the picker');
    return mounted;
  }

  it('offers it with its name, its mark and its flow’s description', async () => {
    const { element } = await mountWith(config(etpayInfo, khipuInfo), { 'order-id': '1', locale: 'es-CL' });
    const labels = $$(element, '[part="provider"]');
    expect(labels.map((label) => label.textContent!.replace(/\s+/g, ' ').trim())).to.deep.equal([
      'ETpay Transferencia bancaria',
      'Khipu Transferencia bancaria',
    ]);
    const mark = labels[1]!.querySelector('img') as HTMLImageElement;
    expect(mark.getAttribute('src')).to.equal(khipuInfo.mark);
    expect(mark.getAttribute('alt')).to.equal('');
    await until(() => mark.complete && mark.naturalWidth > 0, 'the mark to load');
    expect(mark.getBoundingClientRect().width).to.equal(
      labels[0]!.querySelector('img')!.getBoundingClientRect().width,
    );
  });

  it('pays through the redirect flow, in this tab even on a phone', async () => {
    // A phone: a wallet would open a window from the click; a redirect must not.
    window.matchMedia = ((query: string) => ({
      matches: query === '(pointer: coarse)',
    })) as typeof matchMedia;
    const opened: unknown[] = [];
    window.open = ((...args: unknown[]) => {
      opened.push(args);
      return null;
    }) as typeof window.open;
    const created = session({
      provider: 'khipu',
      action: { type: 'redirect', url: 'https://khipu.example/payment/1' },
    });
    server.on('POST', '/api/sessions', () => json(created, 201));
    const { element, navigations, events } = await mountWith(config(khipuInfo), {
      order: orderToken({ amount: 12000, currency: 'CLP' }),
      locale: 'en',
    });
    expect(($(element, 'input:checked') as HTMLInputElement).value).to.equal('khipu');
    await pay(element);
    await until(() => navigations.length === 1, 'the navigation');
    expect(navigations).to.deep.equal(['https://khipu.example/payment/1']);
    expect(opened).to.deep.equal([]);
    expect(server.requestsTo('POST', '/api/sessions')[0]!.body).to.deep.include({ provider: 'khipu' });
    expect(text(element, '[part="status"]')).to.contain('Taking you to Khipu');
    await until(() => FakeEventSource.latest !== undefined, 'the status stream');
    FakeEventSource.latest!.status({ ...created, status: 'paid' });
    await until(() => events.some((e) => e.type === 'pasarela-paid'), 'pasarela-paid');
    expect(eventTypesOf(events)).to.deep.equal([
      'ready',
      'session',
      'status:pending',
      'before-redirect',
      'status:paid',
      'paid',
    ]);
  });

  it('names a wallet provider by its own name, in the picker and by the QR code', async () => {
    const created = session({
      provider: 'nequi',
      currency: 'COP',
      action: { type: 'wallet', url: 'https://nequi.example/pay/1', qr: '/test/widget/fixtures/qr.svg' },
    });
    server.on('POST', '/api/sessions', () => json(created, 201));
    const { element } = await mountWith(config(nequiInfo), { 'order-id': '1', locale: 'es-CO' });
    expect(text(element, '[part="provider"]')).to.equal('Nequi Billetera Nequi');
    await pay(element);
    await until(() => $(element, '[part="qr"]') !== null, 'the wallet screen');
    expect(text(element, '[part="status"]')).to.contain('para pagar $\u00a012.000 con Billetera Nequi.');
    element.locale = 'en';
    await element.updateComplete;
    expect(text(element, '[part="status"]')).to.contain('to pay COP\u00a012,000 with the Nequi wallet.');
  });

  it('never loads an unsafe mark, and shows a plain one in its place', async () => {
    const unsafe = [
      'javascript:alert(document.domain)',
      'data:text/html,<script>alert(1)</script>',
      'https://user:secret@cdn.example/khipu.svg',
      'http://cdn.example/khipu.svg',
    ];
    const providers = [
      etpayInfo,
      ...unsafe.map((mark, index) => ({ ...khipuInfo, id: `khipu${index}`, mark })),
      // An older server that sends no mark at all.
      { ...khipuInfo, id: 'nomark', mark: undefined as unknown as string },
    ];
    const { element } = await mountWith({ providers, sandbox: false }, { 'order-id': '1', locale: 'en' });
    const labels = $$(element, '[part="provider"]');
    expect(labels).to.have.length(6);
    const sources = $$(element, 'img').map((img) => img.getAttribute('src'));
    expect(sources).to.deep.equal([etpayInfo.mark]);
    const real = labels[0]!.querySelector('.icon')!.getBoundingClientRect();
    for (const label of labels.slice(1)) {
      const plain = label.querySelector('.icon');
      expect(plain?.tagName).to.equal('SPAN');
      const box = plain!.getBoundingClientRect();
      expect([box.width, box.height]).to.deep.equal([real.width, real.height]);
    }
  });
});
