import { expect } from 'chai';
import type { Session } from '../../widget/types.js';
import { $, eventTypesOf, type Mounted, mount, text, until } from './helpers/fixture.js';
import { config, errorResponse, FakeEventSource, json, StubServer, session } from './helpers/stub-server.js';

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
});
