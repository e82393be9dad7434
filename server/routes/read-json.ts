import type { Context } from 'hono';
import { PasarelaError } from '../errors.js';

/** The request's JSON body, or a 400 that says what was wrong with it. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (!text) throw new PasarelaError(400, 'invalid_json', 'The request needs a JSON body.');
  try {
    return JSON.parse(text);
  } catch {
    throw new PasarelaError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
}
