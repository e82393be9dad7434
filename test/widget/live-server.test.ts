// The widget against the real Pasarela server and its sandboxes (started by
// scripts/wtr-live-server.mjs): real /api/config, session creation, QR, SSE and a real payment
// made on the Tpaga sandbox's wallet page.
import { expect } from 'chai';
import '../../widget/index.js';
import type { PasarelaCheckout } from '../../widget/pasarela-checkout.js';
import { $, pay, until } from './helpers/fixture.js';

async function live(): Promise<{ url: string; order: string }> {
  const { url } = (await (await fetch('/__pasarela/server.json')).json()) as { url: string };
  const { order } = (await (await fetch('/__pasarela/order?currency=COP&amount=12000')).json()) as {
    order: string;
  };
  return { url, order };
}

describe('<pasarela-checkout> against the real server and sandboxes', () => {
  let element: PasarelaCheckout | undefined;
  afterEach(() => element?.remove());

  async function startTpagaPayment() {
    const { url, order } = await live();
    element = document.createElement('pasarela-checkout');
    element.setAttribute('server', url);
    element.setAttribute('order', order);
    element.setAttribute('locale', 'es-CO');
    const events: string[] = [];
    for (const type of ['pasarela-session', 'pasarela-paid', 'pasarela-failed', 'pasarela-error']) {
      element.addEventListener(type, () => events.push(type));
    }
    document.body.append(element);
    await until(() => $(element!, 'input[value="tpaga"]') !== null, 'the picker from /api/config');
    $(element, 'input[value="tpaga"]')!.click();
    await element.updateComplete;
    await pay(element);
    await until(() => $(element!, '[part="qr"]') !== null, 'the QR code');
    const qr = $(element, '[part="qr"]') as HTMLImageElement;
    await until(() => qr.complete && qr.naturalWidth > 0, 'the QR image from the server');
    const link = ($(element, '[part="status"] a') as HTMLAnchorElement).href;
    expect(link.startsWith(`${url}/sandbox/tpaga/w/`)).to.equal(true);
    expect(events).to.deep.equal(['pasarela-session']);
    return { link, events };
  }

  it('turns paid live when the buyer pays in the Tpaga sandbox wallet', async () => {
    const { link, events } = await startTpagaPayment();
    // The buyer's phone submits the wallet page's form; this page only hears about it over SSE.
    await fetch(link, { method: 'POST', body: new URLSearchParams({ action: 'approve' }), mode: 'no-cors' });
    await until(() => events.includes('pasarela-paid'), 'pasarela-paid');
    expect(events).to.deep.equal(['pasarela-session', 'pasarela-paid']);
  });

  it('turns failed live when the buyer rejects in the wallet', async () => {
    const { link, events } = await startTpagaPayment();
    await fetch(link, { method: 'POST', body: new URLSearchParams({ action: 'reject' }), mode: 'no-cors' });
    await until(() => events.includes('pasarela-failed'), 'pasarela-failed');
    expect(events).to.deep.equal(['pasarela-session', 'pasarela-failed']);
  });
});
