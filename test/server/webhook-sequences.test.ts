// Issue 13, "Faults: Provider webhooks": provider notifications duplicated, reordered, delayed past
// the buyer's return, dropped, and late successes after a failure or an expiry. Each run draws what
// a provider knows (ETpay's payment attempts, Tpaga's payment request states), then a sequence of
// deliveries of those facts; each is turned into an observation by the providers' own mapping and
// applied through `Payments.observe`, as the webhook, return and reconciliation routes do.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSource, PaymentSession, Status, toPublicSession } from '../../server/core/session.js';
import { SessionHub } from '../../server/live.js';
import { silentLogger } from '../../server/log.js';
import { Payments } from '../../server/payments.js';
import { type EtpayAttempt, mapAttempts, observeAttempt } from '../../server/providers/etpay/mapping.js';
import type { ProviderObservation } from '../../server/providers/provider.js';
import { toObservation } from '../../server/providers/tpaga/mapping.js';
import { type Destination, DestinationName } from '../../server/store/outbox.js';
import { openSqliteStore } from '../../server/store/sqlite/index.js';
import type { Store } from '../../server/store/store.js';
import { createdIn } from './store-contract.fixture.js';

const runsPerProvider = 5_000;
/** Pin a failing run with `WEBHOOK_SEQUENCES_SEED=<seed>` (fast-check prints the seed and path). */
const pinnedSeed = process.env.WEBHOOK_SEQUENCES_SEED;
const seedFor = () => (pinnedSeed ? Number(pinnedSeed) : Math.floor(Math.random() * 2 ** 31));

// ---------------------------------------------------------------------------------------------
// The model: what the facts the server has heard mean, written from the provider references.
// ---------------------------------------------------------------------------------------------

/** ETPAY.md §7: what one attempt's `payment_status` says, compared after lower-casing (null: not final). */
const etpayWordMeans: Record<string, Status | null> = {
  success: 'paid',
  error: 'failed',
  failed: 'failed',
  rejected: 'failed',
  cancelled: 'failed',
  expired: 'expired',
  pending: null,
  processing: null,
};
const etpayMeaning = (word: string) => etpayWordMeans[word.toLowerCase()] ?? null;

/**
 * ETPAY.md §7 for a `check_payment_status` answer: any `success` → paid; otherwise the newest
 * clearly final failure; otherwise, past the session's lifetime, expired; otherwise nothing.
 */
function etpayListMeaning(words: readonly string[], pastLifetime: boolean): Status | null {
  const meanings = words.map(etpayMeaning);
  if (meanings.includes('paid')) return 'paid';
  return meanings.findLast((m) => m !== null) ?? (pastLifetime ? 'expired' : null);
}

/**
 * TPAGA.md §7: `created` says nothing; `paid`, `delivered`, `reverted` say the money moved (and was
 * delivered, or refunded: a `reverted` is a refund, so a payment came first); `failed`, `expired`,
 * `cancelled` end it without money.
 */
const tpagaMeaning: Record<string, Status | null> = {
  created: null,
  paid: 'paid',
  delivered: 'delivered',
  reverted: 'refunded',
  failed: 'failed',
  expired: 'expired',
  cancelled: 'cancelled',
};

/** Money, furthest along first: once money moved, only the furthest money fact heard counts. */
const moneyLadder: readonly Status[] = ['refunded', 'delivered', 'paid'];

/**
 * DESIGN.md "Session status model", from the meanings heard so far in arrival order: money wins
 * (and only moves forward: paid → delivered → refunded); without money, the first end heard stays;
 * with nothing final heard, pending.
 */
function expectedStatus(heard: readonly (Status | null)[]): Status {
  return moneyLadder.find((s) => heard.includes(s)) ?? heard.find((s) => s !== null) ?? 'pending';
}

