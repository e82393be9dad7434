// The environments the configuration tests load.
import { expect } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';

export const secret = 'config-test-order-secret-0123456789abcdef';
export const etpay = { ETPAY_MERCHANT_CODE: 'cl_shop', ETPAY_API_TOKEN: 'etpay-real-token-0123456789' };
export const tpaga = { TPAGA_USERNAME: 'shop-user', TPAGA_PASSWORD: 'tpaga-real-password-0123' };
/** Standard Webhooks secret: whsec_ and the base64 of 32 bytes. */
export const webhookSecret = `whsec_${btoa('w'.repeat(32))}`;

/** A production-like environment: a secret and ETpay credentials, no sandbox. */
export function env(overrides: Record<string, string | undefined> = {}) {
  return { PASARELA_ORDER_SECRET: secret, ...etpay, ...overrides };
}

/** The ConfigError message `loadConfig` throws for an environment. */
export function failure(vars: Record<string, string | undefined>): string {
  try {
    loadConfig(vars);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('loadConfig accepted the environment');
}
