import type { WebhookBehaviour } from '../shared/webhooks.js';

/** Whether a paid request waits for the merchant's `confirm_delivery` (Tpaga's default) or not. */
export const DeliveryMode = { explicit: 'explicit', implicit: 'implicit' } as const;
export type DeliveryMode = (typeof DeliveryMode)[keyof typeof DeliveryMode];

/**
 * How the wallet tells the merchant about a decision. Tpaga configures redirect *or* webhook per
 * merchant; `both` is the sandbox default so the demo and tests exercise both paths.
 */
export const Notify = { both: 'both', redirect: 'redirect', webhook: 'webhook' } as const;
export type Notify = (typeof Notify)[keyof typeof Notify];

/** A merchant as Tpaga configures it at onboarding. */
export interface TpagaMerchant {
  /** Basic-auth user. */
  username: string;
  password: string;
  /** The short name Tpaga assigns; it goes into payment links (`d.s`) and the wallet page. */
  slug: string;
  /** `explicit` by default. */
  deliveryMode?: DeliveryMode;
  /** `both` by default. */
  notify?: Notify;
  /** Webhooks go to `{webhookBase}/{token}`; none are sent without it. */
  webhookBase?: string;
  /** Explicit mode: a paid request not delivered within this time is reverted by Tpaga (off). */
  autoRevertAfterMs?: number;
}

/** The credentials the sandbox accepts by default, and that the server uses in sandbox mode. */
export const TpagaSandboxMerchant = {
  username: 'pasarela-sandbox',
  password: 'sandbox-tpaga-password',
  slug: 'pasarela',
} as const satisfies TpagaMerchant;

export interface TpagaSandboxOptions {
  /**
   * External base URL including the mount prefix, e.g. `http://127.0.0.1:8787/sandbox/tpaga`.
   * Payment links are `${publicUrl}/w/<base64>`.
   */
  publicUrl: string;
  /** Merchants accepted by the API (default: the single sandbox merchant). */
  merchants?: TpagaMerchant[];
  /** Longest wait for the merchant's webhook answer (10 s). */
  webhookTimeoutMs?: number;
  /** Notification behaviour for requests without their own (normal). */
  webhook?: WebhookBehaviour;
  /** How long `reorder` holds notifications before releasing them (2 s). */
  holdMs?: number;
  /** How long a scripted API timeout holds the request before closing the connection (30 s). */
  hangMs?: number;
  /** Used for webhooks (tests inject their own). */
  fetch?: typeof fetch;
  /** The clock for timestamps, expiry and auto-revert. */
  now?: () => number;
  log?: (line: string) => void;
}

/** A merchant with its defaults filled in; `webhookBase` changes when the server registers it. */
export interface MerchantConfig {
  readonly username: string;
  readonly password: string;
  readonly slug: string;
  readonly deliveryMode: DeliveryMode;
  readonly notify: Notify;
  webhookBase: string | undefined;
  readonly autoRevertAfterMs: number | undefined;
}

export function merchantConfig(merchant: TpagaMerchant): MerchantConfig {
  return {
    username: merchant.username,
    password: merchant.password,
    slug: merchant.slug,
    deliveryMode: merchant.deliveryMode ?? DeliveryMode.explicit,
    notify: merchant.notify ?? Notify.both,
    webhookBase: merchant.webhookBase,
    autoRevertAfterMs: merchant.autoRevertAfterMs,
  };
}
