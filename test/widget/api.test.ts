import { expect } from 'chai';
import { PasarelaApi } from '../../widget/api.js';
import type { Session } from '../../widget/types.js';
import { $, type Mounted, mount, pay, text, until } from './helpers/fixture.js';
import { config, FakeEventSource, json, StubServer, session, tpagaInfo } from './helpers/stub-server.js';

describe('PasarelaApi URLs', () => {
  it('puts every API path under a base that carries a path, with or without a trailing slash', () => {
    for (const base of [
      'https://shop.example/pay',
      'https://shop.example/pay/',
      'https://shop.example/pay//',
    ]) {
      const api = new PasarelaApi(base);
      expect(api.url('/api/config'), base).to.equal('https://shop.example/pay/api/config');
      expect(api.url('/api/sessions'), base).to.equal('https://shop.example/pay/api/sessions');
      expect(api.eventsUrl('ps_1'), base).to.equal('https://shop.example/pay/api/sessions/ps_1/events');
    }
  });

  it('puts API paths at the root of a base without a path', () => {
    for (const base of ['https://shop.example', 'https://shop.example/']) {
      expect(new PasarelaApi(base).url('/api/config'), base).to.equal('https://shop.example/api/config');
    }
  });

  it('resolves a root-relative QR path, which carries the mount path already, against the origin', () => {
    const api = new PasarelaApi('https://shop.example/pay');
    expect(api.resolve('/pay/api/sessions/ps_1/qr.svg')).to.equal(
      'https://shop.example/pay/api/sessions/ps_1/qr.svg',
    );
    expect(api.resolve('https://cdn.example/qr.svg')).to.equal('https://cdn.example/qr.svg');
  });
});

describe('<pasarela-checkout> with a server mounted under a path', () => {
  let server: StubServer;
  let mounted: Mounted | undefined;
  let current: Session;
  const base = `${location.origin}/pay`;

  beforeEach(() => {
    current = session({ provider: 'tpaga' });
    current = {
      ...current,
      action: {
        type: 'wallet',
        url: 'https://wallet.example/1',
        qr: `/pay/api/sessions/${current.id}/qr.svg`,
      },
    };
    // Mounted at /pay: a request that drops the prefix gets a 404, as from a real mount.
    server = new StubServer('/pay')
      .install()
      .on('GET', '/api/config', () => json(config(tpagaInfo)))
      .on('POST', '/api/sessions', () => json(current, 201))
      .on('GET', /^\/api\/sessions\/ps_\w+$/, () => json(current));
  });
  afterEach(() => {
    mounted?.element.remove();
    mounted = undefined;
    server.restore();
  });

  for (const serverUrl of [base, `${base}/`]) {
    it(`asks for config, sessions, events and the QR code under the path (${serverUrl})`, async () => {
      mounted = await mount({ 'order-id': '348820', locale: 'en', server: serverUrl });
      await until(() => $(mounted!.element, 'input:checked') !== null, 'the picker');
      await pay(mounted.element);
      await until(() => $(mounted!.element, '[part="qr"]') !== null, 'the wallet screen');
      expect(($(mounted.element, '[part="qr"]') as HTMLImageElement).src).to.equal(
        `${base}/api/sessions/${current.id}/qr.svg`,
      );
      expect(FakeEventSource.latest!.url).to.equal(`${base}/api/sessions/${current.id}/events`);
      current = { ...current, status: 'paid' };
      FakeEventSource.latest!.fail();
      await until(
        () => text(mounted!.element, '[part="status"] h2') === 'Payment received',
        'the paid screen',
      );
      expect(requestsUrls()).to.deep.equal([
        `GET ${base}/api/config`,
        `POST ${base}/api/sessions`,
        `GET ${base}/api/sessions/${current.id}`,
      ]);
    });
  }

  function requestsUrls(): string[] {
    return server.requests.map((r) => `${r.method} ${r.url}`);
  }
});
