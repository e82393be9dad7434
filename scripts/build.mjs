// `npm run build`: the server's compiled output (dist/server), the widget's npm entry
// (dist/widget/index.js with its .d.ts types, Lit left as a dependency), the script-tag bundle
// (dist/widget/pasarela.js, Lit inside, minified; its gzip size and SRI integrity printed), the
// demo's built pages (dist/demo) and the Custom Elements Manifest (custom-elements.json). Every
// step runs; the build fails if any did.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { buildDemo } from './build-demo.mjs';
import { buildWidgetBundle, describeBundle } from './build-widget.mjs';

const failed = [];

function run(name, command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status === 0) console.log(`built ${name}`);
  else failed.push(name);
}

rmSync('dist', { recursive: true, force: true });
run('dist/server', 'node_modules/.bin/tsc', ['-p', 'tsconfig.build.json']);
run('dist/widget/index.js (npm entry, with types)', 'node_modules/.bin/tsc', ['-p', 'tsconfig.widget.json']);
try {
  const bundle = await buildWidgetBundle();
  console.log(`built dist/widget/pasarela.js\n${describeBundle(bundle)}`);
} catch (error) {
  console.error(error);
  failed.push('dist/widget/pasarela.js');
}
try {
  await buildDemo();
  console.log('built dist/demo (the npm demo page and the merchant view)');
} catch (error) {
  console.error(error);
  failed.push('dist/demo');
}
run('custom-elements.json', 'node_modules/.bin/cem', ['analyze', '--quiet']);

if (failed.length) {
  console.error(`build failed: ${failed.join(', ')}`);
  process.exit(1);
}
