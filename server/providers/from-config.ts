import type { Config } from '../config.js';
import { createEtpayProvider } from './etpay/index.js';
import type { PaymentProvider } from './provider.js';
import { createTpagaProvider } from './tpaga/index.js';

/** The enabled providers' clients, from validated settings. */
export function createProviders(
  config: Config,
  options: { fetch?: typeof fetch; now?: () => number },
): PaymentProvider[] {
  const providers: PaymentProvider[] = [];
  if (config.etpay) {
    const { sessionMinutes, ...etpay } = config.etpay;
    providers.push(
      createEtpayProvider({
        ...etpay,
        sessionLifetimeMs: sessionMinutes * 60_000,
        publicUrl: config.publicUrl,
        ...options,
      }),
    );
  }
  if (config.tpaga) {
    const { username, password, apiUrl, terminalId, expiryMinutes } = config.tpaga;
    providers.push(
      createTpagaProvider({
        username,
        password,
        apiUrl,
        terminalId,
        expiryMinutes,
        publicUrl: config.publicUrl,
        ...options,
      }),
    );
  }
  return providers;
}
