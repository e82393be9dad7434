import { html, raw } from 'hono/html';

export { html, raw };

const styles = `
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { max-width: 34rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
  .sandbox-banner { font-size: .8rem; padding: .25rem .5rem; border: 1px dashed currentColor; display: inline-block; }
  button, select, input { font: inherit; padding: .5rem .75rem; }
  button[data-action="approve"] { background: #0a7d32; color: #fff; border: 0; border-radius: .25rem; }
  button[data-action="reject"] { background: #b3261e; color: #fff; border: 0; border-radius: .25rem; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: .25rem 1rem; }
  table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #8884; padding: .25rem; text-align: left; }
`;

/** A whole sandbox page (escaped through hono/html), in Spanish as the providers' pages are. */
export function page(title: string, body: unknown, banner = 'Sandbox: ningún pago es real') {
  return html`<!doctype html>
<html lang="es">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <style>${raw(styles)}</style>
  </head>
  <body>
    <p class="sandbox-banner">${banner}</p>
    ${body}
  </body>
</html>`;
}

/** Chilean/Colombian peso format: "$ 12.000" (dot thousands separator, no decimals). */
export function formatPesos(amount: number, space = true): string {
  const digits = Math.trunc(amount)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `$${space ? ' ' : ''}${digits}`;
}
