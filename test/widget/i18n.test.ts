import { expect } from 'chai';
import { formatAmount, formatDuration } from '../../widget/format.js';
import { resolveLocale, translator } from '../../widget/i18n.js';
import { $, type Mounted, mount, pay, text, until } from './helpers/fixture.js';
import {
  config,
  etpayInfo,
  json,
  orderToken,
  StubServer,
  session,
  tpagaInfo,
} from './helpers/stub-server.js';

describe('widget text and amounts', () => {
  it('formats pesos without decimals, the way each locale writes them', () => {
    expect(formatAmount(12000, 'CLP', 'es-CL')).to.equal('$12.000');
    expect(formatAmount(1234567, 'CLP', 'es')).to.equal('$1.234.567');
    expect(formatAmount(12000, 'COP', 'es-CO')).to.equal('$\u00a012.000');
    expect(formatAmount(12000, 'CLP', 'en')).to.equal('CLP\u00a012,000');
    expect(formatAmount(12000, 'COP', 'en')).to.equal('COP\u00a012,000');
    expect(formatAmount(999, 'COP', 'en')).to.not.contain('.');
  });

  it('formats a countdown as m:ss', () => {
    expect(formatDuration(30 * 60_000)).to.equal('30:00');
    expect(formatDuration(61_001)).to.equal('1:02');
    expect(formatDuration(2 * 3600_000 + 5_000)).to.equal('2:00:05');
    expect(formatDuration(-5)).to.equal('0:00');
  });

  it('takes the locale attribute, else the browser’s language, else Spanish', () => {
    expect(resolveLocale('es-CL')).to.equal('es-CL');
    expect(resolveLocale('es-co')).to.equal('es-CO');
    expect(resolveLocale('en-GB')).to.equal('en');
    expect(resolveLocale('es-MX')).to.equal('es');
    expect(resolveLocale('')).to.equal(resolveLocale(navigator.language));
    const original = Object.getOwnPropertyDescriptor(Navigator.prototype, 'language')!;
    try {
      Object.defineProperty(navigator, 'language', { configurable: true, value: 'pt-BR' });
      expect(resolveLocale(undefined)).to.equal('es');
      expect(resolveLocale('fr')).to.equal('es');
    } finally {
      delete (navigator as { language?: string }).language;
      expect(Object.getOwnPropertyDescriptor(Navigator.prototype, 'language')).to.deep.equal(original);
    }
  });

  it('lets a merchant override any string, placeholders included', () => {
    const t = translator('en', { payAmount: 'Buy now for {amount}' });
    expect(t('payAmount', { amount: 'CLP 1' })).to.equal('Buy now for CLP 1');
    expect(t('pay')).to.equal('Pay');
  });
});

describe('<pasarela-checkout> in each locale', () => {
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

  const cases = [
    ['es-CL', etpayInfo, 'CLP', 'Pagar $12.000', 'Pagaste $12.000. ¡Gracias!'],
    ['es-CO', tpagaInfo, 'COP', 'Pagar $\u00a012.000', 'Pagaste $\u00a012.000. ¡Gracias!'],
    ['en', etpayInfo, 'CLP', 'Pay CLP\u00a012,000', 'You paid CLP\u00a012,000. Thank you!'],
  ] as const;
  for (const [locale, provider, currency, payLabel, paidText] of cases) {
    it(`speaks ${locale} and formats ${currency}`, async () => {
      const paid = session({ provider: provider.id, currency, status: 'paid' });
      server
        .on('GET', '/api/config', () => json(config(provider)))
        .on('POST', '/api/sessions', () => json(paid, 201));
      mounted = await mount({ order: orderToken({ amount: 12000, currency }), locale });
      await until(() => $(mounted!.element, 'input:checked') !== null, 'the picker');
      expect(text(mounted.element, '[part="pay-button"]')).to.equal(payLabel);
      await pay(mounted.element);
      await until(() => $(mounted!.element, '[part="status"] p') !== null, 'the paid screen');
      expect(text(mounted.element, '[part="status"] p')).to.equal(paidText);
    });
  }

  it('re-renders in the new language when the locale changes', async () => {
    server.on('GET', '/api/config', () => json(config()));
    mounted = await mount({ 'order-id': '1', locale: 'es-CL' });
    await until(() => $(mounted!.element, 'legend') !== null, 'the picker');
    expect(text(mounted.element, 'legend')).to.equal('Elige cómo pagar');
    mounted.element.locale = 'en';
    await mounted.element.updateComplete;
    expect(text(mounted.element, 'legend')).to.equal('Choose how to pay');
    mounted.element.strings = { choose: 'Payment method' };
    await mounted.element.updateComplete;
    expect(text(mounted.element, 'legend')).to.equal('Payment method');
  });
});
