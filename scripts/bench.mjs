// `npm run bench`: runs every benchmark in bench/ (files named *.bench.ts), each printing its figures.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const benches = readdirSync('bench')
  .filter((name) => name.endsWith('.bench.ts'))
  .sort();
if (benches.length === 0) console.log('No benchmarks yet (bench/*.bench.ts).');
let failed = 0;
for (const name of benches) {
  console.log(`\n▶ bench/${name}`);
  const result = spawnSync('node_modules/.bin/tsx', [`bench/${name}`], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exit(failed ? 1 : 0);
