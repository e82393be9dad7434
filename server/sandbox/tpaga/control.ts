import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { ApiFault } from '../shared/faults.js';
import { WebhookMode } from '../shared/webhooks.js';
import { SimError } from './errors.js';
import type { TpagaSandbox } from './sandbox.js';

const webhookBody = z.strictObject({
  mode: z.enum(WebhookMode),
  delayMs: z.number().int().min(0).max(600_000).optional(),
});
const faultBody = z.strictObject({
  fault: z.enum(ApiFault),
  count: z.number().int().min(1).max(1_000).default(1),
});
const disabledBody = z.strictObject({ disabled: z.boolean() });
const idempotencyBody = z.strictObject({ unwrapped: z.boolean() });
const webhookBaseBody = z.strictObject({ url: z.url({ protocol: /^https?$/ }).nullable() });
const deliveryId = z.coerce.number().int().positive();

/**
 * The scripted behaviours as JSON endpoints (`…/_sim/*`), for tests and browsers that cannot
 * reach the in-process API. Neither Basic auth nor the API faults apply here.
 */
export function controlRoutes(sandbox: Omit<TpagaSandbox, 'app'>, log: (line: string) => void): Hono {
  const sim = new Hono();

  sim.post('/webhook', async (c) => {
    const behaviour = await readBody(c, webhookBody);
    sandbox.setWebhookBehaviour(behaviour);
    return c.json({ webhook: behaviour });
  });

  sim.post('/sessions/:token/webhook', async (c) => {
    const token = c.req.param('token');
    const behaviour = await readBody(c, webhookBody);
    sandbox.setSessionWebhookBehaviour(token, behaviour);
    return c.json({ token, webhook: behaviour });
  });

  sim.post('/api', async (c) => {
    // Two shapes; the one with `disabled` toggles the 403, any other is a fault script.
    const body = await readJson(c);
    if (typeof body === 'object' && body !== null && 'disabled' in body) {
      const { disabled } = check(disabledBody, body);
      sandbox.setDisabled(disabled);
      return c.json({ disabled });
    }
    const { fault, count } = check(faultBody, body);
    sandbox.failApi(fault, count);
    return c.json({ fault, count });
  });

  sim.post('/idempotency', async (c) => {
    const { unwrapped } = await readBody(c, idempotencyBody);
    sandbox.setIdempotencyUnwrapped(unwrapped);
    return c.json({ unwrapped });
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

  sim.post('/sessions/:token/pay', async (c) => c.json(await sandbox.pay(c.req.param('token'))));
  sim.post('/sessions/:token/fail', async (c) => c.json(await sandbox.fail(c.req.param('token'))));
  sim.post('/sessions/:token/expire', (c) => c.json(sandbox.expire(c.req.param('token'))));
  sim.post('/sessions/:token/auto-revert', async (c) =>
    c.json(await sandbox.autoRevert(c.req.param('token'))),
  );

  sim.post('/merchants/:username/webhook', async (c) => {
    const username = c.req.param('username');
    const { url } = await readBody(c, webhookBaseBody);
    sandbox.setWebhookBase(username, url);
    return c.json({ username, webhookBase: url });
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
    log(`tpaga: control error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return c.json({ error: { code: 'internal_error', message: 'the sandbox failed; see its log' } }, 500);
  });

  return sim;
}

async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  return check(schema, await readJson(c));
}

async function readJson(c: Context): Promise<unknown> {
  try {
    const text = await c.req.text();
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new SimError(400, 'invalid_json', 'the body is not JSON');
  }
}

function check<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new SimError(400, 'invalid_request', `${where}${issue?.message ?? 'invalid body'}`);
  }
  return parsed.data;
}
