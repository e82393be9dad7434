// The one contract every PaymentProvider client passes against its own sandbox, over real HTTP.
// Each provider's test file supplies a harness; provider-specific behaviour is tested beside it.
import { afterEach, describe, expect, it } from 'vitest';
import type { PaymentSession } from '../../server/core/session.js';
import { ProviderUnavailableError } from '../../server/providers/http.js';
import type { PaymentProvider } from '../../server/providers/provider.js';
import { ProviderRejectedError } from '../../server/providers/provider.js';

export interface ProviderHarness {
  provider: PaymentProvider;
  /** A session ready for `create` (id, amount, currency, order fields), not yet attached. */
  newSession(overrides?: Partial<PaymentSession>): PaymentSession;
  /** The buyer pays / the payment fails at the provider (through the sandbox, as a buyer would). */
  pay(session: PaymentSession): Promise<void>;
  fail(session: PaymentSession): Promise<void>;
  /** The provider session's lifetime ends now. */
  expire(session: PaymentSession): Promise<void>;
  /** The next `count` API calls answer 5xx / hang. */
  failApi(kind: '5xx' | 'timeout', count: number): void;
  /** A provider client for the same sandbox with wrong credentials. */
  withWrongCredentials(): PaymentProvider;
  close(): Promise<void>;
}

export function describeProviderContract(name: string, open: () => Promise<ProviderHarness>) {
  describe(`${name}: PaymentProvider contract`, () => {
    let harness: ProviderHarness | undefined;
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });
    async function setUp() {
      harness = await open();
      return harness;
    }
    async function created(h: ProviderHarness, overrides?: Partial<PaymentSession>) {
      const session = h.newSession(overrides);
      const attachment = await h.provider.create(session, { clientIp: '203.0.113.7' });
      return { ...session, ...attachment } satisfies PaymentSession;
    }

    it('creates a provider session with a reference and a buyer action', async () => {
      const h = await setUp();
      const session = await created(h);
      expect(session.providerRef).toMatch(/\S{16,}/);
      expect(session.action?.url).toMatch(/^https?:\/\//);
      expect(session.action?.type).toBe(h.provider.info.flow);
    });

    it('reports no status change while the buyer has not finished', async () => {
      const h = await setUp();
      const session = await created(h);
      const observation = await h.provider.query(session);
      expect(observation.statuses).toEqual([]);
    });

    it('reports paid once the buyer paid', async () => {
      const h = await setUp();
      const session = await created(h);
      await h.pay(session);
      const observation = await h.provider.query(session);
      expect(observation.statuses.at(-1)).toMatch(/^(paid|delivered)$/);
      expect(observation.providerStatus).toBeTruthy();
    });

    it('reports failed when the payment failed', async () => {
      const h = await setUp();
      const session = await created(h);
      await h.fail(session);
      expect((await h.provider.query(session)).statuses).toEqual(['failed']);
    });

    it('reports expired when the provider session expired unpaid', async () => {
      const h = await setUp();
      const session = await created(h);
      await h.expire(session);
      const expired = { ...session, expiresAt: new Date(Date.now() - 1000).toISOString() };
      expect((await h.provider.query(expired)).statuses).toEqual(['expired']);
    });

    it('retries a query through a passing 5xx', async () => {
      const h = await setUp();
      const session = await created(h);
      h.failApi('5xx', 2);
      expect((await h.provider.query(session)).statuses).toEqual([]);
    });

    it('gives up with ProviderUnavailableError when the provider keeps failing', async () => {
      const h = await setUp();
      const session = await created(h);
      h.failApi('5xx', 3);
      await expect(h.provider.query(session)).rejects.toBeInstanceOf(ProviderUnavailableError);
    });

    it('times out a hanging call with ProviderUnavailableError', async () => {
      const h = await setUp();
      h.failApi('timeout', 3);
      await expect(h.provider.create(h.newSession(), { clientIp: '203.0.113.7' })).rejects.toBeInstanceOf(
        ProviderUnavailableError,
      );
    });

    it('is refused with ProviderRejectedError on wrong credentials', async () => {
      const h = await setUp();
      await expect(
        h.withWrongCredentials().create(h.newSession(), { clientIp: '203.0.113.7' }),
      ).rejects.toBeInstanceOf(ProviderRejectedError);
    });

    it('stops at once when the caller aborts', async () => {
      const h = await setUp();
      h.failApi('timeout', 1);
      const controller = new AbortController();
      const pending = h.provider.create(h.newSession(), {
        clientIp: '203.0.113.7',
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(new Error('buyer left')), 50);
      await expect(pending).rejects.toThrow('buyer left');
    });
  });
}
