// `pasarela/sandbox`, and the registry of built-in sandboxes: the one list naming them
// (DESIGN.md, "Providers are modules"). Each is a folder beside its provider's.
import { etpaySandbox } from './etpay/module.js';
import type { EtpaySandboxOptions } from './etpay/options.js';
import type { EtpaySandbox } from './etpay/types.js';
import { type MountedSandboxes, type MountedSandboxesOptions, mountSandboxes } from './sandboxes.js';
import type { SandboxBaseOptions, SandboxModule } from './shared/module.js';
import type { Sandbox, SandboxState } from './shared/types.js';
import { tpagaSandbox } from './tpaga/module.js';
import type { TpagaSandboxOptions } from './tpaga/options.js';
import type { TpagaSandbox } from './tpaga/sandbox.js';

export * from './etpay/index.js';
export type { MountedSandboxes } from './sandboxes.js';
export { ApiFault, type ApiFaultOptions, ApiFaults } from './shared/faults.js';
export { formatPesos, html, page } from './shared/html.js';
export type { SandboxBaseOptions, SandboxModule } from './shared/module.js';
export type { Sandbox, SandboxSessionSummary, SandboxState } from './shared/types.js';
export {
  type WebhookBehaviour,
  type WebhookDelivery,
  WebhookDispatcher,
  type WebhookDispatcherOptions,
  WebhookMode,
} from './shared/webhooks.js';
export * from './tpaga/index.js';
export { etpaySandbox, tpagaSandbox };

export const builtInSandboxes: readonly SandboxModule<Sandbox, SandboxBaseOptions>[] = [
  etpaySandbox as unknown as SandboxModule,
  tpagaSandbox as unknown as SandboxModule,
];

export interface SandboxesOptions extends Omit<MountedSandboxesOptions, 'options'> {
  etpay?: Partial<EtpaySandboxOptions>;
  tpaga?: Partial<TpagaSandboxOptions>;
  /** Sandboxes of a merchant's own providers, mounted beside the built-in ones. */
  extra?: readonly SandboxModule<Sandbox, SandboxBaseOptions>[];
  /** Their options, by id. */
  extraOptions?: Readonly<Record<string, object | undefined>>;
}

/** The built-in sandboxes (and any extra ones) under `/sandbox`, with a page listing their sessions. */
export interface Sandboxes extends MountedSandboxes {
  etpay: EtpaySandbox;
  tpaga: TpagaSandbox;
}

export type SandboxesState = Record<string, SandboxState>;

export function createSandboxes(options: SandboxesOptions): Sandboxes {
  const { etpay, tpaga, extra = [], extraOptions, ...shared } = options;
  const mounted = mountSandboxes([...builtInSandboxes, ...extra], {
    ...shared,
    options: { ...extraOptions, etpay, tpaga },
  });
  return {
    ...mounted,
    etpay: mounted.get(etpaySandbox.id) as EtpaySandbox,
    tpaga: mounted.get(tpagaSandbox.id) as TpagaSandbox,
  };
}
