import { expect } from 'chai';
import { $, eventTypesOf, type Mounted, mount, pay, shows, text, until } from './helpers/fixture.js';
import { config, FakeEventSource, json, StubServer, session, tpagaInfo } from './helpers/stub-server.js';

describe('<pasarela-checkout> with Tpaga (wallet)', () => {
  let server: StubServer;
  let mounted: Mounted | undefined;
  const originalOpen = window.open;
  const originalMatchMedia = window.matchMedia;

  async function payWithTpaga(expiresInMs: number | null = 30 * 60_000) {
    const clockStart = Date.parse('2030-01-01T00:00:00.000Z');
    const created = session({
      provider: 'tpaga',
      expiresAt: expiresInMs === null ? null : new Date(clockStart + expiresInMs).toISOString(),
    });
    server.on('POST', '/api/sessions', () => json(created, 201));
    mounted = await mount({ 'order-id': '348820', locale: 'es-CO' });
    await until(() => $(mounted!.element, 'input:checked') !== null, 'the picker');
    await pay(mounted.element);
    await until(() => mounted!.events.some((e) => e.type === 'pasarela-session'), 'the session');
    await mounted.element.updateComplete;
    return created;
  }

  beforeEach(() => {
    server = new StubServer().install().on('GET', '/api/config', () => json(config(tpagaInfo)));
  });
  afterEach(() => {
    mounted?.element.remove();
    server.restore();
    window.open = originalOpen;
    window.matchMedia = originalMatchMedia;
    delete (navigator as { clipboard?: unknown }).clipboard;
  });

  it('shows the QR code, an open-here link, a copy button and the time left on a desktop', async () => {
    const created = await payWithTpaga(30 * 60_000);
    const status = $(mounted!.element, '[part="status"]')!;
    const qr = $(mounted!.element, '[part="qr"]') as HTMLImageElement;
    expect(qr.src).to.equal(`${location.origin}/test/widget/fixtures/qr.svg`);
    expect(qr.alt).to.equal('Código QR para pagar con Tpaga');
    const link = status.querySelector('a')!;
    expect(link.href).to.equal(created.action!.url);
    expect(link.textContent!.trim()).to.equal('Abrir en este dispositivo');
    expect(text(mounted!.element, '.countdown')).to.equal('El código expira en 30:00');
    expect(text(mounted!.element, '[part="status"]')).to.contain('$\u00a012.000');
    expect(mounted!.navigations).to.deep.equal([]);
  });

  it('counts down to expiresAt once a second', async () => {
    const created = await payWithTpaga(90_000);
    FakeEventSource.latest!.status(created);
    expect(text(mounted!.element, '.countdown')).to.equal('El código expira en 1:30');
    await mounted!.clock.tick(1000);
    expect(text(mounted!.element, '.countdown')).to.equal('El código expira en 1:29');
    await mounted!.clock.tick(60_000);
    expect(text(mounted!.element, '.countdown')).to.equal('El código expira en 0:29');
  });

  it('stops offering the QR code when the countdown reaches 0, and confirms instead', async () => {
    const created = await payWithTpaga(90_000);
    FakeEventSource.latest!.status(created);
    await mounted!.clock.tick(89_000);
    expect(text(mounted!.element, '.countdown')).to.equal('El código expira en 0:01');
    await mounted!.clock.tick(1_000);
    expect(shows(mounted!.element, '[part="qr"]')).to.equal(false);
    expect(shows(mounted!.element, '[part="status"] a')).to.equal(false);
    expect(text(mounted!.element, '[part="status"] h2')).to.equal('Confirmando tu pago…');
    expect(eventTypesOf(mounted!.events)).to.not.include('failed');
    FakeEventSource.latest!.status({ ...created, status: 'paid' });
    await until(() => text(mounted!.element, '[part="status"] h2') === 'Pago recibido', 'the paid screen');
  });

  it('copies the payment link to the clipboard', async () => {
    const copied: string[] = [];
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (value: string) => void copied.push(value) },
    });
    const created = await payWithTpaga();
    const button = $(mounted!.element, '[part="status"] button')!;
    expect(button.textContent!.trim()).to.equal('Copiar enlace');
    button.click();
    await until(() => button.textContent!.trim() === 'Enlace copiado', 'the copied label');
    expect(copied).to.deep.equal([created.action!.url]);
  });

  it('updates live from the status stream while the buyer pays on the phone', async () => {
    const created = await payWithTpaga();
    const stream = FakeEventSource.latest!;
    stream.status(created);
    await mounted!.element.updateComplete;
    expect($(mounted!.element, '[part="qr"]')).to.not.equal(null);
    stream.status({ ...created, status: 'paid' });
    await until(() => text(mounted!.element, '[part="status"]').includes('Pago recibido'), 'the paid screen');
    expect(eventTypesOf(mounted!.events)).to.deep.equal([
      'ready',
      'session',
      'status:pending',
      'status:paid',
      'paid',
    ]);
    const paid = mounted!.events.at(-1) as Event & { detail: { session: { id: string } } };
    expect(paid.detail.session.id).to.equal(created.id);
  });

  it('opens the payment link from the pay click on a phone', async () => {
    window.matchMedia = ((query: string) => ({
      matches: query === '(pointer: coarse)',
    })) as typeof matchMedia;
    const popup = { opener: {} as unknown, location: { href: 'about:blank' }, closed: false, close() {} };
    const opened: unknown[][] = [];
    window.open = ((...args: unknown[]) => {
      opened.push(args);
      return popup;
    }) as typeof window.open;
    const created = await payWithTpaga();
    // Opened synchronously inside the click, before the session existed.
    expect(opened).to.deep.equal([['', '_blank']]);
    expect(popup.opener).to.equal(null);
    expect(popup.location.href).to.equal(created.action!.url);
    expect(mounted!.navigations).to.deep.equal([]);
    expect($(mounted!.element, '[part="qr"]')).to.equal(null);
    expect(text(mounted!.element, '[part="status"]')).to.contain('Completa el pago en Tpaga');
    expect($(mounted!.element, '[part="status"] a')!.getAttribute('href')).to.equal(created.action!.url);
  });

  it('goes to the payment link in this tab when the phone blocks the new window', async () => {
    window.matchMedia = ((query: string) => ({
      matches: query === '(pointer: coarse)',
    })) as typeof matchMedia;
    window.open = (() => null) as typeof window.open;
    const created = await payWithTpaga();
    expect(mounted!.navigations).to.deep.equal([created.action!.url]);
  });
});
