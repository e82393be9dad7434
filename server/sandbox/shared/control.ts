// What both sandboxes' control APIs (`…/_sim/*`) have in common: the refusal type and its JSON
// answer, body parsing, and the routes for webhook behaviours, reset, flush, the session list and
// replaying a delivery. Each sandbox adds its own routes (payment attempts, pay/fail/…).
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { ApiFault } from './faults.js';
import { type WebhookBehaviour, WebhookMode } from './webhooks.js';

/** A refused control (`/_sim`) request or in-process sim call, answered as `{"error": {code, message}}`. */
export class SimError extends Error {
  readonly status: 400 | 404 | 409;
  readonly code: string;

  constructor(status: 400 | 404 | 409, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const webhookBody = z.strictObject({
  mode: z.enum(WebhookMode),
  delayMs: z.number().int().min(0).max(600_000).optional(),
});
export const faultBody = z
  .strictObject({
    fault: z.enum(ApiFault),
    count: z.number().int().min(1).max(1_000).default(1),
    /** What a `garbage` answer carries instead of the provider's JSON (an HTML error page). */
    body: z.string().max(65_536).optional(),
  })
  .refine((value) => value.body === undefined || value.fault === ApiFault.garbage, {
    path: ['body'],
    message: 'only a garbage fault takes a body',
  });
const deliveryId = z.coerce.number().int().positive();

/** The part of a sandbox the common control routes drive. */
export interface ControlledSandbox {
  setWebhookBehaviour(behaviour: WebhookBehaviour): void;
  setSessionWebhookBehaviour(token: string, behaviour: WebhookBehaviour): void;
  resetBehaviours(): void;
  flush(): Promise<void>;
  listSessions(): unknown;
  webhooks: { replay(id: number): Promise<unknown> };
}

export interface ControlOptions {
  /** The provider's id, for log lines. */
  name: string;
  log: (line: string) => void;
  /** The session token of a request, refused with a 404 when unknown. */
  knownToken: (c: Context) => string;
}

/** A control app with the common routes; the sandbox adds its own to it. */
export function controlApp(sandbox: ControlledSandbox, { name, log, knownToken }: ControlOptions): Hono {
  const sim = new Hono({ strict: false });

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

  sim.post('/reset', (c) => {
    sandbox.resetBehaviours();
    return c.json({ ok: true });
  });

  sim.post('/flush', async (c) => {
    await sandbox.flush();
    return c.json({ ok: true });
  });

  sim.get('/sessions', (c) => c.json(sandbox.listSessions()));

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
    log(`${name}: control error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return c.json({ error: { code: 'internal_error', message: 'the sandbox failed; see its log' } }, 500);
  });

  return sim;
}

export async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  return check(schema, await readJson(c));
}

/** The body as JSON; an empty body reads as `{}`. */
export async function readJson(c: Context): Promise<unknown> {
  try {
    const text = await c.req.text();
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new SimError(400, 'invalid_json', 'the body is not JSON');
  }
}

export function check<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new SimError(400, 'invalid_request', `${where}${issue?.message ?? 'invalid body'}`);
  }
  return parsed.data;
}
