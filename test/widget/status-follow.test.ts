import { expect } from 'chai';
import type { Session } from '../../widget/types.js';
import { $, eventTypesOf, type Mounted, mount, pay, shows, text, until } from './helpers/fixture.js';
import {
  config,
  errorResponse,
  etpayInfo,
  FakeEventSource,
  json,
  orderToken,
  StubServer,
  session,
} from './helpers/stub-server.js';

describe('<pasarela-checkout> following the status', () => {
  let server: StubServer;
  let mounted: Mounted;
  let current: Session;
  let hidden = false;
  const reads = () => server.requestsTo('GET', /^\/api\/sessions\/ps_\w+$/).length;

  /** Pays with ETpay (navigation recorded, not performed) and returns once the stream is open. */
  async function start(overrides: Partial<Session> = {}) {
    current = session({ provider: 'etpay', ...overrides });
    server
      .on('GET', '/api/config', () => json(config(etpayInfo)))
      .on('POST', '/api/sessions', () => json(current, 201))
      .on('GET', /^\/api\/sessions\/ps_\w+$/, () => json(current));
    mounted = await mount({ order: orderToken(), locale: 'en' });
    await until(() => $(mounted.element, 'input:checked') !== null, 'the picker');
    await pay(mounted.element);
    await until(() => FakeEventSource.latest !== undefined, 'the status stream');
    return FakeEventSource.latest!;
  }

  beforeEach(() => {
    server = new StubServer().install();
    hidden = false;
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  });
  afterEach(() => {
    mounted?.element.remove();
    server.restore();
    delete (document as { hidden?: boolean }).hidden;
  });

  it('uses server-sent events first and does not poll while they work', async () => {
    const stream = await start();
    stream.status(current);
    await mounted.clock.tick(120_000);
    expect(reads()).to.equal(0);
    expect(stream.closed).to.equal(false);
  });

  it('falls back to polling every 2 s when the event stream fails', async () => {
    const stream = await start();
    stream.fail();
    await until(() => reads() === 1, 'the first poll');
    await mounted.clock.tick(10_000);
    expect(reads()).to.equal(6);
    current = { ...current, status: 'failed' };
    await mounted.clock.tick(2_000);
    expect(reads()).to.equal(7);
    expect(text(mounted.element, '[part="status"]')).to.contain('The payment did not go through');
    await mounted.clock.tick(60_000);
    expect(reads()).to.equal(7);
    expect(eventTypesOf(mounted.events).slice(-2)).to.deep.equal(['status:failed', 'failed']);
  });

  it('polls when no event arrives within 10 s (a buffering proxy)', async () => {
    await start();
    await mounted.clock.tick(9_999);
    expect(reads()).to.equal(0);
    await mounted.clock.tick(1);
    expect(reads()).to.equal(1);
    expect(FakeEventSource.latest!.closed).to.equal(true);
  });

  it('slows down to 5–10 s with jitter after the first minute', async () => {
    const stream = await start();
    stream.fail();
    await mounted.clock.tick(60_000);
    const fast = reads();
    expect(fast).to.equal(31);
    mounted.clock.randomValue = 0.5;
    expect(mounted.clock.pending).to.include(7_500);
    await mounted.clock.tick(7_500);
    expect(reads()).to.equal(fast + 1);
    mounted.clock.randomValue = 0;
    await mounted.clock.tick(7_500);
    expect(reads()).to.equal(fast + 2);
    expect(mounted.clock.pending).to.include(5_000);
  });

  it('pauses polling while the tab is hidden and refreshes when it shows again', async () => {
    const stream = await start();
    stream.fail();
    await until(() => reads() === 1, 'the first poll');
    hidden = true;
    document.dispatchEvent(new Event('visibilitychange'));
    await mounted.clock.tick(2_000); // the poll already scheduled finds the tab hidden
    await mounted.clock.tick(60_000);
    expect(reads()).to.equal(1);
    current = { ...current, status: 'paid' };
    hidden = false;
    document.dispatchEvent(new Event('visibilitychange'));
    await until(() => reads() === 2, 'the refresh');
    await until(
      () => text(mounted.element, '[part="status"]').includes('Payment received'),
      'the paid screen',
    );
  });

  it('honours Retry-After on 429 and 503', async () => {
    const stream = await start();
    let answer = errorResponse(429, 'rate_limited', 'Too many requests', { 'Retry-After': '30' });
    server.on('GET', /^\/api\/sessions\/ps_\w+$/, () => answer);
    stream.fail();
    await until(() => reads() === 1, 'the first poll');
    await mounted.clock.tick(29_999);
    expect(reads()).to.equal(1);
    answer = errorResponse(503, 'unavailable', 'Busy', { 'Retry-After': '20' });
    await mounted.clock.tick(1);
    expect(reads()).to.equal(2);
    await mounted.clock.tick(19_999);
    expect(reads()).to.equal(2);
    server.on('GET', /^\/api\/sessions\/ps_\w+$/, () => json(current));
    await mounted.clock.tick(1);
    expect(reads()).to.equal(3);
    expect($(mounted.element, '[part="status"] h2')!.textContent).to.contain('Taking you to ETpay');
  });

  it('keeps polling through network errors', async () => {
    const stream = await start();
    server.on('GET', /^\/api\/sessions\/ps_\w+$/, () => Promise.reject(new TypeError('Failed to fetch')));
    stream.fail();
    await mounted.clock.tick(6_000);
    expect(reads()).to.equal(4);
    expect(mounted.events.some((e) => e.type === 'pasarela-error')).to.equal(false);
  });

  it('stops with an error when the session is gone', async () => {
    const stream = await start();
    server.on('GET', /^\/api\/sessions\/ps_\w+$/, () =>
      errorResponse(404, 'session_not_found', 'No session.'),
    );
    stream.fail();
    await until(() => mounted.events.some((e) => e.type === 'pasarela-error'), 'pasarela-error');
    await mounted.clock.tick(60_000);
    expect(reads()).to.equal(1);
  });

  // The buyer paid 3 s before expiry and the provider's webhook is 20 s late: only the server
  // knows how the session ended, so the widget must neither say "not charged" nor fire failed.
  it('waits on a confirming screen past expiresAt until the server reports paid', async () => {
    const expiresAt = new Date(Date.parse('2030-01-01T00:00:00.000Z') + 60_000).toISOString();
    const stream = await start({ expiresAt });
    stream.status(current);
    await mounted.clock.tick(60_000);
    expect(text(mounted.element, '[part="status"] h2')).to.equal('Confirming your payment…');
    await mounted.clock.tick(20_000);
    expect(text(mounted.element, '[part="status"]')).to.not.match(/not been charged|ran out/);
    expect(shows(mounted.element, '[part="status"] a')).to.equal(false);
    expect(eventTypesOf(mounted.events)).to.not.include('failed');
    expect(stream.closed).to.equal(false);
    stream.status({ ...current, status: 'paid' });
    await until(() => text(mounted.element, '[part="status"] h2') === 'Payment received', 'the paid screen');
    expect(eventTypesOf(mounted.events).slice(-2)).to.deep.equal(['status:paid', 'paid']);
    expect(eventTypesOf(mounted.events)).to.not.include('failed');
  });

  it('polls slowly past expiresAt, and shows expired once the server says so', async () => {
    const expiresAt = new Date(Date.parse('2030-01-01T00:00:00.000Z') + 30_000).toISOString();
    const stream = await start({ expiresAt });
    stream.fail();
    await until(() => reads() === 1, 'the first poll');
    await mounted.clock.tick(30_000);
    expect(reads()).to.equal(16);
    expect(text(mounted.element, '[part="status"] h2')).to.equal('Confirming your payment…');
    // Within the first minute of polling, yet past expiry: the slow pace, 5–10 s.
    expect(mounted.clock.pending).to.deep.equal([7_500]);
    await mounted.clock.tick(60_000);
    expect(reads()).to.equal(24);
    expect(eventTypesOf(mounted.events)).to.not.include('failed');
    current = { ...current, status: 'expired' };
    await mounted.clock.tick(7_500);
    await until(() => text(mounted.element, '[part="status"] h2') === 'The time to pay ran out', 'expired');
    expect(eventTypesOf(mounted.events).slice(-2)).to.deep.equal(['status:expired', 'failed']);
    expect($(mounted.element, '[part="status"] button')!.textContent!.trim()).to.equal('Try again');
  });

  it('stops following when removed from the page and resumes when put back', async () => {
    const stream = await start();
    stream.fail();
    await until(() => reads() === 1, 'the first poll');
    mounted.element.remove();
    await mounted.clock.tick(30_000);
    expect(reads()).to.equal(1);
    expect(mounted.clock.pending).to.deep.equal([]);
    document.body.append(mounted.element);
    await until(() => FakeEventSource.instances.length === 2, 'a new stream');
    FakeEventSource.latest!.status({ ...current, status: 'paid' });
    await until(
      () => text(mounted.element, '[part="status"]').includes('Payment received'),
      'the paid screen',
    );
  });

  it('keeps two elements on the same session in step', async () => {
    const stream = await start();
    const other = await mount({ order: orderToken(), locale: 'en' });
    await until(() => $(other.element, 'input:checked') !== null, 'the second picker');
    await pay(other.element);
    await until(() => FakeEventSource.instances.length === 2, 'the second stream');
    for (const source of FakeEventSource.instances) source.status({ ...current, status: 'paid' });
    await until(() => text(other.element, '[part="status"]').includes('Payment received'), 'the second paid');
    expect(text(mounted.element, '[part="status"]')).to.contain('Payment received');
    expect(stream.closed).to.equal(true);
    other.element.remove();
  });
});
