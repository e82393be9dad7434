import { Hono } from 'hono';
import { errorBody } from '../errors.js';

/** The widget's script-tag bundle, as built by `npm run build`. */
export interface WidgetBundle {
  code: string;
  /** `sha384-…`, for the `integrity` attribute. */
  integrity: string;
  /** Content-derived version used in the immutable path. */
  version: string;
}

/**
 * `GET /pasarela.js` (short cache, always the current build) and
 * `GET /widget/<version>/pasarela.js` (immutable, for pages that pin a version with SRI).
 */
export function widgetRoutes(bundle: WidgetBundle | undefined): Hono {
  const app = new Hono();
  const serve = (cacheControl: string) => (c: import('hono').Context) => {
    if (!bundle) {
      return c.json(
        errorBody('widget_not_built', 'The widget bundle is not built: run `npm run build`.'),
        404,
      );
    }
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', cacheControl);
    c.header('Access-Control-Allow-Origin', '*');
    c.header('X-Pasarela-Integrity', bundle.integrity);
    return c.body(bundle.code);
  };
  app.get('/pasarela.js', serve('public, max-age=300'));
  app.get('/widget/:version/pasarela.js', (c) => {
    if (bundle && c.req.param('version') !== bundle.version) {
      return c.json(errorBody('not_found', `This server serves widget version ${bundle.version}.`), 404);
    }
    return serve('public, max-age=31536000, immutable')(c);
  });
  return app;
}
