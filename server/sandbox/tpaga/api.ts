import { type Context, Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { TpagaCore } from './core.js';
import { isBlank, textOf, validateCreateInput } from './create-input.js';
import {
  idempotencyConflict,
  inputError,
  productDisabled,
  stateError,
  TpagaApiError,
  unknownPaymentRequest,
} from './errors.js';
import { KeyOrder, member } from './json.js';
import { DeliveryMode, type MerchantConfig } from './options.js';
import {
  cancel,
  confirmDelivery,
  markChecked,
  type PaymentRequest,
  refund,
  serializePaymentRequest,
} from './payment-request.js';
import { readParams } from './request-body.js';

type ApiEnv = { Variables: { merchant: MerchantConfig } };

/** Tpaga answers a scripted 5xx with Rails' generic error body. */
const serverErrorBody = { error: 'Internal Server Error' };

/** Tpaga accepts a trailing `/` on every path; a mounted app cannot rely on `strict: false`. */
function paths(path: string): string[] {
  return [path, `${path}/`];
}

/**
 * The merchant API (`…/merchants/api/v1`), TPAGA.md §4 and §10. In order: scripted faults (they
 * stand for the whole service failing), Basic auth, the `disabled` 403, then the endpoints.
 */
export function apiRoutes(core: TpagaCore, hangMs: number): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();

  api.use(core.faults.middleware({ serverErrorBody, hangMs }));
  api.use(
    basicAuth({
      realm: 'Application',
      invalidUserMessage: 'HTTP Basic: Access denied.',
      verifyUser: async (username, password, c) => {
        const merchant = await core.authenticate(username, password);
        if (merchant) c.set('merchant', merchant);
        return merchant !== undefined;
      },
    }),
  );
  api.use(async (_c, next) => {
    if (core.disabled) throw productDisabled();
    await next();
  });

  api.on('POST', paths('/payment_requests/create'), async (c) => {
    const merchant = c.get('merchant');
    const params = await readParams(c);
    // A known idempotency_token wins over everything else in the body, even invalid fields.
    const idempotency = member(params, 'idempotency_token');
    const idempotencyToken = isBlank(idempotency) ? undefined : textOf(idempotency);
    if (idempotencyToken !== undefined) {
      const existing = core.findByIdempotency(merchant.username, idempotencyToken);
      if (existing) {
        throw idempotencyConflict(
          serializePaymentRequest(existing, KeyOrder.jsonb),
          core.idempotencyUnwrapped,
        );
      }
    }
    const pr = core.create(merchant, validateCreateInput(params));
    core.log(`tpaga: created ${pr.token} for ${merchant.username}, cost ${pr.cost}`);
    return answer(c, 201, serializePaymentRequest(pr, KeyOrder.input));
  });

  api.on('GET', paths('/payment_requests/:token/info'), (c) => {
    const merchant = c.get('merchant');
    const pr = ownRequest(merchant, c.req.param('token') ?? '');
    markChecked(pr, merchant.deliveryMode === DeliveryMode.implicit, core.now());
    return answer(c, 200, serializePaymentRequest(pr, KeyOrder.jsonb));
  });

  const changes: Record<string, (pr: PaymentRequest) => boolean> = {
    confirm_delivery: (pr) => confirmDelivery(pr, core.now()),
    refund: (pr) => refund(pr),
    cancel: (pr) => cancel(pr, core.now()),
  };
  for (const [action, change] of Object.entries(changes)) {
    api.on('POST', paths(`/payment_requests/${action}`), async (c) => {
      const params = await readParams(c);
      const raw = member(params, 'payment_request_token');
      if (isBlank(raw)) throw inputError('payment_request_token', "can't be blank", raw);
      const token = textOf(raw);
      if (token === undefined) throw inputError('payment_request_token', 'is invalid', raw);
      const pr = ownRequest(c.get('merchant'), token);
      if (!change(pr)) throw stateError(token, pr.status);
      core.log(`tpaga: ${action} ${token} → ${pr.status}`);
      return answer(c, 200, serializePaymentRequest(pr, KeyOrder.jsonb));
    });
  }

  /** Another merchant's request is as unknown as a made-up token. */
  function ownRequest(merchant: MerchantConfig, token: string): PaymentRequest {
    const pr = core.find(token);
    if (!pr || pr.merchant !== merchant.username) throw unknownPaymentRequest(token);
    return pr;
  }

  api.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    if (error instanceof TpagaApiError) {
      return error.body === '' ? c.body(null, error.status) : answer(c, error.status, error.body);
    }
    core.log(`tpaga: API error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return c.json(serverErrorBody, 500);
  });

  return api;
}

/** JSON text as Rails sends it. */
function answer(c: Context, status: ContentfulStatusCode, body: string): Response {
  return c.body(body, status, { 'Content-Type': 'application/json; charset=utf-8' });
}
