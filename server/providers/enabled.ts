import { type Config, ConfigError } from '../config.js';
import type { PaymentProvider, ProviderContext, ProviderModule } from './provider.js';

/** The clients of the modules `config` enabled, in the modules' order. */
export function enabledProviders(
  modules: readonly ProviderModule[],
  config: Config,
  context: ProviderContext,
): PaymentProvider[] {
  const ids = new Set(modules.map((module) => module.info.id));
  if (ids.size !== modules.length) throw new ConfigError('Two provider modules have the same id.');
  for (const id of Object.keys(config.providers)) {
    if (!ids.has(id)) {
      throw new ConfigError(
        `The settings name a provider "${id}" that no module provides: pass the same providers to loadConfig and createPasarela.`,
      );
    }
  }
  return modules
    .filter((module) => !module.configuration || Object.hasOwn(config.providers, module.info.id))
    .map((module) => module.create(config.providers[module.info.id], context));
}
