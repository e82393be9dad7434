import { defineConfig } from 'vite';

// The widget builds (npm entry and script-tag bundle) are configured in scripts/build.mjs;
// this file serves the demo SPA during development.
export default defineConfig({
  root: 'demo/spa',
  build: { outDir: '../../dist/demo-spa', emptyOutDir: true },
});
