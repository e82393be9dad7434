// `npm test`: every check and suite, in order, then one summary line over all of them:
// "tests: N passed, M failed". Lint and type errors count as failures of their own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

const work = mkdtempSync(join(tmpdir(), 'pasarela-test-'));
const bin = (name) => join('node_modules', '.bin', name);
const totals = { passed: 0, failed: 0 };
const failedSteps = [];
/** Failed tests by name, repeated above the summary line so that the end of a CI log says which. */
const failedTests = [];

function run(name, command, args, env = {}) {
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = result.status === 0;
  if (!ok) failedSteps.push(name);
  return ok;
}

function readCounts(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

// Static checks: each is one test that passes or fails.
for (const [name, command, args] of [
  ['lint and format (biome)', bin('biome'), ['check', '.']],
  ['types (tsc)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  ['lock file lists every platform (npm ci)', process.execPath, ['scripts/check-lock.mjs']],
]) {
  if (run(name, command, args)) totals.passed += 1;
  else totals.failed += 1;
}

function firstLine(text) {
  const line = stripVTControlCharacters(String(text ?? ''))
    .split('\n')
    .find((part) => part.trim());
  return (line ?? '').trim().slice(0, 300);
}

/** A vitest run, counted from its JSON report; a crash with no report counts as one failure. */
function vitestStep(name, file, args = []) {
  const json = join(work, file);
  const ok = run(name, bin('vitest'), [
    'run',
    ...args,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${json}`,
  ]);
  const counts = readCounts(json);
  // A failed test counts once; a file that failed with no failed test (it did not load, or a
  // hook threw) counts as one more.
  const brokenFiles = (counts?.testResults ?? []).filter(
    (file) => file.status === 'failed' && !file.assertionResults?.some((test) => test.status === 'failed'),
  ).length;
  const failed = counts ? counts.numFailedTests + brokenFiles : 0;
  for (const file of counts?.testResults ?? []) {
    const where = relative(process.cwd(), file.name);
    const tests = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    if (file.status === 'failed' && tests.length === 0)
      failedTests.push(`${where}: ${firstLine(file.message)}`);
    for (const test of tests)
      failedTests.push(`${where} › ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
  }
  totals.passed += counts?.numPassedTests ?? 0;
  totals.failed += ok || failed ? failed : 1;
}

// Node suites (vitest).
vitestStep('server suites (vitest)', 'vitest.json');

// Browser suites (@web/test-runner in Chromium).
const wtrJson = join(work, 'wtr.json');
const browserOk =
  run('Chromium', process.execPath, ['scripts/ensure-chromium.mjs']) &&
  run('widget suites (web-test-runner, Chromium)', bin('web-test-runner'), [], {
    PASARELA_WTR_RESULTS: wtrJson,
  });
const wtr = readCounts(wtrJson);
if (wtr) {
  totals.passed += wtr.passed;
  totals.failed += wtr.failed;
  failedTests.push(...(wtr.failedTests ?? []));
}
if (!browserOk && (!wtr || wtr.failed === 0)) totals.failed += 1;

// End-to-end flows: playwright-core in Chromium against `npm start` (screenshots in artifacts/e2e).
vitestStep('end-to-end flows (playwright-core, Chromium, npm start)', 'e2e.json', [
  '--config',
  'vitest.e2e.config.ts',
]);

rmSync(work, { recursive: true, force: true });
if (failedTests.length) console.log(`\nfailed tests:\n${failedTests.map((test) => `  ${test}`).join('\n')}`);
if (failedSteps.length) console.log(`\nfailed steps: ${failedSteps.join(', ')}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(failedSteps.length || totals.failed ? 1 : 0);
