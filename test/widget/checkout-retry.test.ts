import { expect } from 'chai';
import type { Session } from '../../widget/types.js';
import { axeViolations } from './helpers/axe.js';
import { settle } from './helpers/fake-clock.js';
import { $, $$, choose, eventTypesOf, type Mounted, mount, pay, text, until } from './helpers/fixture.js';
import {
  config,
  errorResponse,
  FakeEventSource,
  json,
  StubServer,
  session,
  tpagaInfo,
} from './helpers/stub-server.js';

describe('<pasarela-checkout> errors, final screens and retry', () => {
  let server: StubServer;
  let mounted: Mounted;
  let created: Session[];

  beforeEach(() => {
    created = [];
    server = new StubServer()
      .install()
      .on('GET', '/api/config', () => json(config()))
      .on('POST', '/api/sessions', () => {
        const next = session({ provider: 'tpaga' });
        created.push(next);
        return json(next, 201);
      });
  });
  afterEach(() => {
    mounted?.element.remove();
    server.restore();
  });

  async function toWallet() {
    mounted = await mount({ 'order-id': '348820', locale: 'en' });
    await until(() => $(mounted.element, 'input') !== null, 'the picker');
    await choose(mounted.element, 'tpaga');
    await pay(mounted.element);
    await until(
      () => FakeEventSource.instances.length === created.length && created.length > 0,
      'the stream',
    );
    await mounted.element.updateComplete;
  }

  const finals = [
    ['failed', 'The payment did not go through', true],
    ['expired', 'The time to pay ran out', true],
    ['cancelled', 'The payment was cancelled', true],
    ['refunded', 'The payment was refunded', false],
  ] as const;
  for (const [status, title, retry] of finals) {
    it(`shows the ${status} screen${retry ? ' with a retry' : ''}`, async () => {
      await toWallet();
      FakeEventSource.latest!.status({ ...created[0]!, status });
      await until(() => text(mounted.element, '[part="status"] h2') === title, `the ${status} screen`);
      const buttons = $$(mounted.element, '[part="status"] button').map((b) => b.textContent!.trim());
      expect(buttons).to.deep.equal(retry ? ['Try again', 'Choose another payment method'] : []);
      const fired = eventTypesOf(mounted.events).at(-1);
      expect(fired).to.equal(status === 'refunded' ? 'status:refunded' : 'failed');
    });
  }

  it('creates a new session with a new Idempotency-Key when retrying a failed payment', async () => {
    await toWallet();
    FakeEventSource.latest!.status({ ...created[0]!, status: 'failed' });
    await until(() => $(mounted.element, '[part="status"] button') !== null, 'the retry button');
    $(mounted.element, '[part="status"] button')!.click();
    await until(() => created.length === 2 && FakeEventSource.instances.length === 2, 'the second session');
    const keys = server.requestsTo('POST', '/api/sessions').map((r) => r.headers.get('Idempotency-Key'));
    expect(keys[0]).to.not.equal(keys[1]);
    await mounted.element.updateComplete;
    expect($(mounted.element, '[part="qr"]')).to.not.equal(null);
    FakeEventSource.latest!.status({ ...created[1]!, status: 'paid' });
    await until(() => text(mounted.element, '[part="status"] h2') === 'Payment received', 'the paid screen');
    expect(eventTypesOf(mounted.events)).to.deep.equal([
      'ready',
      'provider-change',
      'session',
      'status:pending',
      'status:failed',
      'failed',
      'session',
      'status:pending',
      'status:paid',
      'paid',
    ]);
  });

  it('goes back to the picker to choose another provider', async () => {
    await toWallet();
    FakeEventSource.latest!.status({ ...created[0]!, status: 'cancelled' });
    await until(() => $$(mounted.element, '[part="status"] button').length === 2, 'the buttons');
    $$(mounted.element, '[part="status"] button')[1]!.click();
    await until(() => $(mounted.element, 'fieldset') !== null, 'the picker');
    expect(($(mounted.element, 'input:checked') as HTMLInputElement).value).to.equal('tpaga');
  });

  it('shows the server’s message for provider_unavailable and retries the create', async () => {
    const message =
      'Tpaga is not answering right now. Please try again in a moment or choose another payment method.';
    server.on('POST', '/api/sessions', () => errorResponse(502, 'provider_unavailable', message));
    mounted = await mount({ 'order-id': '348820', locale: 'en' });
    await until(() => $(mounted.element, 'input') !== null, 'the picker');
    await choose(mounted.element, 'tpaga');
    await pay(mounted.element);
    await until(() => $(mounted.element, '[part="status"]') !== null, 'the error screen');
    expect(text(mounted.element, '[part="status"] h2')).to.equal('We could not continue');
    expect(text(mounted.element, '[part="status"] p')).to.equal(message);
    const error = mounted.events.at(-1) as Event & { detail: { code: string; message: string } };
    expect(error.detail).to.deep.equal({ code: 'provider_unavailable', message });
    server.on('POST', '/api/sessions', () => json(session({ provider: 'tpaga' }), 201));
    $(mounted.element, '[part="status"] button')!.click();
    await until(() => $(mounted.element, '[part="qr"]') !== null, 'the wallet screen');
    expect(server.requestsTo('POST', '/api/sessions')).to.have.length(2);
  });

  for (const [locale, title] of [
    ['en', 'This order is already paid'],
    ['es-CL', 'Este pedido ya está pagado'],
  ] as const) {
    it(`says the order is already paid, with nothing to pay again (${locale})`, async () => {
      const message = 'Order 348820 already has a paid session.';
      server.on('POST', '/api/sessions', () => errorResponse(409, 'order_already_paid', message));
      mounted = await mount({ 'order-id': '348820', locale, providers: 'tpaga' });
      await until(() => $(mounted.element, 'input:checked') !== null, 'the picker');
      await pay(mounted.element);
      await until(() => text(mounted.element, '[part="status"] h2') === title, 'the already-paid screen');
      expect($$(mounted.element, '[part="status"] button, [part="status"] a')).to.have.length(0);
      expect($(mounted.element, '[role="status"]')!.textContent).to.equal(title);
      const error = mounted.events.at(-1) as Event & { detail: { code: string; message: string } };
      expect(error.type).to.equal('pasarela-error');
      expect(error.detail).to.deep.equal({ code: 'order_already_paid', message });
      expect(await axeViolations(mounted.element)).to.deep.equal([]);
      expect(server.requestsTo('POST', '/api/sessions')).to.have.length(1);
    });
  }

  it('shows its own text for a network failure on pay', async () => {
    server.on('POST', '/api/sessions', () => Promise.reject(new TypeError('Failed to fetch')));
    mounted = await mount({ 'order-id': '348820', locale: 'es-CL', providers: 'tpaga' });
    await until(() => $(mounted.element, 'input:checked') !== null, 'the picker');
    await pay(mounted.element);
    await until(() => $(mounted.element, '[part="status"]') !== null, 'the error screen');
    expect(text(mounted.element, '[part="status"] p')).to.equal(
      'No pudimos conectar con el servidor de pagos. Revisa tu conexión e inténtalo de nuevo.',
    );
    expect(mounted.events.at(-1)!.type).to.equal('pasarela-error');
  });

  it('ignores a second pay click while the session is being created', async () => {
    let answer!: (response: Response) => void;
    server.on('POST', '/api/sessions', () => new Promise((resolve) => (answer = resolve)));
    mounted = await mount({ 'order-id': '348820', locale: 'en', providers: 'tpaga' });
    await until(() => $(mounted.element, 'input:checked') !== null, 'the picker');
    await pay(mounted.element);
    await until(() => server.requestsTo('POST', '/api/sessions').length === 1, 'the create request');
    await pay(mounted.element);
    await settle();
    expect(server.requestsTo('POST', '/api/sessions')).to.have.length(1);
    const button = $(mounted.element, '[part="pay-button"]')!;
    expect(button.getAttribute('aria-disabled')).to.equal('true');
    expect(button.textContent).to.contain('Preparing your payment');
    answer(json(session({ provider: 'tpaga' }), 201));
    await until(() => $(mounted.element, '[part="qr"]') !== null, 'the wallet screen');
  });
});

describe('<pasarela-checkout> with a single provider', () => {
  it('offers no other provider on a final screen', async () => {
    const server = new StubServer()
      .install()
      .on('GET', '/api/config', () => json(config(tpagaInfo)))
      .on('POST', '/api/sessions', () =>
        json(session({ provider: 'tpaga', id: 'ps_single0000000000000000' }), 201),
      );
    const mounted = await mount({ 'order-id': '348820', locale: 'en' });
    try {
      await until(() => $(mounted.element, 'input:checked') !== null, 'the picker');
      await pay(mounted.element);
      await until(() => FakeEventSource.latest !== undefined, 'the stream');
      FakeEventSource.latest!.status(
        session({ provider: 'tpaga', id: 'ps_single0000000000000000', status: 'failed' }),
      );
      await until(() => $(mounted.element, '[part="status"] button') !== null, 'the retry button');
      expect($$(mounted.element, '[part="status"] button')).to.have.length(1);
    } finally {
      mounted.element.remove();
      server.restore();
    }
  });
});
