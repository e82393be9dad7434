// The widget's script-tag bundle: one minified ES module with Lit inside, built with Vite.
// Used by `npm run build`, by the size-budget test and by the bundle-size benchmark; run directly
// (`node scripts/build-widget.mjs [--out DIR]`) it builds into DIR (default dist/widget) and prints
// the bundle's size and integrity.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { minifyTemplates } from './minify-templates.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The budget the size test enforces: 14 KB (KiB) gzip. */
export const BUDGET_GZIP_BYTES = 14 * 1024;

export async function buildWidgetBundle(outDir = join(root, 'dist', 'widget')) {
  await build({
    root,
    // Explicit, so a build started under NODE_ENV=test (vitest) still gets Lit's production build.
    mode: 'production',
    resolve: { conditions: ['module', 'browser', 'production'] },
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    plugins: [minifyTemplates()],
    build: {
      outDir,
      emptyOutDir: false,
      target: 'es2022',
      minify: true,
      modulePreload: false,
      copyPublicDir: false,
      rolldownOptions: {
        input: join(root, 'widget', 'index.ts'),
        preserveEntrySignatures: 'exports-only',
        output: { format: 'es', entryFileNames: 'pasarela.js' },
      },
    },
  });
  return measureBundle(join(outDir, 'pasarela.js'));
}

export function measureBundle(file) {
  const code = readFileSync(file);
  const digest = createHash('sha384').update(code).digest();
  return {
    file,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    integrity: `sha384-${digest.toString('base64')}`,
    // As server/node.ts names the immutable path /widget/<version>/pasarela.js.
    version: digest.toString('hex').slice(0, 12),
  };
}

export function describeBundle({ bytes, gzipBytes, integrity, version }) {
  const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
  return [
    `widget bundle: ${kb(bytes)} minified, ${kb(gzipBytes)} gzip (${gzipBytes} bytes; budget ${kb(BUDGET_GZIP_BYTES)})`,
    `integrity: ${integrity}`,
    `served at /pasarela.js and /widget/${version}/pasarela.js`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const at = process.argv.indexOf('--out');
  const result = await buildWidgetBundle(at > 0 ? resolve(process.argv[at + 1]) : undefined);
  console.log(describeBundle(result));
}