// ---------------------------------------------------------------------------------------------
// Generated facts and deliveries. A delivery names the fact it carries: a fact named twice is a
// duplicate, one never named was dropped, and the array's order is the arrival order (reordered,
// delayed past the buyer's return, or past a later state, freely).
// ---------------------------------------------------------------------------------------------

const maxDeliveries = 8;

/** Mostly ETpay's own words, the documented failure synonyms, and words that are not final. */
const etpayWord = fc.constantFrom(
  'success',
  'Success',
  'error',
  'error',
  'failed',
  'rejected',
  'cancelled',
  'expired',
  'pending',
  'processing',
);

type EtpayDelivery =
  /** A verified JWT about one attempt: the webhook, or the `?jwt=` on the buyer's return. */
  | { kind: 'jwt'; source: 'webhook' | 'return'; attempt: number }
  /** A `check_payment_status` answer listing the first `seen` attempts (reconciliation, or a return without a JWT). */
  | { kind: 'query'; source: 'reconcile' | 'return'; seen: number };

interface EtpayScenario {
  /** The session's payment attempts, oldest first. Those after `lifetimeEnds` are late. */
  attempts: string[];
  /** How many attempts had happened when the session's lifetime ended (past every one: never). */
  lifetimeEnds: number;
  deliveries: EtpayDelivery[];
}

const etpayScenario: fc.Arbitrary<EtpayScenario> = fc
  .record({ attempts: fc.array(etpayWord, { maxLength: 3 }), lifetimeEnds: fc.nat(4) })
  .chain(({ attempts, lifetimeEnds }) => {
    const query = fc.record({
      kind: fc.constant('query' as const),
      source: fc.constantFrom('reconcile' as const, 'return' as const),
      seen: fc.nat(attempts.length),
    });
    const jwt = fc.record({
      kind: fc.constant('jwt' as const),
      source: fc.constantFrom('webhook' as const, 'webhook' as const, 'return' as const),
      attempt: fc.nat(Math.max(0, attempts.length - 1)),
    });
    const delivery: fc.Arbitrary<EtpayDelivery> = attempts.length
      ? fc.oneof({ arbitrary: jwt, weight: 3 }, { arbitrary: query, weight: 1 })
      : query;
    return fc.record({
      attempts: fc.constant(attempts),
      lifetimeEnds: fc.constant(lifetimeEnds),
      deliveries: fc.array(delivery, { maxLength: maxDeliveries }),
    });
  });

/**
 * The states a Tpaga payment request goes through (TPAGA.md §7): `created`, then at most one end
 * without money, then the money path (paid → delivered → reverted, implicit delivery, a refund of
 * an undelivered payment). Money after an end is a late success: not in Tpaga's lifecycle, but a
 * verified answer the server must apply (money wins), e.g. a payment racing an expiry or a cancel.
 */
const tpagaTimeline = fc
  .record({
    end: fc.option(fc.constantFrom('failed', 'expired', 'cancelled'), { nil: undefined }),
    money: fc.constantFrom(
      [],
      ['paid'],
      ['paid', 'delivered'],
      ['paid', 'delivered', 'reverted'],
      ['paid', 'reverted'],
      ['delivered'],
      ['delivered', 'reverted'],
    ),
  })
  .map(({ end, money }) => ['created', ...(end ? [end] : []), ...money]);

interface TpagaDelivery {
  /** What made the server ask `/info`: the hint-only webhook, the buyer's return, or reconciliation. */
  source: 'webhook' | 'return' | 'reconcile';
  /** The state `/info` answered (an index into the timeline). */
  state: number;
  /**
   * How many deliveries ago the session was read before asking: a slow `/info` call maps its
   * answer against the session as it was then (it matters for `reverted`).
   */
  lag: number;
}

interface TpagaScenario {
  timeline: string[];
  deliveries: TpagaDelivery[];
}

