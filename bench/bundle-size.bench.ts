// The widget's script-tag bundle: minified and gzip sizes of a fresh build, against the budget.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWidgetBundle, describeBundle } from '../scripts/build-widget.mjs';

const outDir = mkdtempSync(join(tmpdir(), 'pasarela-bundle-'));
try {
  console.log(describeBundle(await buildWidgetBundle(outDir)));
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
