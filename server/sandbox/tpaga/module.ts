import type { SandboxModule } from '../shared/module.js';
import type { TpagaSandboxOptions } from './options.js';
import { createTpagaSandbox, type TpagaSandbox } from './sandbox.js';

/**
 * The Tpaga sandbox (providers/TPAGA.md, "Sandbox"). The real Tpaga is given the webhook base by
 * hand, once per merchant; `connect` tells the sandbox the same for the configured user.
 */
export const tpagaSandbox: SandboxModule<TpagaSandbox, TpagaSandboxOptions> = {
  id: 'tpaga',
  label: 'Tpaga (Colombia)',
  create: createTpagaSandbox,
  decisions: (sandbox) => [
    { label: 'Pagar', run: (token) => sandbox.pay(token) },
    { label: 'Rechazar', run: (token) => sandbox.fail(token) },
  ],
  connect: (sandbox, settings, webhookUrl) => {
    sandbox.setWebhookBase((settings as { username: string }).username, webhookUrl);
  },
};
