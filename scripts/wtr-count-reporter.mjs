// A web-test-runner reporter that writes pass/fail counts to a JSON file, so `npm test` can
// print one summary line over every suite.
import { writeFileSync } from 'node:fs';

function tally(suite, counts) {
  for (const test of suite?.tests ?? []) {
    if (test.skipped) counts.skipped += 1;
    else if (test.passed) counts.passed += 1;
    else counts.failed += 1;
  }
  for (const child of suite?.suites ?? []) tally(child, counts);
}

export function countReporter(outputFile) {
  return {
    onTestRunFinished({ sessions }) {
      const counts = { passed: 0, failed: 0, skipped: 0 };
      for (const session of sessions) {
        tally(session.testResults, counts);
        // A file that failed to load has no test results: count it as a failure.
        if (!session.passed && !session.testResults?.tests?.length && !session.testResults?.suites?.length) {
          counts.failed += 1;
        }
      }
      if (outputFile) writeFileSync(outputFile, JSON.stringify(counts));
    },
  };
}
