import { expect } from 'chai';
import { settle } from './helpers/fake-clock.js';
import { $, $$, choose, eventTypesOf, type Mounted, mount, pay, text, until } from './helpers/fixture.js';
import {
  config,
  errorResponse,
  etpayInfo,
  json,
  orderToken,
  StubServer,
  session,
  tpagaInfo,
} from './helpers/stub-server.js';

describe('<pasarela-checkout> loading and picking a provider', () => {
  let server: StubServer;
  let mounted: Mounted | undefined;

  beforeEach(() => {
    server = new StubServer().install();
  });
  afterEach(() => {
    mounted?.element.remove();
    mounted = undefined;
    server.restore();
  });

  it('shows a loading screen until the configuration arrives, then the picker', async () => {
    let answer!: (response: Response) => void;
    server.on('GET', '/api/config', () => new Promise((resolve) => (answer = resolve)));
    mounted = await mount({ order: orderToken({ amount: 12000, currency: 'COP' }), locale: 'es-CO' });
    expect(text(mounted.element)).to.contain('Cargando medios de pago');
    answer(json(config()));
    await until(() => $(mounted!.element, 'fieldset') !== null, 'the picker');
    expect(text(mounted.element, 'legend')).to.equal('Elige cómo pagar');
    expect(eventTypesOf(mounted.events)).to.deep.equal(['ready']);
  });

  it('asks the server set just after the element was put in the page, as frameworks do', async () => {
    server.on('GET', '/api/config', () => json(config()));
    const element = document.createElement('pasarela-checkout');
    document.body.append(element);
    element.server = 'https://pay.example.test/';
    try {
      await until(() => server.requests.length === 1, 'the config request');
      expect(server.requests[0]!.url).to.equal('https://pay.example.test/api/config');
      expect(server.requests.length).to.equal(1);
    } finally {
      element.remove();
    }
  });

  it('defaults to the origin the script was loaded from', async () => {
    server.on('GET', '/api/config', () => json(config()));
    mounted = await mount({ 'order-id': '348820' });
    await until(() => server.requests.length === 1, 'the config request');
    expect(server.requests[0]!.url).to.equal(`${location.origin}/api/config`);
  });

  it('reloads the configuration when the server changes', async () => {
    server.on('GET', '/api/config', () => json(config()));
    mounted = await mount({ 'order-id': '348820', server: 'https://one.example.test' });
    await until(() => $(mounted!.element, 'fieldset') !== null, 'the picker');
    server.on('GET', '/api/config', () => json(config(tpagaInfo)));
    mounted.element.setAttribute('server', 'https://two.example.test');
    await until(() => $$(mounted!.element, 'input').length === 1, 'the new picker');
    expect(server.requests.map((r) => r.url)).to.deep.equal([
      'https://one.example.test/api/config',
      'https://two.example.test/api/config',
    ]);
  });

  it('loads again when moved in the page while loading', async () => {
    let calls = 0;
    server.on('GET', '/api/config', () => {
      calls += 1;
      return calls === 1 ? new Promise(() => {}) : json(config());
    });
    mounted = await mount({ 'order-id': '348820' });
    await until(() => calls === 1, 'the first request');
    const box = document.createElement('div');
    document.body.append(box);
    box.append(mounted.element);
    await until(() => $(mounted!.element, 'fieldset') !== null, 'the picker');
    expect(calls).to.equal(2);
    box.remove();
  });

  it('offers each provider as a native radio with its name, description and mark', async () => {
    server.on('GET', '/api/config', () => json(config()));
    mounted = await mount({ 'order-id': '348820', locale: 'es-CL' });
    await until(() => $$(mounted!.element, 'input[type=radio]').length === 2, 'two radios');
    const labels = $$(mounted.element, '[part="provider"]');
    expect(labels.map((label) => label.textContent!.replace(/\s+/g, ' ').trim())).to.deep.equal([
      'ETpay Transferencia bancaria',
      'Tpaga Billetera Tpaga',
    ]);
    expect($$(mounted.element, '[part="provider"] img[alt=""]')).to.have.length(2);
    expect($(mounted.element, 'fieldset')!.getAttribute('part')).to.equal('provider-list');
    expect($$(mounted.element, 'input:checked')).to.have.length(0);
    expect(text(mounted.element, '[part="pay-button"]')).to.equal('Pagar');
  });

  it('preselects the only provider on offer', async () => {
    server.on('GET', '/api/config', () => json(config(etpayInfo)));
    mounted = await mount({ 'order-id': '348820' });
    await until(() => $(mounted!.element, 'input:checked') !== null, 'a checked radio');
    expect(($(mounted.element, 'input:checked') as HTMLInputElement).value).to.equal('etpay');
  });

  it('restricts the picker to the providers attribute', async () => {
    server.on('GET', '/api/config', () => json(config()));
    mounted = await mount({ 'order-id': '348820', providers: 'tpaga' });
    await until(() => $(mounted!.element, 'input') !== null, 'the picker');
    expect($$(mounted.element, 'input').map((input) => (input as HTMLInputElement).value)).to.deep.equal([
      'tpaga',
    ]);
    expect(($(mounted.element, 'input') as HTMLInputElement).checked).to.equal(true);
  });

  it('offers only the providers taking the order token’s currency, and shows its amount', async () => {
    server.on('GET', '/api/config', () => json(config()));
    mounted = await mount({ order: orderToken({ amount: 12000, currency: 'CLP' }), locale: 'es-CL' });
    await until(() => $(mounted!.element, 'input') !== null, 'the picker');
    expect($$(mounted.element, 'input')).to.have.length(1);
    expect(text(mounted.element, '[part="pay-button"]')).to.equal('Pagar $12.000');
  });

  it('fires pasarela-provider-change on the buyer’s choice only', async () => {
    server.on('GET', '/api/config', () => json(config()));
    mounted = await mount({ 'order-id': '348820' });
    await until(() => $(mounted!.element, 'input') !== null, 'the picker');
    mounted.element.providers = 'etpay,tpaga';
    await mounted.element.updateComplete;
    expect(eventTypesOf(mounted.events)).to.deep.equal(['ready']);
    await choose(mounted.element, 'tpaga');
    await choose(mounted.element, 'tpaga');
    await choose(mounted.element, 'etpay');
    const changes = mounted.events.filter((e) => e.type === 'pasarela-provider-change');
    expect(changes.map((e) => (e as Event & { detail: { provider: string } }).detail.provider)).to.deep.equal(
      ['tpaga', 'etpay'],
    );
    expect(changes[0]!.bubbles && changes[0]!.composed).to.equal(true);
  });

  it('creates the session with an Idempotency-Key and never sends an amount', async () => {
    const token = orderToken({ amount: 12000, currency: 'CLP' });
    server
      .on('GET', '/api/config', () => json(config()))
      .on('POST', '/api/sessions', () => json(session({ provider: 'etpay' }), 201));
    mounted = await mount({ order: token });
    await until(() => $(mounted!.element, 'input') !== null, 'the picker');
    await pay(mounted.element);
    await until(() => server.requestsTo('POST', '/api/sessions').length === 1, 'the create request');
    const [request] = server.requestsTo('POST', '/api/sessions');
    expect(request!.body).to.deep.equal({ provider: 'etpay', order: token });
    expect(request!.headers.get('Idempotency-Key')).to.match(/^[0-9a-f]{32}$/);
    expect(request!.headers.get('Content-Type')).to.equal('application/json');
  });

  it('sends order-id when the server resolves orders itself', async () => {
    server
      .on('GET', '/api/config', () => json(config(tpagaInfo)))
      .on('POST', '/api/sessions', () => json(session({ provider: 'tpaga' }), 201));
    mounted = await mount({ 'order-id': 'A-17' });
    await until(() => $(mounted!.element, 'input:checked') !== null, 'the picker');
    await pay(mounted.element);
    await until(() => server.requestsTo('POST', '/api/sessions').length === 1, 'the create request');
    expect(server.requestsTo('POST', '/api/sessions')[0]!.body).to.deep.equal({
      provider: 'tpaga',
      orderId: 'A-17',
    });
  });

  it('does not pay before a provider is chosen', async () => {
    server.on('GET', '/api/config', () => json(config()));
    mounted = await mount({ 'order-id': '348820' });
    await until(() => $(mounted!.element, 'input') !== null, 'the picker');
    await pay(mounted.element);
    await settle();
    expect(server.requestsTo('POST', '/api/sessions')).to.have.length(0);
    expect(($(mounted.element, 'input') as HTMLInputElement).validity.valueMissing).to.equal(true);
  });

  it('shows an error with a retry when the configuration cannot be loaded', async () => {
    let calls = 0;
    server.on('GET', '/api/config', () => {
      calls += 1;
      return calls === 1 ? Promise.reject(new TypeError('Failed to fetch')) : json(config());
    });
    mounted = await mount({ 'order-id': '348820', locale: 'en' });
    await until(() => $(mounted!.element, '[part="status"]') !== null, 'the error screen');
    expect(text(mounted.element, '[part="status"]')).to.contain('We could not reach the payment server');
    const error = mounted.events.find((e) => e.type === 'pasarela-error') as Event & {
      detail: { code: string };
    };
    expect(error.detail.code).to.equal('network_error');
    $(mounted.element, '[part="status"] button')!.click();
    await until(() => $(mounted!.element, 'fieldset') !== null, 'the picker after retrying');
    expect(calls).to.equal(2);
  });

  it('says so when no provider takes the order', async () => {
    server.on('GET', '/api/config', () => json(config(tpagaInfo)));
    mounted = await mount({ order: orderToken({ amount: 5000, currency: 'CLP' }), locale: 'en' });
    await until(() => $(mounted!.element, '[part="status"]') !== null, 'the error screen');
    expect(text(mounted.element, '[part="status"]')).to.contain('No payment method is available');
  });

  it('reports a rejected create with the server’s code', async () => {
    server
      .on('GET', '/api/config', () => json(config(etpayInfo)))
      .on('POST', '/api/sessions', () => errorResponse(401, 'invalid_order', 'The order token has expired.'));
    mounted = await mount({ order: orderToken() });
    await until(() => $(mounted!.element, 'input:checked') !== null, 'the picker');
    await pay(mounted.element);
    await until(() => $(mounted!.element, '[part="status"]') !== null, 'the error screen');
    expect(text(mounted.element, '[part="status"]')).to.contain('The order token has expired.');
    const error = mounted.events.at(-1) as Event & { detail: { code: string } };
    expect(error.type).to.equal('pasarela-error');
    expect(error.detail.code).to.equal('invalid_order');
  });
});
