import type { WebhookBehaviour } from '../shared/webhooks.js';

/** A merchant the sandbox knows, with the defaults ETpay would have from onboarding. */
export interface EtpayMerchant {
  merchantCode: string;
  apiToken: string;
  /** Onboarding success URL: used when a session has no `payment_completed_url`. */
  successUrl?: string;
  /** Onboarding error URL: used when a session has no `payment_cancellation_url`. */
  errorUrl?: string;
  /** Onboarding webhook URL: used when a session has no `payment_webhook_url`. */
  webhookUrl?: string;
}

/** The credentials the sandbox accepts by default, and that the server uses in sandbox mode. */
export const EtpaySandboxMerchant = {
  merchantCode: 'cl_sandbox_pasarela',
  apiToken: 'sandbox-etpay-token',
} as const satisfies EtpayMerchant;

export interface EtpaySandboxOptions {
  /**
   * External base URL including the mount prefix, e.g. `http://127.0.0.1:8787/sandbox/etpay`.
   * Used for every absolute link the sandbox hands out (funnel URLs, form actions, its own pages).
   */
  publicUrl: string;
  /** Merchants accepted by the API (default: the single sandbox merchant). */
  merchants?: EtpayMerchant[];
  /** Session lifetime from creation (30 min). */
  sessionLifetimeMs?: number;
  /** Longest wait for the merchant's webhook answer (10 s). */
  webhookTimeoutMs?: number;
  /** Notification behaviour for sessions without their own (normal). */
  webhook?: WebhookBehaviour;
  /** How long `reorder` holds notifications before releasing them (2 s). */
  holdMs?: number;
  /** How long a scripted API timeout holds the request before closing the connection (30 s). */
  hangMs?: number;
  /** Used for notifications (tests inject their own). */
  fetch?: typeof fetch;
  /** The clock for expiry and JWT `iat`. */
  now?: () => number;
  log?: (line: string) => void;
}

export const etpaySandboxDefaults = {
  sessionLifetimeMs: 30 * 60_000,
  webhookTimeoutMs: 10_000,
  hangMs: 30_000,
} as const;
