import { describeProviderContract } from './provider-contract.js';
import { startTpagaClient } from './provider-tpaga.fixture.js';

describeProviderContract('Tpaga', async () => {
  // The client gives up after 1.5 s (generous for a loaded machine); the sandbox holds a scripted timeout longer than that.
  const tpaga = await startTpagaClient({ sandbox: { hangMs: 10_000 } });
  return {
    provider: tpaga.provider,
    newSession: tpaga.newSession,
    async pay(session) {
      await tpaga.decide(session, 'approve');
    },
    async fail(session) {
      await tpaga.decide(session, 'reject');
    },
    async expire(session) {
      tpaga.sandbox.expire(session.providerRef!);
    },
    failApi: (kind, count) => tpaga.sandbox.failApi(kind, count),
    withWrongCredentials: () => tpaga.client({ password: 'not-the-sandbox-password' }),
    close: tpaga.close,
  };
});
