import { baseUrl, credential, integer } from '../../config-schemas.js';
import { PasarelaError } from '../../errors.js';
import { defineProvider, type ProviderModule } from '../provider.js';
import { createEtpayProvider, etpayCapabilities, etpayInfo } from './client.js';

/** ETpay's settings (README, "Configuration"). */
export interface EtpaySettings {
  merchantCode: string;
  apiToken: string;
  /** API and funnel bases, no trailing slash. */
  apiUrl: string;
  pmtUrl: string;
  /** How long a session may be paid before Pasarela calls it expired. */
  sessionMinutes: number;
}

/** ETpay's own sandbox hosts (providers/ETPAY.md, §2). */
export const etpayHosts = {
  apiUrl: 'https://api-sandbox.etpay.com',
  pmtUrl: 'https://pmt-sandbox.etpay.com',
} as const;

/** What the built-in sandbox accepts (DESIGN.md, "Sandboxes"). */
export const etpaySandboxCredentials = {
  merchantCode: 'cl_sandbox_pasarela',
  apiToken: 'sandbox-etpay-token',
} as const;

const lifetime = integer(1, 1440, 'the ETpay session lifetime in minutes');

/**
 * ETpay (Chile, bank transfer by redirect): its notification is a JWT signed with the session's
 * own `signature_token`, verified before anything is stored; the buyer's return carries the same.
 */
export const etpay: ProviderModule = defineProvider<EtpaySettings, string>({
  info: etpayInfo,
  capabilities: etpayCapabilities,
  configuration: {
    variables: {
      ETPAY_MERCHANT_CODE: credential,
      ETPAY_API_TOKEN: credential,
      ETPAY_API_URL: baseUrl(etpayHosts.apiUrl),
      ETPAY_PMT_URL: baseUrl(etpayHosts.pmtUrl),
      ETPAY_SESSION_MINUTES: lifetime,
    },
    credentials: ['ETPAY_MERCHANT_CODE', 'ETPAY_API_TOKEN'],
    sandboxCredentials: [etpaySandboxCredentials.merchantCode, etpaySandboxCredentials.apiToken],
    settings: (values, { sandbox, sandboxUrl }) => ({
      merchantCode: values.ETPAY_MERCHANT_CODE as string,
      apiToken: values.ETPAY_API_TOKEN as string,
      apiUrl:
        (values.ETPAY_API_URL as string | undefined) ?? (sandbox ? `${sandboxUrl}/api` : etpayHosts.apiUrl),
      pmtUrl:
        (values.ETPAY_PMT_URL as string | undefined) ?? (sandbox ? `${sandboxUrl}/pmt` : etpayHosts.pmtUrl),
      sessionMinutes: (values.ETPAY_SESSION_MINUTES as number | undefined) ?? 30,
    }),
    describe: (settings) => ({ apiUrl: settings.apiUrl, pmtUrl: settings.pmtUrl }),
  },
  create: ({ sessionMinutes, ...settings }, context) => {
    const client = createEtpayProvider({
      ...settings,
      ...context,
      sessionLifetimeMs: sessionMinutes * 60_000,
    });
    return {
      ...client,
      webhook: {
        paths: [''],
        hintOnly: false,
        async handle(request) {
          const body = await request.json();
          const jwt = (body as { payment?: unknown } | null)?.payment;
          if (typeof jwt !== 'string' || jwt.split('.').length !== 3) {
            throw new PasarelaError(400, 'invalid_notification', 'Expected {"payment": "<JWT>"}.');
          }
          // A JWT that cannot be read or trusted is answered by its kind in `app.onError` (400 or 401).
          return client.verifyPaymentJwt(jwt, request.findSession);
        },
      },
      // The return carries the notification's JWT as `?jwt=`: applied when it verifies and names
      // this very session.
      async readReturn(session, query, lookup) {
        const jwt = query.get('jwt');
        if (!jwt) return undefined;
        const verified = await client.verifyPaymentJwt(jwt, lookup);
        return verified.session.id === session.id ? verified : undefined;
      },
    };
  },
});
