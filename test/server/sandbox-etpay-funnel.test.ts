import { afterEach, describe, expect, it } from 'vitest';
import { type EtpayFixture, startEtpay } from './sandbox-etpay.fixture.js';

let etpay: EtpayFixture;
afterEach(async () => {
  await etpay?.close();
});

const page = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
};

describe('ETpay sandbox: funnel pages', () => {
  it('shows the order, the amount as $50.000, the shown metadata and the bank list', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize({
      metadata: [
        { name: '2 x Entrada general', value: '50000', show: true },
        { name: 'internal-ref', value: 'hidden-value', show: false },
      ],
    });
    const step1 = await page(`${etpay.base}/pmt/session/${token}`);
    expect(step1.status).toBe(200);
    expect(step1.type).toMatch(/^text\/html/);
    expect(step1.text).toContain('lang="es"');
    expect(step1.text).toContain('OC-700104');
    expect(step1.text).toContain('$50.000');
    expect(step1.text).toContain('2 x Entrada general');
    expect(step1.text).not.toContain('hidden-value');
    expect(step1.text).toContain('Banco Prueba');
    for (const code of ['ETPAY_BANCOPRUEBA', 'cl_estado', 'cl_santander', 'cl_bch', 'cl_bci']) {
      expect(step1.text).toContain(`value="${code}"`);
    }
    for (const code of ['cl_falabella', 'cl_itau', 'cl_scotiabank', 'cl_mach']) {
      expect(step1.text).toContain(`value="${code}"`);
    }
    expect(step1.text).toContain(`action="${etpay.base}/pmt/session/${token}/bank"`);
    expect(step1.text).not.toContain('<script');
  });

  it('escapes what the merchant sent', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize({ metadata: [{ name: '<b>x</b>', value: '"1"', show: true }] });
    const { text } = await page(`${etpay.base}/pmt/session/${token}`);
    expect(text).not.toContain('<b>x</b>');
    expect(text).toContain('&lt;b&gt;x&lt;/b&gt;');
  });

  it('shows step 2 after a bank is chosen, with the default RUT and both decisive buttons', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize();
    const response = await etpay.form(`/session/${token}/bank`, { bank_code: 'ETPAY_BANCOPRUEBA' });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('Banco Prueba');
    expect(text).toMatch(/<input name="user_rut" value="11111111-1"[^>]*>/);
    expect(text).not.toMatch(/<input name="user_rut"[^>]*readonly/);
    expect(text).toContain('type="password"');
    expect(text).toContain(`action="${etpay.base}/pmt/session/${token}/decision"`);
    expect(text).toMatch(/<button[^>]*name="action" value="approve" data-action="approve"/);
    expect(text).toMatch(/<button[^>]*name="action" value="reject" data-action="reject"/);
  });

  it('asks again for a bank when the code is unknown', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize();
    const response = await etpay.form(`/session/${token}/bank`, { bank_code: 'cl_nope' });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('Elige un banco');
    expect(text).not.toMatch(/<button[^>]*data-action="approve"/);
  });

  it('skips to step 2 for a known user_bank_code and ignores an unknown one', async () => {
    etpay = await startEtpay();
    const known = await etpay.initialize({ user_bank_code: 'cl_bci' });
    const skipped = await page(`${etpay.base}/pmt/session/${known.token}`);
    expect(skipped.text).toContain('Bci');
    expect(skipped.text).toMatch(/<button[^>]*data-action="approve"/);
    const unknown = await etpay.initialize({ user_bank_code: 'cl_unknown' });
    const listed = await page(`${etpay.base}/pmt/session/${unknown.token}`);
    expect(listed.text).toContain('Elige tu banco');
    expect(listed.text).not.toMatch(/<button[^>]*data-action="approve"/);
  });

  it("matches bank codes without regard to case, as ETpay's SDK writes them, and takes its test bank", async () => {
    etpay = await startEtpay();
    for (const [code, bank] of [
      ['CL_BCH', 'Banco de Chile'],
      ['Cl_Santander', 'Banco Santander'],
      ['CL_TEST', 'Banco Prueba'],
      ['etpay_bancoprueba', 'Banco Prueba'],
    ]) {
      const { token } = await etpay.initialize({ user_bank_code: code });
      const skipped = await page(`${etpay.base}/pmt/session/${token}`);
      expect(skipped.text).toContain(bank);
      expect(skipped.text).toMatch(/<button[^>]*data-action="approve"/);
    }
    const { token } = await etpay.initialize();
    const chosen = await etpay.form(`/session/${token}/bank`, { bank_code: 'CL_BCI' });
    expect(chosen.status).toBe(200);
    expect(await chosen.text()).toContain('Bci');
  });

  it('prefills user_rut, read-only when is_rut_block', async () => {
    etpay = await startEtpay();
    const open = await etpay.initialize({ user_rut: '12345678-5', user_bank_code: 'cl_estado' });
    expect((await page(`${etpay.base}/pmt/session/${open.token}`)).text).toMatch(
      /<input name="user_rut" value="12345678-5" autocomplete="off"\s*\/>/,
    );
    const locked = await etpay.initialize({ user_rut: '12345678-5', is_rut_block: true });
    const step2 = await etpay.form(`/session/${locked.token}/bank`, { bank_code: 'cl_estado' });
    expect(await step2.text()).toMatch(
      /<input name="user_rut" value="12345678-5" autocomplete="off" readonly/,
    );
  });

  it('answers 404 for an unknown token', async () => {
    etpay = await startEtpay();
    const { status, text } = await page(`${etpay.base}/pmt/session/unknown`);
    expect(status).toBe(404);
    expect(text).toContain('Sesión no encontrada');
    expect((await etpay.decide('unknown', 'approve')).status).toBe(404);
  });

  it('shows "Sesión finalizada" once the session is decided', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize();
    await etpay.decide(token, 'approve');
    const { text } = await page(`${etpay.base}/pmt/session/${token}`);
    expect(text).toContain('Sesión finalizada');
    const bank = await etpay.form(`/session/${token}/bank`, { bank_code: 'ETPAY_BANCOPRUEBA' });
    expect(await bank.text()).toContain('Sesión finalizada');
  });

  it('refuses a decision without a known action', async () => {
    etpay = await startEtpay();
    const { token } = await etpay.initialize();
    const response = await etpay.form(`/session/${token}/decision`, { action: 'maybe' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Acción desconocida');
    expect(etpay.sandbox.getSession(token)?.status).toBe('created');
  });

  it('serves the sandbox landing page with the outcome', async () => {
    etpay = await startEtpay();
    const { text } = await page(`${etpay.base}/pmt/finalizado`);
    expect(text).toContain('Pago finalizado');
  });
});
