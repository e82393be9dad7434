// A web-test-runner reporter that writes pass/fail counts to a JSON file, so `npm test` can
// print one summary line over every suite, with the names of the tests that failed.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';

function tally(suite, counts, where, names = []) {
  for (const test of suite?.tests ?? []) {
    if (test.skipped) counts.skipped += 1;
    else if (test.passed) counts.passed += 1;
    else {
      counts.failed += 1;
      const message = String(test.error?.message ?? '')
        .split('\n')[0]
        .slice(0, 300);
      counts.failedTests.push(`${where} › ${[...names, test.name].join(' › ')}: ${message}`);
    }
  }
  for (const child of suite?.suites ?? []) tally(child, counts, where, [...names, child.name]);
}

export function countReporter(outputFile) {
  return {
    onTestRunFinished({ sessions }) {
      const counts = { passed: 0, failed: 0, skipped: 0, failedTests: [] };
      for (const session of sessions) {
        const where = relative(process.cwd(), session.testFile);
        tally(session.testResults, counts, where);
        // A file that failed to load has no test results: count it as a failure.
        if (!session.passed && !session.testResults?.tests?.length && !session.testResults?.suites?.length) {
          counts.failed += 1;
          counts.failedTests.push(
            `${where}: ${String(session.errors?.[0]?.message ?? 'did not load').split('\n')[0]}`,
          );
        }
      }
      if (outputFile) writeFileSync(outputFile, JSON.stringify(counts));
    },
  };
}
