import { baseUrl, credential, flag, integer, terminalId } from '../../config-schemas.js';
import { PasarelaError } from '../../errors.js';
import { defineProvider, type ProviderModule } from '../provider.js';
import { createTpagaProvider, tpagaCapabilities, tpagaInfo } from './client.js';
import { isValidTpagaToken } from './payment-request.js';

/** Tpaga's settings (README, "Configuration"). */
export interface TpagaSettings {
  username: string;
  password: string;
  /** Base ending in `/merchants/api/v1`, no trailing slash. */
  apiUrl: string;
  terminalId: string;
  expiryMinutes: number;
  autoDelivery: boolean;
  /** The merchant's slug in payment links; known only for the built-in sandbox's merchant. */
  merchantSlug?: string;
}

/** Tpaga's own staging host (providers/TPAGA.md, §2). */
export const tpagaHosts = { apiUrl: 'https://stag.wallet.tpaga.co/merchants/api/v1' } as const;

/** What the built-in sandbox accepts (DESIGN.md, "Sandboxes"). */
export const tpagaSandboxCredentials = {
  username: 'pasarela-sandbox',
  password: 'sandbox-tpaga-password',
  merchantSlug: 'pasarela',
} as const;

/**
 * Tpaga (Colombia, wallet payment link or QR): its notification carries only the payment
 * request's token in the path, a hint to ask `/info`; the buyer's return is another such hint.
 */
export const tpaga: ProviderModule = defineProvider<TpagaSettings, string>({
  info: tpagaInfo,
  capabilities: tpagaCapabilities,
  configuration: {
    variables: {
      TPAGA_USERNAME: credential,
      TPAGA_PASSWORD: credential,
      TPAGA_API_URL: baseUrl(tpagaHosts.apiUrl),
      TPAGA_TERMINAL_ID: terminalId,
      TPAGA_EXPIRY_MINUTES: integer(1, 1440, 'the payment link lifetime in minutes'),
      TPAGA_AUTO_DELIVERY: flag,
    },
    credentials: ['TPAGA_USERNAME', 'TPAGA_PASSWORD'],
    sandboxCredentials: [tpagaSandboxCredentials.username, tpagaSandboxCredentials.password],
    settings: (values, { sandbox, sandboxUrl }) => ({
      username: values.TPAGA_USERNAME as string,
      password: values.TPAGA_PASSWORD as string,
      apiUrl:
        (values.TPAGA_API_URL as string | undefined) ??
        (sandbox ? `${sandboxUrl}/merchants/api/v1` : tpagaHosts.apiUrl),
      terminalId: (values.TPAGA_TERMINAL_ID as string | undefined) ?? 'web',
      expiryMinutes: (values.TPAGA_EXPIRY_MINUTES as number | undefined) ?? 30,
      autoDelivery: (values.TPAGA_AUTO_DELIVERY as boolean | undefined) ?? false,
      ...(values.TPAGA_USERNAME === tpagaSandboxCredentials.username &&
        sandbox && { merchantSlug: tpagaSandboxCredentials.merchantSlug }),
    }),
    describe: (settings) => ({
      apiUrl: settings.apiUrl,
      terminalId: settings.terminalId,
      expiryMinutes: settings.expiryMinutes,
      autoDelivery: settings.autoDelivery,
    }),
  },
  create: ({ autoDelivery, merchantSlug: _, ...settings }, context) => ({
    ...createTpagaProvider({ ...settings, ...context }),
    autoDeliver: autoDelivery,
    webhook: {
      // A merchant may register the base with a trailing `/`: Tpaga then posts to `…/<token>/`.
      paths: ['/:token', '/:token/'],
      hintOnly: true,
      async handle({ params, findSession }) {
        const token = params.token ?? '';
        if (!isValidTpagaToken(token)) {
          throw new PasarelaError(
            400,
            'invalid_notification',
            'The path must end in a Tpaga payment request token.',
          );
        }
        const session = await findSession(token);
        if (!session)
          throw new PasarelaError(404, 'session_not_found', 'No payment session has this payment request.');
        return { session, query: true };
      },
    },
    // The buyer is back from the wallet: a good moment to ask Tpaga (never proof by itself).
    readReturn: async () => ({ query: true }),
  }),
});
