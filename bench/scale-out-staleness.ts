// Staleness: how long after a change is committed on A a read on B still answers the old status.
import { sandboxCredentials } from '../server/providers/index.js';
import type { Sandboxes } from '../server/sandbox/index.js';
import { type Commits, createSession, openStream, pay, readStatus, webhook } from './scale-out-client.js';
import type { Instance, LoadGenerator } from './scale-out-processes.js';
import type { StaleRow } from './scale-out-report.js';
import {
  connections,
  loadedS,
  now,
  orderSecret,
  runId,
  sleep,
  staleGiveUpMs,
  staleSamples,
} from './scale-out-settings.js';

/**
 * One change on A while B is read in a loop: how long after the commit B still answered the old
 * status. The commit is placed at the earlier of the bench's own notification and A's answer to
 * the webhook (both come after it), so the window found is a lower bound, to the resolution of
 * one read. With `followed`, the buyer's event stream is open on B meanwhile.
 */
export async function staleWindow(
  a: Instance,
  b: Instance,
  followed: boolean,
  sandboxes: Sandboxes,
  commits: Commits | undefined,
) {
  sandboxes.tpaga.setWebhookBase(sandboxCredentials.tpaga.username, `${a.url}/webhooks/tpaga`);
  const { session } = await createSession(a, runId, orderSecret);
  await readStatus(b, session.id); // now in B's cache, when it has one
  const stream = followed ? await openStream(b, session.id) : undefined;
  try {
    await stream?.until('event: status');
    let notifiedAt = Number.POSITIVE_INFINITY;
    void commits?.next(session.id, session.updatedAt).then((at) => {
      notifiedAt = at;
    });
    const seen: { sent: number; status: string }[] = [];
    let paidAt: number | undefined;
    let stop = false;
    const poller = (async () => {
      while (!stop) {
        const sent = now();
        const status = await readStatus(b, session.id);
        seen.push({ sent, status });
        if (status === 'paid') paidAt ??= now();
        if (paidAt !== undefined && now() - paidAt > 5) return; // and still paid a moment later
      }
    })();
    await pay(session);
    const answeredAt = webhook.answeredAt;
    while (paidAt === undefined && now() - answeredAt < staleGiveUpMs) await sleep(5);
    stop = true;
    await poller;
    const committedAt = Math.min(notifiedAt, answeredAt);
    const after = seen.filter((read) => read.sent > committedAt);
    const stale = after.filter((read) => read.status !== 'paid');
    return {
      window: stale.length ? Math.max(...stale.map((read) => read.sent)) - committedAt : 0,
      staleReads: stale.length,
      reads: after.length,
      never: paidAt === undefined,
    };
  } finally {
    stream?.close();
  }
}

/** Changes alternate between a session followed on B (its stream open there) and one that is not. */
export async function measureStaleness(
  instances: Instance[],
  cache: boolean,
  sandboxes: Sandboxes,
  commits: Commits | undefined,
  load: LoadGenerator | undefined,
): Promise<StaleRow[]> {
  const rows = [false, true].map(
    (followed): StaleRow => ({
      instances: instances.length,
      cache,
      loaded: load !== undefined,
      followed,
      windows: [],
      staleReads: 0,
      reads: 0,
      never: 0,
    }),
  );
  let loading = load !== undefined;
  const loadRun = load
    ?.run({ kind: 'reads', urls: instances.map((i) => i.url), connections, seconds: loadedS })
    .finally(() => {
      loading = false;
    });
  if (load) await sleep(200); // the load is on before the first change
  for (let i = 0; load ? loading : i < staleSamples; i++) {
    const a = instances[i % instances.length]!;
    const b = instances[(i + 1) % instances.length]!;
    const row = rows[i % 2]!;
    const sample = await staleWindow(a, b, row.followed, sandboxes, commits);
    if (sample.never) row.never += 1;
    else row.windows.push(sample.window);
    row.staleReads += sample.staleReads;
    row.reads += sample.reads;
  }
  if (loadRun) {
    const { rps } = await loadRun;
    for (const row of rows) row.rps = rps;
  }
  return rows;
}
