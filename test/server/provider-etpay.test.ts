import { describeProviderContract } from './provider-contract.js';
import { startEtpayClient } from './provider-etpay.fixture.js';

describeProviderContract('ETpay', async () => {
  // The client gives up after 1.5 s (generous for a loaded machine); the sandbox holds a scripted timeout longer than that.
  const etpay = await startEtpayClient({ sandbox: { hangMs: 10_000 } });
  return {
    provider: etpay.provider,
    newSession: etpay.newSession,
    async pay(session) {
      await etpay.decide(session, 'approve');
    },
    async fail(session) {
      await etpay.decide(session, 'reject');
    },
    async expire(session) {
      etpay.sandbox.expire(session.providerRef!);
    },
    failApi: (kind, count) => etpay.sandbox.failApi(kind, count),
    withWrongCredentials: () => etpay.client({ apiToken: 'not-the-sandbox-token' }),
    close: etpay.close,
  };
});
