// Checks that package-lock.json lists, for every locked package, each of its optional
// dependencies (the platform builds of rollup, esbuild, biome, …). A lock file written with
// only this machine's builds makes `npm ci` fail on every other platform ("Missing: … from
// lock file"); `npm install --package-lock-only` writes a complete one.
import { readFileSync } from 'node:fs';

/** Where Node would find `name` from the package installed at `path` (walking up the tree). */
function resolves(packages, path, name) {
  let base = path;
  for (;;) {
    if (packages[`${base ? `${base}/` : ''}node_modules/${name}`]) return true;
    if (!base) return false;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent === -1 ? '' : base.slice(0, parent);
  }
}

export function missingOptionalPackages(lock) {
  const packages = lock.packages ?? {};
  const missing = [];
  for (const [path, entry] of Object.entries(packages)) {
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      if (!resolves(packages, path, name))
        missing.push(`${name} (optional dependency of ${path || 'the root'})`);
    }
  }
  return missing;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? 'package-lock.json';
  const missing = missingOptionalPackages(JSON.parse(readFileSync(file, 'utf8')));
  if (missing.length) {
    console.error(`${file} lacks ${missing.length} optional package(s) that npm ci needs on some platform:`);
    for (const line of missing) console.error(`  - ${line}`);
    console.error('Regenerate it with: npm install --package-lock-only');
    process.exit(1);
  }
  console.log(`${file}: every optional dependency is locked`);
}
