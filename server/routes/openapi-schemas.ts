import { Status } from '../core/session.js';

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The merchant notifications, one per final status (the document's `webhooks`). */
export function notificationWebhooks(finalStatuses: readonly string[]) {
  return Object.fromEntries(
    finalStatuses.map((status) => [
      `session.${status}`,
      {
        post: {
          summary: `A session became ${status}`,
          description:
            'Standard Webhooks v1, at least once: deduplicate on webhook-id; verify webhook-signature (v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>" with the base64-decoded part of PASARELA_WEBHOOK_SECRET after whsec_>). Answer 2xx within 10 s; anything else is retried for at least 3 days.',
          parameters: ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({
            name,
            in: 'header',
            required: true,
            schema: { type: 'string' },
          })),
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['type', 'timestamp', 'data'],
                  properties: {
                    type: { const: `session.${status}` },
                    timestamp: { type: 'string', format: 'date-time' },
                    data: ref('Session'),
                  },
                },
              },
            },
          },
          responses: { '2XX': { description: 'Received and stored by the merchant' } },
        },
      },
    ]),
  );
}

/** The shapes the API answers with, and its admin token (the document's `components`). */
export function components(providers: readonly string[], finalStatuses: readonly string[]) {
  return {
    securitySchemes: {
      adminToken: { type: 'http', scheme: 'bearer', description: 'PASARELA_ADMIN_TOKEN' },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: { code: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
      Config: {
        type: 'object',
        properties: {
          providers: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { enum: providers },
                name: { type: 'string' },
                currency: { type: 'string' },
                country: { type: 'string' },
                flow: { enum: ['redirect', 'wallet'] },
              },
            },
          },
          sandbox: { type: 'boolean' },
        },
      },
      Session: {
        type: 'object',
        required: ['id', 'provider', 'status', 'amount', 'currency', 'orderId'],
        properties: {
          id: { type: 'string', pattern: '^ps_' },
          provider: { enum: providers },
          status: { enum: Object.values(Status) },
          amount: { type: 'integer', description: 'Whole pesos' },
          currency: { enum: ['CLP', 'COP'] },
          orderId: { type: 'string' },
          description: { type: ['string', 'null'] },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
          expiresAt: { type: ['string', 'null'], format: 'date-time' },
          action: {
            oneOf: [
              { type: 'null' },
              {
                type: 'object',
                properties: { type: { const: 'redirect' }, url: { type: 'string', format: 'uri' } },
              },
              {
                type: 'object',
                properties: {
                  type: { const: 'wallet' },
                  url: { type: 'string', format: 'uri' },
                  qr: { type: 'string' },
                },
              },
            ],
          },
        },
      },
      AdminSession: {
        allOf: [
          ref('Session'),
          {
            type: 'object',
            properties: {
              providerRef: { type: ['string', 'null'] },
              providerStatus: { type: ['string', 'null'] },
              nextCheckAt: { type: ['string', 'null'] },
              duplicate: { type: 'boolean', description: 'A second payment for a paid order: refund it' },
            },
          },
        ],
      },
      NotificationEvent: {
        type: 'object',
        properties: {
          id: { type: 'string', pattern: '^evt_' },
          type: { enum: finalStatuses.map((s) => `session.${s}`) },
          timestamp: { type: 'string', format: 'date-time' },
          sessionId: { type: 'string' },
          data: ref('Session'),
          deliveries: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                destination: { type: 'string' },
                state: { enum: ['pending', 'delivered', 'failed'] },
                attemptCount: { type: 'integer' },
                nextAttemptAt: { type: ['string', 'null'] },
                lastAttemptAt: { type: ['string', 'null'] },
                lastError: { type: ['string', 'null'] },
                deliveredAt: { type: ['string', 'null'] },
                attempts: {
                  type: 'array',
                  description: 'Only on GET /api/admin/events/{id}',
                  items: {
                    type: 'object',
                    properties: {
                      at: { type: 'string' },
                      durationMs: { type: 'number' },
                      httpStatus: { type: ['integer', 'null'] },
                      error: { type: ['string', 'null'] },
                      response: { type: ['string', 'null'], description: 'The first 4 KB of the answer' },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}
