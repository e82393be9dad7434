import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { ApiFault } from '../shared/faults.js';
import { WebhookMode } from '../shared/webhooks.js';
import type { EtpaySandbox } from './types.js';

/** A refused control request, answered as `{"error": {"code", "message"}}`. */
class SimError extends Error {
  readonly status: 400 | 404;
  readonly code: string;

  constructor(status: 400 | 404, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const webhookBody = z.object({
  mode: z.enum(WebhookMode),
  delayMs: z.number().int().min(0).max(600_000).optional(),
});
const apiBody = z.object({ fault: z.enum(ApiFault), count: z.number().int().min(1).max(1_000).default(1) });
const attemptBody = z.object({ status: z.string().min(1).max(64) });
const deliveryId = z.coerce.number().int().positive();

/**
 * The scripted behaviours as JSON endpoints (`…/_sim/*`), for browser tests that cannot reach
 * the in-process API. Not subject to the API faults.
 */
export function controlRoutes(sandbox: Omit<EtpaySandbox, 'app'>, log: (line: string) => void): Hono {
  const sim = new Hono({ strict: false });

  function knownToken(c: Context): string {
    const token = c.req.param('token') ?? '';
    if (!sandbox.getSession(token)) {
      throw new SimError(404, 'session_not_found', `no ETpay sandbox session has the token "${token}"`);
    }
    return token;
  }

  sim.post('/webhook', async (c) => {
    const behaviour = await readBody(c, webhookBody);
    sandbox.setWebhookBehaviour(behaviour);
    return c.json({ webhook: behaviour });
  });

  sim.post('/sessions/:token/webhook', async (c) => {
    const token = knownToken(c);
    const behaviour = await readBody(c, webhookBody);
    sandbox.setSessionWebhookBehaviour(token, behaviour);
    return c.json({ token, webhook: behaviour });
  });

  sim.post('/api', async (c) => {
    const { fault, count } = await readBody(c, apiBody);
    sandbox.failApi(fault, count);
    return c.json({ fault, count });
  });

  sim.post('/reset', (c) => {
    sandbox.resetBehaviours();
    return c.json({ ok: true });
  });

  sim.post('/flush', async (c) => {
    await sandbox.flush();
    return c.json({ ok: true });
  });

  sim.get('/sessions', (c) => c.json(sandbox.listSessions()));

  sim.post('/sessions/:token/expire', (c) => {
    const token = knownToken(c);
    sandbox.expire(token);
    return c.json(sandbox.getSession(token));
  });

  sim.post('/sessions/:token/attempt', async (c) => {
    const token = knownToken(c);
    const { status } = await readBody(c, attemptBody);
    const result = await sandbox.attempt(token, status);
    return c.json({
      payment_token: result.paymentToken,
      payment_status: result.paymentStatus,
      jwt: result.jwt,
    });
  });

  sim.post('/deliveries/:id/replay', async (c) => {
    const id = deliveryId.safeParse(c.req.param('id'));
    if (!id.success) throw new SimError(400, 'invalid_request', 'the delivery id is a positive integer');
    const copy = await sandbox.webhooks.replay(id.data);
    if (!copy) throw new SimError(404, 'delivery_not_found', `no logged delivery has the id ${id.data}`);
    return c.json(copy);
  });

  sim.onError((error, c) => {
    if (error instanceof SimError) {
      return c.json({ error: { code: error.code, message: error.message } }, error.status);
    }
    log(`etpay: control error: ${error instanceof Error ? error.message : String(error)}`);
    return c.json({ error: { code: 'internal_error', message: 'the sandbox failed; see its log' } }, 500);
  });

  return sim;
}

async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  let value: unknown;
  try {
    const text = await c.req.text();
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new SimError(400, 'invalid_json', 'the body is not JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new SimError(400, 'invalid_request', `${where}${issue?.message ?? 'invalid body'}`);
  }
  return parsed.data;
}