const tpagaScenario: fc.Arbitrary<TpagaScenario> = tpagaTimeline.chain((timeline) =>
  fc.record({
    timeline: fc.constant(timeline),
    deliveries: fc.array(
      fc.record({
        source: fc.constantFrom('webhook' as const, 'return' as const, 'reconcile' as const),
        state: fc.nat(timeline.length - 1),
        lag: fc.nat(2),
      }),
      { maxLength: maxDeliveries },
    ),
  }),
);

// ---------------------------------------------------------------------------------------------
// Driving the real code path.
// ---------------------------------------------------------------------------------------------

const endpoints = ['https://shop.example/pasarela-events', 'https://erp.example/hooks/pasarela'];

/** As `createPasarela` builds them: every endpoint, the library hook, and Tpaga's automatic delivery. */
function destinationsFor(session: PaymentSession): Destination[] {
  return [
    ...endpoints.map((name) => ({ name })),
    { name: DestinationName.hook },
    ...(session.provider === 'tpaga' ? [{ name: DestinationName.deliver, statuses: ['paid' as const] }] : []),
  ];
}

/** One delivery, ready to apply: the observation, its source, and what the model hears from it. */
interface Step {
  observation: ProviderObservation;
  source: EventSource;
  means: Status | null;
  /** The session as it was read before the provider was asked (the current one when absent). */
  read?: PaymentSession;
}

let clock = Date.UTC(2025, 0, 1);

/**
 * Applies the steps to `session` through `payments`, checking the status against the model after
 * each, then checks the session's history and the outbox.
 */
async function drive(
  store: Store,
  payments: Payments,
  session: PaymentSession,
  steps: (seen: readonly PaymentSession[]) => Step | undefined,
): Promise<void> {
  const seen: PaymentSession[] = [session];
  const heard: (Status | null)[] = [];
  let announced = 0;
  for (let step = steps(seen); step; step = steps(seen)) {
    clock += 1_000;
    const result = await payments.observe(step.read ?? seen.at(-1)!, step.observation, step.source);
    heard.push(step.means);
    announced += result.notifications.length;
    // 1. The status is what the facts heard so far mean, after every delivery.
    expect(result.session.status, `after ${heard.length} deliveries`).toBe(expectedStatus(heard));
    seen.push(result.session);
  }

  const events = await store.listEvents(session.id);
  const transitions = events.filter((e) => e.from !== e.to);
  let previous: Status = 'pending';
  for (const event of events) {
    expect(event.from).toBe(previous);
    previous = event.to;
    if (event.from === event.to) continue;
    // Never back to pending, never from money to an end without it.
    expect(event.to).not.toBe('pending');
    if (event.from === 'paid' || event.from === 'delivered')
      expect(event.to).toMatch(/^(delivered|refunded)$/);
  }
  expect(previous).toBe(expectedStatus(heard));
  // Duplicates change nothing twice: each provider fact is stored once.
  const keys = events.flatMap((e) => (e.dedupeKey === null ? [] : [e.dedupeKey]));
  expect(new Set(keys).size).toBe(keys.length);

  // 2. Each transition happens once.
  const moves = transitions.map((e) => `${e.from}→${e.to}`);
  expect(new Set(moves).size, moves.join(', ')).toBe(moves.length);
  expect(new Set(transitions.map((e) => e.to)).size, moves.join(', ')).toBe(transitions.length);

  // 3. One notification per transition, with one delivery per destination that takes its status.
  const notifications = await store.listNotifications({ sessionId: session.id, limit: 500 });
  expect(announced).toBe(notifications.length);
  expect(notifications.map((n) => n.type)).toEqual(transitions.map((e) => `session.${e.to}`));
  const destinations = destinationsFor(session);
  for (const [i, notification] of notifications.entries()) {
    const to = transitions[i]!.to;
    const body = JSON.parse(notification.body) as { data: ReturnType<typeof toPublicSession> };
    expect(body.data.status).toBe(to);
    expect(notification.deliveries.map((d) => d.destination).sort()).toEqual(
      destinations
        .filter((d) => !d.statuses || d.statuses.includes(to))
        .map((d) => d.name)
        .sort(),
    );
  }
  expect(new Set(notifications.map((n) => n.id)).size).toBe(notifications.length);
}

