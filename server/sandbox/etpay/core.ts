import type { ApiFaults } from '../shared/faults.js';
import type { WebhookBehaviour, WebhookDispatcher } from '../shared/webhooks.js';
import type { EtpayMerchant } from './options.js';
import type { EtpaySession, SessionStore } from './session.js';

/** The state one sandbox's route groups share (internal: not exported from index.ts). */
export interface EtpayCore {
  /** Without a trailing slash. */
  publicUrl: string;
  merchants: readonly EtpayMerchant[];
  store: SessionStore;
  webhooks: WebhookDispatcher;
  faults: ApiFaults;
  hangMs: number;
  now: () => number;
  log: (line: string) => void;
  /** The session's own notification behaviour, else the sandbox default. */
  behaviourFor(session: EtpaySession): WebhookBehaviour;
}

/** The buyer's page for a session (ETpay's `{PMT_URL}/session/{token}`). */
export function funnelUrl(core: EtpayCore, token: string): string {
  return `${core.publicUrl}/pmt/session/${token}`;
}

/** The sandbox's own landing page, for sessions and merchants without a redirect URL. */
export function finishedUrl(core: EtpayCore): string {
  return `${core.publicUrl}/pmt/finalizado`;
}
