import { expect } from 'chai';
import type { PasarelaBeforeRedirectEvent } from '../../widget/events.js';
import { $, eventTypesOf, type Mounted, mount, pay, text, until } from './helpers/fixture.js';
import {
  config,
  etpayInfo,
  FakeEventSource,
  json,
  orderToken,
  StubServer,
  session,
} from './helpers/stub-server.js';

describe('<pasarela-checkout> with ETpay (redirect)', () => {
  let server: StubServer;
  let mounted: Mounted | undefined;
  const created = session({ provider: 'etpay' });

  beforeEach(async () => {
    server = new StubServer()
      .install()
      .on('GET', '/api/config', () => json(config(etpayInfo)))
      .on('POST', '/api/sessions', () => json(created, 201));
    mounted = await mount({ order: orderToken(), locale: 'es-CL' });
    await until(() => $(mounted!.element, 'input:checked') !== null, 'the picker');
  });
  afterEach(() => {
    mounted?.element.remove();
    server.restore();
  });

  it('fires pasarela-before-redirect and then navigates to the funnel', async () => {
    const redirects: PasarelaBeforeRedirectEvent[] = [];
    mounted!.element.addEventListener('pasarela-before-redirect', (event) => redirects.push(event));
    await pay(mounted!.element);
    await until(() => mounted!.navigations.length === 1, 'the navigation');
    expect(mounted!.navigations).to.deep.equal([created.action!.url]);
    expect(redirects[0]!.detail.url).to.equal(created.action!.url);
    expect(redirects[0]!.cancelable).to.equal(true);
    expect(text(mounted!.element, '[part="status"]')).to.contain('Te llevamos a ETpay');
    expect($(mounted!.element, '[part="status"] a')!.getAttribute('href')).to.equal(created.action!.url);
  });

  it('does not navigate when the merchant cancels pasarela-before-redirect', async () => {
    mounted!.element.addEventListener('pasarela-before-redirect', (event) => event.preventDefault());
    await pay(mounted!.element);
    await until(() => mounted!.events.some((e) => e.type === 'pasarela-before-redirect'), 'the event');
    await until(() => FakeEventSource.latest !== undefined, 'the status stream');
    expect(mounted!.navigations).to.deep.equal([]);
  });

  it('fires session, status and before-redirect in order, then follows the status to paid', async () => {
    mounted!.element.addEventListener('pasarela-before-redirect', (event) => event.preventDefault());
    await pay(mounted!.element);
    await until(() => FakeEventSource.latest !== undefined, 'the status stream');
    const stream = FakeEventSource.latest!;
    expect(stream.url).to.equal(`${location.origin}/api/sessions/${created.id}/events`);
    stream.status(created);
    stream.status({ ...created, status: 'paid', updatedAt: '2030-01-01T00:01:00.000Z' });
    await until(() => mounted!.events.some((e) => e.type === 'pasarela-paid'), 'pasarela-paid');
    expect(eventTypesOf(mounted!.events)).to.deep.equal([
      'ready',
      'session',
      'status:pending',
      'before-redirect',
      'status:paid',
      'paid',
    ]);
    expect(stream.closed).to.equal(true);
    expect(text(mounted!.element, '[part="status"]')).to.contain('Pago recibido');
    expect(text(mounted!.element, '[part="status"]')).to.contain('Pagaste $12.000');
  });
});
