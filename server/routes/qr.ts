import { Hono } from 'hono';
import { renderSVG } from 'uqr';
import type { AppContext } from '../context.js';
import { PasarelaError } from '../errors.js';
import { findSession } from './sessions.js';

/** `GET /api/sessions/:id/qr.svg`: the wallet link as a QR code, made here (no third party sees it). */
export function qrRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  app.get('/:id/qr.svg', async (c) => {
    const session = await findSession(ctx, c.req.param('id'));
    if (session.action?.type !== 'wallet') {
      throw new PasarelaError(404, 'qr_not_available', 'Only wallet payments have a QR code.');
    }
    // A 4-module quiet zone and medium error correction scan reliably from a laptop screen.
    const svg = renderSVG(session.action.url, { ecc: 'M', border: 4, pixelSize: 8 });
    c.header('Content-Type', 'image/svg+xml; charset=utf-8');
    c.header('Cache-Control', 'private, max-age=300');
    return c.body(svg);
  });
  return app;
}
