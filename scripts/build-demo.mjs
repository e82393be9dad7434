// The demo's built pages (dist/demo): the npm demo page (demo/web/spa), which imports the widget
// from the package build exactly as an app that ran `npm install pasarela` would, and the
// merchant view (demo/web/comercio). Needs dist/widget/index.js (the npm entry) first.
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

export async function buildDemo(outDir = join(root, 'dist', 'demo')) {
  const web = join(root, 'demo', 'web');
  await build({
    root: web,
    base: '/',
    mode: 'production',
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    resolve: {
      conditions: ['module', 'browser', 'production'],
      // In a merchant's app this is just the installed package; here it is this package's build.
      alias: [{ find: /^pasarela$/, replacement: join(root, 'dist', 'widget', 'index.js') }],
    },
    build: {
      outDir,
      emptyOutDir: true,
      assetsDir: 'demo-assets',
      target: 'es2022',
      // No inline module-preload polyfill: the pages run under script-src 'self'.
      modulePreload: { polyfill: false },
      rolldownOptions: {
        input: { spa: join(web, 'spa', 'index.html'), comercio: join(web, 'comercio', 'index.html') },
      },
    },
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await buildDemo();
