import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { timingSafeEqual } from 'hono/utils/buffer';
import { EtpayApiError, internalErrorBody, parseJsonObject } from './api-error.js';
import type { EtpayCore } from './core.js';
import { parseSessionRequest } from './initialize-request.js';
import type { EtpayMerchant } from './options.js';
import type { AttemptQuery } from './session.js';

const queryIds = ['session_token', 'payment_token', 'merchant_order_id'] as const;

/** ETpay's API (§4, §10), mounted at `/api`; the scripted faults apply here only. */
export function apiRoutes(core: EtpayCore): Hono {
  const api = new Hono({ strict: false });

  api.use('*', core.faults.middleware({ serverErrorBody: internalErrorBody, hangMs: core.hangMs }));

  api.on('POST', withSlash('/session/initialize'), async (c) => {
    const body = parseJsonObject(await readText(c.req.raw));
    const merchant = await findMerchant(core, body.merchant_code, body.merchant_api_token, true);
    const session = core.store.create(merchant, parseSessionRequest(body));
    core.log(`etpay: session ${session.token.slice(0, 8)}… created for ${merchant.merchantCode}`);
    // Exactly these two keys (§4.1): the client must not come to rely on anything else.
    return c.json({ token: session.token, signature_token: session.signatureToken });
  });

  api.on('POST', withSlash('/merchant/check_payment_status'), async (c) => {
    const body = parseJsonObject(await readText(c.req.raw));
    const merchant = await findMerchant(core, body.merchant_code, body.merchant_api_token, false);
    const query: AttemptQuery = { merchantCode: merchant.merchantCode };
    for (const field of queryIds) {
      const value = body[field];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string' || value === '') throw EtpayApiError.invalidField(field);
      query[fieldKey[field]] = value;
    }
    if (queryIds.every((field) => query[fieldKey[field]] === undefined)) throw EtpayApiError.missingId();
    return c.json(
      core.store
        .query(query)
        .map((a) => ({ payment_token: a.paymentToken, payment_status: a.paymentStatus })),
    );
  });

  api.onError((error, c) => {
    if (error instanceof EtpayApiError) return c.json({ message: error.message }, error.status);
    // Hono's own refusals (a body it cannot read) are bad input, not a sandbox failure.
    if (error instanceof HTTPException) return c.json({ message: 'invalid JSON body' }, 400);
    core.log(`etpay: API error: ${error instanceof Error ? error.message : String(error)}`);
    return c.json(internalErrorBody, 500);
  });

  return api;
}

const fieldKey = {
  session_token: 'sessionToken',
  payment_token: 'paymentToken',
  merchant_order_id: 'merchantOrderId',
} as const satisfies Record<(typeof queryIds)[number], keyof AttemptQuery>;

/**
 * The merchant whose token this is. Initialize needs the code too; the status query accepts a
 * missing code (the SDK omits it) but a code that is sent must belong to the same merchant.
 */
async function findMerchant(
  core: EtpayCore,
  code: unknown,
  token: unknown,
  codeRequired: boolean,
): Promise<EtpayMerchant> {
  if (typeof token !== 'string' || (code !== undefined && typeof code !== 'string')) {
    throw EtpayApiError.invalidCredentials();
  }
  if (codeRequired && code === undefined) throw EtpayApiError.invalidCredentials();
  for (const merchant of core.merchants) {
    if (code !== undefined && merchant.merchantCode !== code) continue;
    if (await timingSafeEqual(merchant.apiToken, token)) return merchant;
  }
  throw EtpayApiError.invalidCredentials();
}

/**
 * Both spellings, because a base URL with a trailing `/` is common in clients and the app this
 * sandbox is mounted in decides whether Hono's `strict: false` applies.
 */
function withSlash(path: string): string[] {
  return [path, `${path}/`];
}

async function readText(request: Request): Promise<string> {
  try {
    return await request.text();
  } catch {
    throw EtpayApiError.invalidBody();
  }
}