async function etpayRun(store: Store, payments: Payments, scenario: EtpayScenario): Promise<void> {
  const sessionToken = randomBytes(48).toString('base64url').replace(/[-_]/g, '0').slice(0, 64);
  const session = await createdIn(store, {
    provider: 'etpay',
    currency: 'CLP',
    action: { type: 'redirect', url: `https://pmt.etpay.example/session/${sessionToken}` },
    providerRef: sessionToken,
    providerSecret: 'signature-token-of-this-session',
    providerStatus: null,
  });
  const attempts: EtpayAttempt[] = scenario.attempts.map((payment_status, i) => ({
    payment_token: `${sessionToken.slice(0, 8)}attempt${i}`,
    payment_status,
  }));
  await drive(store, payments, session, (seen) => {
    const delivery = scenario.deliveries[seen.length - 1];
    if (!delivery) return undefined;
    if (delivery.kind === 'jwt') {
      const attempt = attempts[delivery.attempt]!;
      return {
        observation: observeAttempt(sessionToken, attempt),
        source: delivery.source,
        means: etpayMeaning(attempt.payment_status),
      };
    }
    const listed = attempts.slice(0, delivery.seen);
    const pastLifetime = delivery.seen >= scenario.lifetimeEnds;
    return {
      observation: mapAttempts(listed, { sessionToken, expired: pastLifetime }),
      source: delivery.source,
      means: etpayListMeaning(
        listed.map((a) => a.payment_status),
        pastLifetime,
      ),
    };
  });
}

async function tpagaRun(store: Store, payments: Payments, scenario: TpagaScenario): Promise<void> {
  const token = `pr-${randomBytes(36).toString('hex')}`;
  const session = await createdIn(store, { provider: 'tpaga', currency: 'COP', providerRef: token });
  await drive(store, payments, session, (seen) => {
    const delivery = scenario.deliveries[seen.length - 1];
    if (!delivery) return undefined;
    const status = scenario.timeline[delivery.state]!;
    // The session as the route read it before asking `/info`, `lag` deliveries ago.
    const read = seen[Math.max(0, seen.length - 1 - delivery.lag)]!;
    return {
      observation: toObservation({ token, status }, read),
      source: delivery.source,
      means: tpagaMeaning[status] ?? null,
      read,
    };
  });
}

describe('provider webhooks duplicated, reordered, delayed, dropped, late (property)', () => {
  let store: Store;
  let payments: Payments;
  beforeAll(async () => {
    store = await openSqliteStore({ path: ':memory:' });
    payments = new Payments({
      store,
      providers: new Map(),
      hub: new SessionHub(),
      log: silentLogger,
      now: () => clock,
      newSessionId: () => `ps_unused${Math.random()}`,
      announce: destinationsFor,
    });
  });
  afterAll(async () => {
    await store.close();
  });

  it('ETpay: the status follows the attempts heard, each change once, announced once per destination', async () => {
    const seed = seedFor();
    console.log(`webhook sequences, etpay: seed ${seed}, ${runsPerProvider} runs`);
    await fc.assert(
      fc.asyncProperty(etpayScenario, (scenario) => etpayRun(store, payments, scenario)),
      { numRuns: runsPerProvider, seed },
    );
  }, 120_000);

  it('Tpaga: the status follows the /info answers heard, each change once, announced once per destination', async () => {
    const seed = seedFor();
    console.log(`webhook sequences, tpaga: seed ${seed}, ${runsPerProvider} runs`);
    await fc.assert(
      fc.asyncProperty(tpagaScenario, (scenario) => tpagaRun(store, payments, scenario)),
      { numRuns: runsPerProvider, seed },
    );
  }, 120_000);
});
