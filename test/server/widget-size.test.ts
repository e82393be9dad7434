// The script-tag bundle's size budget (14 KB gzip, Lit included), checked on a fresh build of the
// current source so it holds from a clean checkout.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUDGET_GZIP_BYTES, type BundleFacts, measureBundle } from '../../scripts/build-widget.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the script-tag bundle', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'pasarela-bundle-'));
  let facts: BundleFacts;

  beforeAll(() => {
    const build = spawnSync(process.execPath, ['scripts/build-widget.mjs', '--out', outDir], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    facts = measureBundle(join(outDir, 'pasarela.js'));
  }, 60_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('stays within 14 KB gzip', () => {
    expect(facts.gzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
    expect(BUDGET_GZIP_BYTES).toBe(14 * 1024);
  });

  it('is one self-contained module with Lit inside and nothing a strict CSP forbids', () => {
    const code = readFileSync(facts.file, 'utf8');
    expect(code).not.toMatch(/\bfrom\s*["'`]|\bimport\s*\(/);
    expect(code).toContain('customElements.define(`pasarela-checkout`');
    expect(code).not.toMatch(/\beval\(|new Function\(/);
    expect(code).not.toContain('Lit is in dev mode');
    expect(facts.integrity).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
  });
});
