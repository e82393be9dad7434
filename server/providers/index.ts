// The registry: the one list of built-in provider modules (DESIGN.md, "Providers are modules").
// Everything else in the server reaches a provider through this list and the interface in
// provider.ts; a merchant's own modules are passed to `loadConfig` and `createPasarela`.
import type { Config } from '../config.js';
import { type EtpaySettings, etpay, etpaySandboxCredentials } from './etpay/module.js';
import type { ProviderModule } from './provider.js';
import { type TpagaSettings, tpaga, tpagaSandboxCredentials } from './tpaga/module.js';

export const builtInProviders: readonly ProviderModule[] = [etpay, tpaga];

export { type EtpaySettings, etpay } from './etpay/module.js';
export { type TpagaSettings, tpaga } from './tpaga/module.js';

/** What the built-in sandboxes accept (DESIGN.md, "Sandboxes"). */
export const sandboxCredentials = { etpay: etpaySandboxCredentials, tpaga: tpagaSandboxCredentials } as const;

/** The built-in providers' settings in a loaded configuration, typed (tools and tests). */
export function builtInSettings(config: Pick<Config, 'providers'>): {
  etpay?: EtpaySettings;
  tpaga?: TpagaSettings;
} {
  return config.providers;
}
