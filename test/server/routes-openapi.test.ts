// GET /api/openapi.json describes the API the server really has, and the merchant notifications.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './app.fixture.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Document {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  webhooks: Record<string, { post: { requestBody: unknown } }>;
  components: { schemas: Record<string, unknown> };
}

/** Every `$ref` in the document, wherever it is. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) =>
      key === '$ref' && typeof inner === 'string' ? [inner] : refs(inner),
    );
  }
  return [];
}

describe('GET /api/openapi.json', () => {
  it('describes every API route the server answers, the notifications, and resolves its references', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const document = (await response.json()) as Document;
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: server.config.publicUrl }]);

    // The routes the Hono app has under /api (and /healthz), in OpenAPI's {param} form.
    const served = new Set(
      server.app.routes
        .filter((r) => r.method !== 'ALL' && (r.path.startsWith('/api/') || r.path === '/healthz'))
        .filter((r) => r.path !== '/api/openapi.json' && !r.path.includes('*'))
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '')}`),
    );
    const described = new Set(
      Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    expect([...described].sort()).toEqual([...served].sort());
    for (const methods of Object.values(document.paths)) {
      for (const operation of Object.values(methods))
        expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
    }

    expect(Object.keys(document.webhooks).sort()).toEqual(
      ['cancelled', 'delivered', 'expired', 'failed', 'paid', 'refunded'].map((s) => `session.${s}`),
    );
    for (const ref of refs(document)) {
      const name = ref.replace('#/components/schemas/', '');
      expect(document.components.schemas, ref).toHaveProperty(name);
    }
  });
});
