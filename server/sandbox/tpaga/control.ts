import type { Hono } from 'hono';
import { z } from 'zod';
import { check, controlApp, faultBody, readBody, readJson } from '../shared/control.js';
import type { TpagaSandbox } from './sandbox.js';

const disabledBody = z.strictObject({ disabled: z.boolean() });
const idempotencyBody = z.strictObject({ unwrapped: z.boolean() });
const webhookBaseBody = z.strictObject({ url: z.url({ protocol: /^https?$/ }).nullable() });

/**
 * The scripted behaviours as JSON endpoints (`…/_sim/*`), for tests and browsers that cannot
 * reach the in-process API. Neither Basic auth nor the API faults apply here.
 */
export function controlRoutes(sandbox: Omit<TpagaSandbox, 'app'>, log: (line: string) => void): Hono {
  // The in-process calls refuse unknown tokens themselves (SimError session_not_found).
  const sim = controlApp(sandbox, { name: 'tpaga', log, knownToken: (c) => c.req.param('token') ?? '' });

  sim.post('/api', async (c) => {
    // Two shapes; the one with `disabled` toggles the 403, any other is a fault script.
    const body = await readJson(c);
    if (typeof body === 'object' && body !== null && 'disabled' in body) {
      const { disabled } = check(disabledBody, body);
      sandbox.setDisabled(disabled);
      return c.json({ disabled });
    }
    const { fault, count, body: garbage } = check(faultBody, body);
    sandbox.failApi(fault, count, garbage);
    return c.json({ fault, count });
  });

  sim.post('/idempotency', async (c) => {
    const { unwrapped } = await readBody(c, idempotencyBody);
    sandbox.setIdempotencyUnwrapped(unwrapped);
    return c.json({ unwrapped });
  });

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

  return sim;
}
