import { Hono } from 'hono';
import type { AppContext } from '../context.js';
import { Status } from '../core/session.js';
import { components, notificationWebhooks, ref } from './openapi-schemas.js';

/** `GET /api/openapi.json`: this API and the merchant notifications, as OpenAPI 3.1. */
export function openApiRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  let document: string | undefined;
  app.get('/api/openapi.json', (c) => {
    document ??= JSON.stringify(openApiDocument(ctx));
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(document, 200, { 'Content-Type': 'application/json' });
  });
  return app;
}

const json = (schema: object, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string) => json(ref('Error'), description);
const admin = [{ adminToken: [] }];
const pathId = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});

function openApiDocument(ctx: AppContext) {
  const providers = [...ctx.payments.providers()].map((p) => p.info.id);
  const finalStatuses = Object.values(Status).filter((s) => s !== 'pending');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Pasarela',
      version: '1',
      description:
        'An embeddable checkout for Latin America. Errors are always {"error": {"code", "message"}}. Merchant notifications are Standard Webhooks v1 (see webhooks).',
    },
    servers: [{ url: ctx.config.publicUrl }],
    paths: {
      '/api/config': {
        get: {
          summary: 'The enabled providers, and whether this is a sandbox',
          responses: { 200: json(ref('Config'), 'The configuration the widget needs') },
        },
      },
      '/api/sessions': {
        post: {
          summary: 'Create a payment session for an order',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'The same key and body answer the same session',
              schema: { type: 'string', maxLength: 255 },
            },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  oneOf: [
                    {
                      type: 'object',
                      required: ['provider', 'order'],
                      properties: {
                        provider: { enum: providers },
                        order: {
                          type: 'string',
                          description: 'An order token (HS256 JWT) signed by the merchant',
                        },
                      },
                      additionalProperties: false,
                    },
                    {
                      type: 'object',
                      required: ['provider', 'orderId'],
                      properties: {
                        provider: { enum: providers },
                        orderId: { type: 'string', maxLength: 64 },
                      },
                      additionalProperties: false,
                    },
                  ],
                },
              },
            },
          },
          responses: {
            201: json(ref('Session'), 'The session, with what the buyer does next'),
            400: error('Malformed request or order token'),
            409: error('The order is already paid, or the idempotency key was used for another request'),
            422: error('Provider not available, or currency not supported'),
            429: error('Too many creations from this address'),
            502: error('The provider did not answer'),
          },
        },
      },
      '/api/sessions/{id}': {
        get: {
          summary: 'One session',
          parameters: [pathId('id', 'The session id (ps_…)')],
          responses: { 200: json(ref('Session'), 'The session'), 404: error('No such session') },
        },
      },
      '/api/sessions/{id}/events': {
        get: {
          summary: 'The session’s live status as server-sent events (event: status, data: the session)',
          parameters: [pathId('id', 'The session id (ps_…)')],
          responses: {
            200: {
              description: 'An event stream',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            404: error('No such session'),
            429: error('Too many open streams from this address'),
          },
        },
      },
      '/api/sessions/{id}/qr.svg': {
        get: {
          summary: 'The QR code of a wallet session’s payment link',
          parameters: [pathId('id', 'The session id (ps_…)')],
          responses: {
            200: {
              description: 'An SVG image',
              content: { 'image/svg+xml': { schema: { type: 'string' } } },
            },
            404: error('No such session, or not a wallet session'),
          },
        },
      },
      '/api/admin/sessions': {
        get: {
          summary: 'Sessions, newest first',
          security: admin,
          parameters: [
            { name: 'status', in: 'query', schema: { enum: Object.values(Status) } },
            { name: 'duplicate', in: 'query', schema: { enum: ['true', 'false'] } },
            {
              name: 'awaiting_delivery',
              in: 'query',
              description: 'Paid sessions whose delivery is not confirmed yet (some providers refund those)',
              schema: { enum: ['true'] },
            },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
            {
              name: 'before',
              in: 'query',
              description: 'A session id: the page after it',
              schema: { type: 'string' },
            },
          ],
          responses: {
            200: json(
              { type: 'object', properties: { sessions: { type: 'array', items: ref('AdminSession') } } },
              'Sessions',
            ),
            400: error('Bad filter'),
            401: error('No or wrong bearer token'),
          },
        },
      },
      '/api/admin/sessions/{id}': {
        get: {
          summary: 'One session with its status history and its notifications',
          security: admin,
          parameters: [pathId('id', 'The session id (ps_…)')],
          responses: {
            200: json(
              {
                type: 'object',
                properties: {
                  session: ref('AdminSession'),
                  events: { type: 'array', items: { type: 'object' } },
                  notifications: { type: 'array', items: ref('NotificationEvent') },
                },
              },
              'The session',
            ),
            401: error('No or wrong bearer token'),
            404: error('No such session'),
          },
        },
      },
      ...Object.fromEntries(
        ['sync', 'deliver', 'refund', 'cancel'].map((operation) => [
          `/api/admin/sessions/{id}/${operation}`,
          {
            post: {
              summary:
                operation === 'sync'
                  ? 'Ask the provider now'
                  : `Ask the provider to ${operation} the payment`,
              security: admin,
              parameters: [pathId('id', 'The session id (ps_…)')],
              responses: {
                200: json(
                  { type: 'object', properties: { session: ref('AdminSession') } },
                  'The session after it',
                ),
                401: error('No or wrong bearer token'),
                404: error('No such session'),
                409: error('The provider refused in this state'),
                422: error('The provider has no such operation'),
                502: error('The provider did not answer'),
              },
            },
          },
        ]),
      ),
      '/api/admin/events': {
        get: {
          summary: 'Every notification event after a cursor, in the order they were created (catch-up)',
          security: admin,
          parameters: [
            { name: 'after', in: 'query', description: 'An event id (evt_…)', schema: { type: 'string' } },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            },
          ],
          responses: {
            200: json(
              {
                type: 'object',
                properties: {
                  events: { type: 'array', items: ref('NotificationEvent') },
                  hasMore: { type: 'boolean' },
                },
              },
              'Events, oldest first',
            ),
            400: error('Bad cursor or limit'),
            401: error('No or wrong bearer token'),
            404: error('No such event for after'),
          },
        },
      },
      '/api/admin/events/{id}': {
        get: {
          summary: 'One event with every delivery attempt',
          security: admin,
          parameters: [pathId('id', 'The event id (evt_…)')],
          responses: {
            200: json({ type: 'object', properties: { event: ref('NotificationEvent') } }, 'The event'),
            401: error('No or wrong bearer token'),
            404: error('No such event'),
          },
        },
      },
      '/api/admin/events/{id}/redeliver': {
        post: {
          summary: 'Send the event again, with the same webhook-id, to every configured destination',
          security: admin,
          parameters: [pathId('id', 'The event id (evt_…)')],
          responses: {
            202: json({ type: 'object', properties: { event: ref('NotificationEvent') } }, 'Queued'),
            401: error('No or wrong bearer token'),
            404: error('No such event'),
            409: error('No destination is configured'),
          },
        },
      },
      '/healthz': {
        get: {
          summary: 'Whether the store answers and can be written',
          responses: {
            200: json({ type: 'object', properties: { ok: { const: true } } }, 'Healthy'),
            503: json({ type: 'object', properties: { ok: { const: false } } }, 'The store does not answer'),
          },
        },
      },
    },
    webhooks: notificationWebhooks(finalStatuses),
    components: components(providers, finalStatuses),
  };
}
