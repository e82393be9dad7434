import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { controlApp, faultBody, readBody, SimError } from '../shared/control.js';
import type { EtpaySandbox } from './types.js';

const attemptBody = z.strictObject({ status: z.string().min(1).max(64) });

/**
 * The scripted behaviours as JSON endpoints (`…/_sim/*`), for browser tests that cannot reach
 * the in-process API. Not subject to the API faults.
 */
export function controlRoutes(sandbox: Omit<EtpaySandbox, 'app'>, log: (line: string) => void): Hono {
  const knownToken = (c: Context): string => {
    const token = c.req.param('token') ?? '';
    if (!sandbox.getSession(token)) {
      throw new SimError(404, 'session_not_found', `no ETpay sandbox session has the token "${token}"`);
    }
    return token;
  };
  const sim = controlApp(sandbox, { name: 'etpay', log, knownToken });

  sim.post('/api', async (c) => {
    const { fault, count, body } = await readBody(c, faultBody);
    sandbox.failApi(fault, count, body);
    return c.json({ fault, count });
  });

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

  return sim;
}
