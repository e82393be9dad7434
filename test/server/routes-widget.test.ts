import { describe, expect, it } from 'vitest';
import { createPasarela } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { silentLogger } from '../../server/log.js';
import { openSqliteStore } from '../../server/store/sqlite/index.js';

async function app(widget?: { code: string; integrity: string; version: string }) {
  const config = loadConfig({
    PASARELA_SANDBOX: '1',
    PASARELA_ORDER_SECRET: 'widget-route-secret-at-least-32-bytes!',
  });
  const store = await openSqliteStore({ path: ':memory:' });
  return createPasarela({
    config,
    store,
    logger: silentLogger,
    reconciler: false,
    ...(widget && { widget }),
  });
}

const bundle = { code: 'export const x = 1;', integrity: 'sha384-abc', version: '0123456789ab' };

describe('GET /pasarela.js', () => {
  it('serves the bundle with a short cache and its integrity', async () => {
    const pasarela = await app(bundle);
    const response = await pasarela.request('/pasarela.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('x-pasarela-integrity')).toBe('sha384-abc');
    expect(await response.text()).toBe(bundle.code);
    await pasarela.close();
  });

  it('serves the same bundle at its versioned path as immutable, and 404 for other versions', async () => {
    const pasarela = await app(bundle);
    const response = await pasarela.request('/widget/0123456789ab/pasarela.js');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await response.text()).toBe(bundle.code);
    expect((await pasarela.request('/widget/ffffffffffff/pasarela.js')).status).toBe(404);
    await pasarela.close();
  });

  it('says how to build the widget when the bundle is missing', async () => {
    const pasarela = await app();
    const response = await pasarela.request('/pasarela.js');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'widget_not_built' } });
    await pasarela.close();
  });
});
