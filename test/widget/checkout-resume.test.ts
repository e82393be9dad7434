import { expect } from 'chai';
import type { Session } from '../../widget/types.js';
import { $, choose, eventTypesOf, type Mounted, mount, pay, text, until } from './helpers/fixture.js';
import {
  config,
  errorResponse,
  FakeEventSource,
  json,
  orderToken,
  StubServer,
  session,
} from './helpers/stub-server.js';

function errorCodes(events: Event[]): string[] {
  return events
    .filter((e) => e.type === 'pasarela-error')
    .map((e) => (e as Event & { detail: { code: string } }).detail.code);
}

describe('<pasarela-checkout> resuming after a redirect', () => {
  let server: StubServer;
  let mounted: Mounted | undefined;
  let current: Session;
  const pageUrl = location.href;

  beforeEach(() => {
    current = session({ provider: 'etpay' });
    server = new StubServer()
      .install()
      .on('GET', '/api/config', () => json(config()))
      .on('GET', /^\/api\/sessions\/ps_\w+$/, () => json(current));
    const url = new URL(pageUrl);
    url.searchParams.set('pasarela_session', current.id);
    url.searchParams.set('keep', 'me');
    history.replaceState(null, '', url.href);
  });
  afterEach(() => {
    mounted?.element.remove();
    mounted = undefined;
    server.restore();
    history.replaceState(null, '', pageUrl);
  });

  it('shows "confirming your payment" until the server reports a final status', async () => {
    mounted = await mount({ 'order-id': '348820', locale: 'es-CL' });
    expect(text(mounted.element, '[part="status"] h2')).to.equal('Confirmando tu pago…');
    await until(() => FakeEventSource.latest !== undefined, 'the status stream');
    expect(server.requestsTo('POST', '/api/sessions')).to.have.length(0);
    expect(new URL(location.href).searchParams.get('pasarela_session')).to.equal(current.id);
    FakeEventSource.latest!.status(current);
    await mounted.element.updateComplete;
    expect(text(mounted.element, '[part="status"] h2')).to.equal('Confirmando tu pago…');
    FakeEventSource.latest!.status({ ...current, status: 'paid' });
    await until(() => text(mounted!.element, '[part="status"] h2') === 'Pago recibido', 'the paid screen');
    expect(eventTypesOf(mounted.events)).to.deep.equal(['ready', 'status:pending', 'status:paid', 'paid']);
    const url = new URL(location.href);
    expect(url.searchParams.has('pasarela_session')).to.equal(false);
    expect(url.searchParams.get('keep')).to.equal('me');
  });

  it('shows the final screen at once when the session is already final', async () => {
    current = { ...current, status: 'failed' };
    mounted = await mount({ 'order-id': '348820', locale: 'en' });
    await until(
      () => text(mounted!.element, '[part="status"] h2') === 'The payment did not go through',
      'final',
    );
    expect(FakeEventSource.instances).to.have.length(0);
    expect(new URL(location.href).searchParams.has('pasarela_session')).to.equal(false);
    expect(eventTypesOf(mounted.events)).to.deep.equal(['ready', 'status:failed', 'failed']);
  });

  it('starts over with the picker when the session is unknown', async () => {
    server.on('GET', /^\/api\/sessions\/ps_\w+$/, () =>
      errorResponse(404, 'session_not_found', 'No session.'),
    );
    mounted = await mount({ 'order-id': '348820', locale: 'en' });
    await until(() => $(mounted!.element, '[part="status"] button') !== null, 'the error screen');
    expect(new URL(location.href).searchParams.has('pasarela_session')).to.equal(false);
    $(mounted.element, '[part="status"] button')!.click();
    await until(() => $(mounted!.element, 'fieldset') !== null, 'the picker');
  });

  it('retries reading the session after a network failure', async () => {
    let fail = true;
    server.on('GET', /^\/api\/sessions\/ps_\w+$/, () =>
      fail ? Promise.reject(new TypeError('Failed to fetch')) : json({ ...current, status: 'paid' }),
    );
    mounted = await mount({ 'order-id': '348820', locale: 'en' });
    await until(() => $(mounted!.element, '[part="status"] button') !== null, 'the error screen');
    fail = false;
    $(mounted.element, '[part="status"] button')!.click();
    await until(() => text(mounted!.element, '[part="status"] h2') === 'Payment received', 'the paid screen');
  });

  it('resumes only on the element of the session’s order; the other offers its own order', async () => {
    current = { ...current, orderId: 'A-1' };
    mounted = await mount({ 'order-id': 'A-1', locale: 'en' });
    const other = await mount({ 'order-id': 'B-2', locale: 'en' });
    try {
      await until(() => $(other.element, 'fieldset') !== null, 'the other element’s picker');
      expect(errorCodes(other.events)).to.deep.equal(['session_mismatch']);
      expect(eventTypesOf(other.events)).to.deep.equal(['error', 'ready']);
      // The address still names the session, for the element it belongs to.
      expect(new URL(location.href).searchParams.get('pasarela_session')).to.equal(current.id);
      await until(() => FakeEventSource.instances.length === 1, 'the owner’s status stream');
      FakeEventSource.latest!.status({ ...current, status: 'paid' });
      await until(() => text(mounted!.element, '[part="status"] h2') === 'Payment received', 'paid');
      expect(eventTypesOf(mounted.events)).to.deep.equal(['ready', 'status:pending', 'status:paid', 'paid']);
      expect(eventTypesOf(other.events)).to.deep.equal(['error', 'ready']);
      // Its buyer can still pay its own order.
      const own = session({ provider: 'etpay', orderId: 'B-2' });
      server.on('POST', '/api/sessions', () => json(own, 201));
      await choose(other.element, 'etpay');
      await pay(other.element);
      await until(() => other.navigations.length === 1, 'the other element’s redirect');
      expect(server.requestsTo('POST', '/api/sessions')[0]!.body).to.deep.equal({
        provider: 'etpay',
        orderId: 'B-2',
      });
    } finally {
      other.element.remove();
    }
  });

  const tokens = [
    ['its own order', {}, true],
    ['another order id', { order_id: 'B-2' }, false],
    ['another amount', { amount: 15000 }, false],
    ['another currency', { currency: 'COP' }, false],
  ] as const;
  for (const [what, claims, owns] of tokens) {
    it(`${owns ? 'resumes' : 'ignores'} a session of ${what} by the order token’s claims`, async () => {
      mounted = await mount({
        order: orderToken({ amount: 12000, currency: 'CLP', ...claims }),
        locale: 'en',
      });
      if (owns) {
        await until(() => FakeEventSource.latest !== undefined, 'the status stream');
        expect(text(mounted.element, '[part="status"] h2')).to.equal('Confirming your payment…');
        expect(errorCodes(mounted.events)).to.deep.equal([]);
      } else {
        await until(() => $(mounted!.element, 'fieldset') !== null, 'the picker');
        expect(errorCodes(mounted.events)).to.deep.equal(['session_mismatch']);
        expect(FakeEventSource.instances).to.have.length(0);
        expect(new URL(location.href).searchParams.get('pasarela_session')).to.equal(current.id);
      }
    });
  }

  it('resumes any session when it has neither order nor order-id', async () => {
    current = { ...current, orderId: 'anything', status: 'paid' };
    mounted = await mount({ locale: 'en' });
    await until(() => text(mounted!.element, '[part="status"] h2') === 'Payment received', 'the paid screen');
    expect(eventTypesOf(mounted.events)).to.deep.equal(['ready', 'status:paid', 'paid']);
  });
});
