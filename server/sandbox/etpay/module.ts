import type { SandboxModule } from '../shared/module.js';
import type { EtpaySandboxOptions } from './options.js';
import { createEtpaySandbox } from './sandbox.js';
import type { EtpaySandbox } from './types.js';

/** The ETpay sandbox (providers/ETPAY.md, "Sandbox"); ETpay is told its notification URL per session. */
export const etpaySandbox: SandboxModule<EtpaySandbox, EtpaySandboxOptions> = {
  id: 'etpay',
  label: 'ETpay (Chile)',
  create: createEtpaySandbox,
  decisions: (sandbox) => [
    { label: 'Notificar éxito', run: (token) => sandbox.attempt(token, 'success') },
    { label: 'Notificar error', run: (token) => sandbox.attempt(token, 'error') },
  ],
};
