// Before the demo starts: `npm run build` when its output is missing or older than the sources
// (the widget, the demo pages, the build scripts, the locked dependencies), so `npm start` always serves what is checked out.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const outputs = [
  'dist/widget/pasarela.js',
  'dist/widget/index.js',
  'dist/demo/spa/index.html',
  'dist/demo/comercio/index.html',
];
const sources = ['widget', 'demo/web', 'scripts', 'package.json', 'package-lock.json'];

export function ensureBuilt(root: string): void {
  const built = Math.min(...outputs.map((file) => modified(join(root, file))));
  const changed = Math.max(...sources.map((path) => newest(join(root, path))));
  if (built >= changed) return;
  console.log('Building the widget and the demo pages (npm run build)…');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed; the demo needs the widget bundle.');
}

function modified(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
}

function newest(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return Number.NEGATIVE_INFINITY;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}
